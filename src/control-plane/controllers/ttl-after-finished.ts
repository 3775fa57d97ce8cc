// TTL-after-finished controller (upstream pkg/controller/ttlafterfinished): deletes a finished Job (Complete or
// Failed) once spec.ttlSecondsAfterFinished has passed since it finished, with foreground propagation so its pods
// go first. Before deleting it re-reads the Job from the API (the cache may be behind an update of the TTL) and
// deletes with a uid precondition, so a same-named newer Job is never hit.
import type { Job } from 'kubernetes-types/batch/v1.js';
import { objectKey, splitKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import { isConflict, isNotFound } from '../../client/errors.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { conditionTrue } from './job-util.ts';
import { jobsRef } from './refs.ts';

export const ttlAfterFinishedComponent = 'ttl-after-finished-controller';

/** When the job finished (completionTime, else the terminal condition's transition), or undefined if it has not. */
export function finishedAt(job: Job): number | undefined {
  const cond = conditionTrue(job, 'Complete') ?? conditionTrue(job, 'Failed');
  if (!cond) return undefined;
  const t = Date.parse(job.status?.completionTime ?? cond.lastTransitionTime ?? '');
  return Number.isFinite(t) ? t : undefined;
}

/** ms until the job expires (<= 0: now), or undefined when it never does. */
export function timeLeft(job: Job, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl == null || job.metadata?.deletionTimestamp) return undefined;
  const finished = finishedAt(job);
  return finished === undefined ? undefined : finished + ttl * 1000 - now;
}

export class TtlAfterFinishedController extends Controller {
  readonly jobInformer: Informer<Job>;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: ttlAfterFinishedComponent, workers: 5 });
    this.jobInformer = this.informer<Job>(jobsRef);
    const enqueue = (job: Job): void => {
      if (timeLeft(job, this.now()) !== undefined) this.queue.add(objectKey(job));
    };
    this.jobInformer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, job) => enqueue(job) });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobInformer.lister.get(namespace, name);
    if (!cached) return;
    const left = timeLeft(cached, this.now());
    if (left === undefined) return;
    if (left > 0) return { requeueAfter: left };
    let fresh: Job;
    try {
      fresh = await this.ctx.client.get<Job>(jobsRef, name, { namespace, signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const freshLeft = timeLeft(fresh, this.now());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfter: freshLeft };
    try {
      await this.ctx.client.delete(jobsRef, name, { namespace, propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata?.uid }, signal });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

export async function startTtlAfterFinishedController(ctx: ControllerContext): Promise<void> {
  await new TtlAfterFinishedController(ctx).run();
}
