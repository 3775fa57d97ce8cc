// StatefulSet (apps/v1, `sts`): generation counts spec changes, status starts empty, scale exposes spec.replicas.
import { defaultStatefulSet } from '../defaults/statefulset.ts';
import { statefulSetPrinter } from '../printers/statefulset.ts';
import { statefulSetValidator } from '../validation/statefulset.ts';
import { replicasScale } from './apps.ts';
import { defineResource } from './define.ts';

export const statefulSets = defineResource({
  group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true, shortNames: ['sts'],
  categories: ['all'],
  printer: statefulSetPrinter,
  strategy: { validator: statefulSetValidator, defaults: defaultStatefulSet, generation: true, initialStatus: () => ({ replicas: 0, availableReplicas: 0 }) },
  status: true,
  subresources: { scale: replicasScale },
});
