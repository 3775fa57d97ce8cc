// Deployment and ReplicaSet (apps/v1): generation tracks spec changes, status starts empty, and the scale
// subresource exposes spec.replicas as an autoscaling/v1 Scale.
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { ScaleSubresourceStrategy } from '../strategy.ts';
import { defaultDeployment, defaultReplicaSet } from '../defaults/index.ts';
import { deploymentValidator, replicaSetValidator } from '../validation/apps.ts';
import { deploymentPrinter, replicaSetPrinter } from '../printers/apps.ts';
import { int } from '../field-values.ts';
import { defineResource } from './define.ts';

function validateScale(scale: KubeObject): FieldError[] {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (replicas === undefined || (typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0)) return [];
  return [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }];
}

const replicasScale: ScaleSubresourceStrategy = {
  type: 'scale',
  paths: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' },
  validate: validateScale,
};

export const deployments = defineResource({
  group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, shortNames: ['deploy'],
  categories: ['all'],
  printer: deploymentPrinter,
  // Annotation changes bump generation too: the deployment controller copies them onto its ReplicaSets.
  strategy: { validator: deploymentValidator, defaults: defaultDeployment, generation: 'spec+annotations', initialStatus: () => ({}) },
  status: true,
  subresources: { scale: replicasScale },
});

export const replicaSets = defineResource({
  group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', namespaced: true, shortNames: ['rs'],
  categories: ['all'],
  printer: replicaSetPrinter,
  fieldSelectors: { 'status.replicas': int('status.replicas') },
  strategy: { validator: replicaSetValidator, defaults: defaultReplicaSet, generation: true, initialStatus: () => ({}) },
  status: true,
  subresources: { scale: replicasScale },
});
