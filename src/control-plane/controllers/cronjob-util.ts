// Pure helpers of the CronJob controller (upstream pkg/controller/cronjob/utils.go): which scheduled time is due,
// the name and content of the Job for it, and which finished Jobs fall outside the history limits.
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { CronSchedule } from '../../api/cron.ts';
import { ownerReferenceTo } from './controller-ref.ts';
import { conditionTrue } from './job-util.ts';

export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Past this many missed start times upstream warns and starts only the most recent. */
export const maxMissedStarts = 100;

export interface Due {
  /** The most recent scheduled time not after now (epoch ms), if any is unmet. */
  time?: number;
  /** How many were missed since the last schedule (capped a little over maxMissedStarts). */
  missed: number;
}

/** Upstream mostRecentScheduleTime: unmet start times since lastScheduleTime (or creation), within the deadline. */
export function mostRecentScheduleTime(cj: CronJob, schedule: CronSchedule, now: number): Due {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '');
  if (!Number.isFinite(earliest)) earliest = now;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (sds != null) earliest = Math.max(earliest, now - sds * 1000);
  let time: number | undefined;
  let missed = 0;
  for (let t = schedule.next(earliest); t <= now; t = schedule.next(t)) {
    time = t;
    missed++;
    if (missed > maxMissedStarts) {
      // too many to walk: jump to the latest start before now
      let probe = now - 1;
      for (let step = 60_000; ; step *= 2) {
        const cand = schedule.next(now - step);
        if (cand <= now) {
          probe = cand;
          while (schedule.next(probe) <= now) probe = schedule.next(probe);
          break;
        }
      }
      time = probe;
      break;
    }
  }
  return { time, missed };
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`, as upstream names them. */
export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata?.name}-${Math.floor(scheduledMs / 60_000)}`;
}

/** RFC 3339 with the zone's offset (Go's time.RFC3339 of scheduledTime.In(tz)). */
export function formatInZone(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offsetMin = Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  const stamp = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  if (offsetMin === 0) return `${stamp}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${stamp}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function jobFromTemplate(cj: CronJob, scheduledMs: number, timeZone: string): Job {
  const tmpl = cj.spec?.jobTemplate ?? {};
  const m = cj.metadata ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledMs),
      namespace: m.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations: { ...(tmpl.metadata?.annotations ?? {}), [scheduledTimestampAnnotation]: formatInZone(scheduledMs, timeZone) },
      ownerReferences: [ownerReferenceTo({ ...cj, metadata: m }, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(tmpl.spec ?? { template: {} }),
  };
}

export const jobSucceeded = (job: Job): boolean => !!conditionTrue(job, 'Complete');
export const jobFailed = (job: Job): boolean => !!conditionTrue(job, 'Failed');

/** Finished jobs beyond the history limits, oldest first (upstream orders by status.startTime, then name). */
export function jobsOverHistoryLimits(cj: CronJob, jobs: Job[]): Job[] {
  const byStart = (a: Job, b: Job): number =>
    (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  const over = (list: Job[], limit: number | undefined): Job[] => {
    if (limit == null) return [];
    const sorted = [...list].sort(byStart);
    return sorted.slice(0, Math.max(0, sorted.length - limit));
  };
  return [
    ...over(jobs.filter(jobSucceeded), cj.spec?.successfulJobsHistoryLimit),
    ...over(jobs.filter(jobFailed), cj.spec?.failedJobsHistoryLimit),
  ];
}
