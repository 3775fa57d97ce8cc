// ControllerRevision (apps/v1): an immutable snapshot of a DaemonSet's (or StatefulSet's) template, which
// `kubectl rollout history|undo` reads. No status, no generation; data may never change after create.
import { controllerRevisionValidator } from '../validation/workloads.ts';
import { controllerRevisionPrinter } from '../printers/workloads.ts';
import { defineResource } from './define.ts';

export const controllerRevisions = defineResource({
  group: 'apps', version: 'v1', kind: 'ControllerRevision', resource: 'controllerrevisions', namespaced: true,
  printer: controllerRevisionPrinter,
  strategy: { validator: controllerRevisionValidator },
});
