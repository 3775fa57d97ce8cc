// DaemonSet (apps/v1, short name ds): generation tracks spec changes, status starts with upstream's four
// always-serialised counters, and only the status endpoint writes status.
import { defaultDaemonSet } from '../defaults/workloads.ts';
import { daemonSetValidator } from '../validation/workloads.ts';
import { daemonSetPrinter } from '../printers/workloads.ts';
import { defineResource } from './define.ts';

export const daemonSets = defineResource({
  group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', namespaced: true, shortNames: ['ds'],
  categories: ['all'],
  printer: daemonSetPrinter,
  strategy: {
    validator: daemonSetValidator, defaults: defaultDaemonSet, generation: true,
    initialStatus: () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
  },
  status: true,
});
