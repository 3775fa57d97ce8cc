// ReplicationController (core/v1, short name rc): the ReplicaSet's predecessor with an equality-based selector
// (a plain label map). Generation tracks spec changes; status and scale subresources as upstream, the Scale's
// status.selector rendered from that map.
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { ScaleSubresourceStrategy } from '../strategy.ts';
import { defaultReplicationController } from '../defaults/workloads.ts';
import { replicationControllerValidator } from '../validation/workloads.ts';
import { replicationControllerPrinter } from '../printers/workloads.ts';
import { int } from '../field-values.ts';
import { defineResource } from './define.ts';

function validateScale(scale: KubeObject): FieldError[] {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (replicas === undefined || (typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0)) return [];
  return [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }];
}

/** labels.SelectorFromSet(spec.selector).String(): "k=v" sorted by key, comma-joined. */
function equalitySelector(obj: KubeObject): string {
  const sel = (obj as unknown as ReplicationController).spec?.selector ?? {};
  return Object.keys(sel).sort().map((k) => `${k}=${sel[k]}`).join(',');
}

const scale: ScaleSubresourceStrategy = {
  type: 'scale',
  paths: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' },
  validate: validateScale,
  selector: equalitySelector,
};

export const replicationControllers = defineResource({
  group: '', version: 'v1', kind: 'ReplicationController', resource: 'replicationcontrollers', namespaced: true, shortNames: ['rc'],
  categories: ['all'],
  printer: replicationControllerPrinter,
  fieldSelectors: { 'status.replicas': int('status.replicas') },
  strategy: { validator: replicationControllerValidator, defaults: defaultReplicationController, generation: true, initialStatus: () => ({ replicas: 0 }) },
  status: true,
  subresources: { scale },
});
