// CronJob controller (upstream pkg/controller/cronjob, the v2 controller): level-triggered on "ns/name" keys of
// CronJobs, and on the Jobs they control. Each sync re-reads the caches and: drops finished Jobs from
// status.active (recording lastSuccessfulTime), deletes finished Jobs beyond the history limits, and — unless
// suspended — creates the Job `<name>-<minutes since epoch>` for the most recent unmet schedule time that is still
// within startingDeadlineSeconds, obeying concurrencyPolicy (Allow, Forbid: skip while one runs, Replace: delete
// the running ones first). It then asks to be woken at the next schedule time; time comes from the injected clock.
import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { objectKey, splitKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import { isAlreadyExists, isNotFound } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { semanticEqual } from '../../api/equality.ts';
import { type CronSchedule, localTimeZone, parseCronSchedule, timeZoneError } from '../../api/cron.ts';
import { Controller, errMessage } from './base.ts';
import type { ControllerContext } from './context.ts';
import { controllerRefOf } from './controller-ref.ts';
import { jobFromTemplate, jobNameFor, jobSucceeded, jobsOverHistoryLimits, maxMissedStarts, mostRecentScheduleTime } from './cronjob-util.ts';
import { isJobFinished } from './job-util.ts';
import { cronJobsRef, jobsRef } from './refs.ts';

export const cronJobComponent = 'cronjob-controller';
/** Upstream wakes a little after the scheduled instant, so that the instant has surely passed. */
const wakeSlackMs = 100;

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function refTo(job: Job): ObjectReference {
  const m = job.metadata ?? {};
  return { kind: 'Job', namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: 'batch/v1', resourceVersion: m.resourceVersion };
}

export class CronJobController extends Controller {
  readonly cronJobInformer: Informer<CronJob>;
  readonly jobInformer: Informer<Job>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: cronJobComponent, workers: 5 });
    this.recorder = ctx.recorder(cronJobComponent);
    this.cronJobInformer = this.informer<CronJob>(cronJobsRef);
    this.jobInformer = this.informer<Job>(jobsRef);
    this.cronJobInformer.addEventHandler({
      onAdd: (cj) => this.queue.add(objectKey(cj)),
      onUpdate: (_old, cj) => this.queue.add(objectKey(cj)),
    });
    const jobChanged = (job: Job): void => {
      const ref = controllerRefOf(job);
      if (ref?.kind === 'CronJob') this.queue.add(`${job.metadata?.namespace}/${ref.name}`);
    };
    this.jobInformer.addEventHandler({ onAdd: jobChanged, onUpdate: (_old, job) => jobChanged(job), onDelete: jobChanged });
  }

  private event(cj: CronJob, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event({ ...cj, apiVersion: 'batch/v1', kind: 'CronJob' }, type, reason, message);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    const cj = this.cronJobInformer.lister.get(namespace, name);
    if (!cj) return;
    const children = this.jobInformer.lister.list(namespace).filter((j) => controllerRefOf(j)?.uid === cj.metadata?.uid);
    const status: CronJobStatus = structuredClone(cj.status ?? {});
    this.trackActive(cj, status, children);
    await this.cleanupHistory(cj, children, signal);
    let action: Action = undefined;
    if (!cj.metadata?.deletionTimestamp && !cj.spec?.suspend) action = await this.schedule(cj, status, children, signal);
    if (!semanticEqual(status, cj.status ?? {})) {
      await this.ctx.client.updateStatus<CronJob>(cronJobsRef, { ...cj, status }, { namespace, signal });
    }
    return action;
  }

  /** status.active = the controlled jobs still running; finished ones are noted and leave the list. */
  private trackActive(cj: CronJob, status: CronJobStatus, children: Job[]): void {
    const byUid = new Map(children.map((j) => [j.metadata?.uid, j]));
    const active: ObjectReference[] = [];
    for (const ref of status.active ?? []) {
      const job = byUid.get(ref.uid);
      if (!job) continue;
      if (isJobFinished(job)) {
        this.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata?.name}, condition: ${jobSucceeded(job) ? 'Complete' : 'Failed'}`);
      } else {
        active.push(ref);
      }
    }
    for (const job of children) {
      if (isJobFinished(job) || active.some((r) => r.uid === job.metadata?.uid)) continue;
      // A sync whose status write was lost, or `kubectl create job --from`: upstream notes it and leaves it out.
      this.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata?.name}`);
    }
    for (const job of children.filter(jobSucceeded)) {
      const t = job.status?.completionTime;
      if (t && (!status.lastSuccessfulTime || Date.parse(t) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = t;
    }
    if (active.length) status.active = active;
    else delete status.active;
  }

  private async cleanupHistory(cj: CronJob, children: Job[], signal: AbortSignal): Promise<void> {
    for (const job of jobsOverHistoryLimits(cj, children)) await this.deleteJob(cj, job, signal);
  }

  private async deleteJob(cj: CronJob, job: Job, signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.client.delete(jobsRef, job.metadata?.name ?? '', { namespace: job.metadata?.namespace, propagationPolicy: 'Background', signal });
      this.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name}`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${errMessage(err)}`);
      throw err;
    }
  }

  private parse(cj: CronJob): { schedule: CronSchedule; tz: string } | undefined {
    const tz = cj.spec?.timeZone ?? localTimeZone();
    const tzErr = timeZoneError(tz);
    if (tzErr) {
      this.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": ${tzErr}`);
      return undefined;
    }
    try {
      return { schedule: parseCronSchedule(cj.spec?.schedule ?? '', tz), tz };
    } catch (err) {
      this.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec?.schedule}" : ${errMessage(err)}`);
      return undefined;
    }
  }

  private async schedule(cj: CronJob, status: CronJobStatus, children: Job[], signal: AbortSignal): Promise<Action> {
    const parsed = this.parse(cj);
    if (!parsed) return;
    const now = this.now();
    const wake: Action = { requeueAfter: parsed.schedule.next(now) - now + wakeSlackMs };
    const due = mostRecentScheduleTime(cj, parsed.schedule, now);
    if (due.missed > maxMissedStarts) {
      this.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    if (due.time === undefined) return wake;
    const sds = cj.spec?.startingDeadlineSeconds;
    if (sds != null && due.time + sds * 1000 < now) {
      this.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(due.time).toUTCString()}`);
      return wake;
    }
    const name = jobNameFor(cj, due.time);
    if (children.some((j) => j.metadata?.name === name)) return wake; // this start is already done
    const running = status.active ?? [];
    if (cj.spec?.concurrencyPolicy === 'Forbid' && running.length > 0) {
      this.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return wake;
    }
    if (cj.spec?.concurrencyPolicy === 'Replace') {
      for (const ref of running) {
        const job = children.find((j) => j.metadata?.uid === ref.uid);
        if (job) await this.deleteJob(cj, job, signal);
      }
      delete status.active;
    }
    let created: Job;
    try {
      created = await this.ctx.client.create<Job>(jobsRef, jobFromTemplate(cj, due.time, parsed.tz), { namespace: cj.metadata?.namespace, signal });
      this.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name}`);
    } catch (err) {
      if (isAlreadyExists(err)) return wake; // ours from an earlier sync whose cache entry is on its way
      this.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${errMessage(err)}`);
      throw err;
    }
    status.active = [...(status.active ?? []), refTo(created)];
    status.lastScheduleTime = rfc3339(due.time);
    return wake;
  }
}

export async function startCronJobController(ctx: ControllerContext): Promise<void> {
  await new CronJobController(ctx).run();
}
