// The scheduler's Prometheus metrics, served on its secure port (component-server.ts). Upstream's
// scheduler_schedule_attempts_total counts scheduling cycles by result; here it is read at scrape time from the
// stats of the scheduler currently leading (its counts start again with each leadership term, a counter reset).
import { Counter, Registry } from 'prom-client';
import type { SchedulerStats } from './scheduler.ts';

/** A registry for one scheduler process; `stats` gives the leading scheduler's counts, if any. */
export function schedulerRegistry(profile: string, stats: () => SchedulerStats | undefined): Registry {
  const registry = new Registry();
  new Counter({
    name: 'scheduler_schedule_attempts_total',
    help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.',
    labelNames: ['result', 'profile'],
    registers: [registry],
    collect() {
      const s = stats() ?? { scheduled: 0, failed: 0, bindErrors: 0 };
      this.reset();
      this.inc({ result: 'scheduled', profile }, s.scheduled);
      this.inc({ result: 'unschedulable', profile }, s.failed);
      this.inc({ result: 'error', profile }, s.bindErrors);
    },
  });
  return registry;
}
