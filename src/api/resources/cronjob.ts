// CronJob (batch/v1 cronjobs, short name cj): generation tracks spec changes and status starts empty ({}); the
// schedule and time zone are checked at admission (validation/batch.ts), the controller does the rest.
import { defaultCronJob } from '../defaults/batch.ts';
import { cronJobPrinter } from '../printers/batch.ts';
import { cronJobValidator } from '../validation/batch.ts';
import { defineResource } from './define.ts';

export const cronJobs = defineResource({
  group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', namespaced: true, shortNames: ['cj'],
  categories: ['all'],
  printer: cronJobPrinter,
  strategy: { validator: cronJobValidator, defaults: defaultCronJob, generation: true, initialStatus: () => ({}) },
  status: true,
});
