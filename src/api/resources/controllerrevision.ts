// ControllerRevision (apps/v1): an immutable snapshot of a workload's template (data) at a revision number,
// written by the StatefulSet and DaemonSet controllers for rollout history.
import { controllerRevisionPrinter } from '../printers/statefulset.ts';
import { controllerRevisionValidator } from '../validation/statefulset.ts';
import { defineResource } from './define.ts';

export const controllerRevisions = defineResource({
  group: 'apps', version: 'v1', kind: 'ControllerRevision', resource: 'controllerrevisions', namespaced: true,
  printer: controllerRevisionPrinter,
  strategy: { validator: controllerRevisionValidator },
});
