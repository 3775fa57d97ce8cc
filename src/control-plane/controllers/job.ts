// Job controller (upstream pkg/controller/job): runs a Job's pods to completion. Level-triggered on "ns/name"
// keys; each sync claims the job's pods (selector + controllerRef), accounts finished pods through the
// job-tracking finalizer (job-accounting.ts), decides conditions and the pods to create or delete (job-sync.ts),
// acts, and writes status. Pods a sync created or deleted are expected (as the ReplicaSet controller does) so
// that a sync running before the informer saw them does not act twice. Pods whose job is gone keep no finalizer.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { objectKey, splitKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import { isNotFound } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { labelSelectorMatcher } from '../../client/selector.ts';
import { semanticEqual } from '../../api/equality.ts';
import { Controller } from './base.ts';
import { createControlledPod } from './pod-control.ts';
import type { ControllerContext } from './context.ts';
import { claimObjects, controllerRefOf, ownerReferenceTo } from './controller-ref.ts';
import { flushCounted, ledgerOf, ledgerStatus, recordFinished } from './job-accounting.ts';
import { planJob } from './job-sync.ts';
import { buildJobPod, hasTrackingFinalizer, isJobFinished, jobTrackingFinalizer } from './job-util.ts';
import { jobsRef, podsRef } from './refs.ts';
import { Expectations } from './replicaset-expectations.ts';
import { slowStartBatch, slowStartInitialBatch } from './replicaset-status.ts';

export const jobComponent = 'job-controller';
/** Keys of pods whose finalizer must go because their job is gone. */
const orphanPrefix = 'orphan-pod:';

export class JobController extends Controller {
  readonly jobInformer: Informer<Job>;
  readonly podInformer: Informer<Pod>;
  private readonly expectations: Expectations;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: jobComponent, workers: 5 });
    this.recorder = ctx.recorder(jobComponent);
    this.expectations = new Expectations(this.clock);
    this.jobInformer = this.informer<Job>(jobsRef);
    this.podInformer = this.informer<Pod>(podsRef);
    this.jobInformer.addEventHandler({
      onAdd: (job) => this.queue.add(objectKey(job)),
      onUpdate: (_old, job) => this.queue.add(objectKey(job)),
      onDelete: (job) => {
        this.expectations.delete(objectKey(job));
        for (const pod of this.podInformer.lister.list(job.metadata?.namespace)) {
          if (controllerRefOf(pod)?.uid === job.metadata?.uid && hasTrackingFinalizer(pod)) this.queue.add(orphanPrefix + objectKey(pod));
        }
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.podChanged(pod, 'add'),
      onUpdate: (_old, pod) => this.podChanged(pod, 'update'),
      onDelete: (pod) => this.podChanged(pod, 'delete'),
    });
  }

  private ownerOf(pod: Pod): Job | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = this.jobInformer.lister.get(pod.metadata?.namespace, ref.name);
    return job?.metadata?.uid === ref.uid ? job : undefined;
  }

  private podChanged(pod: Pod, how: 'add' | 'update' | 'delete'): void {
    const job = this.ownerOf(pod);
    if (!job) {
      if (how !== 'delete' && controllerRefOf(pod)?.kind === 'Job' && hasTrackingFinalizer(pod)) this.queue.add(orphanPrefix + objectKey(pod));
      return;
    }
    const key = objectKey(job);
    if (how === 'add') this.expectations.creationObserved(key);
    if (how === 'delete' || pod.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    if (key.startsWith(orphanPrefix)) return this.releaseOrphan(key.slice(orphanPrefix.length), signal);
    const { namespace, name } = splitKey(key);
    const job = this.jobInformer.lister.get(namespace, name);
    if (!job) return;
    const managedBy = job.spec?.managedBy;
    if (managedBy && managedBy !== 'kubernetes.io/job-controller') return;
    const pods = await this.claimPods(job, signal);
    if (isJobFinished(job) || job.metadata?.deletionTimestamp) {
      await this.releaseFinalizers(pods.filter(hasTrackingFinalizer), signal);
      return;
    }
    // Until the informer has shown the pods of our last action, counting them again could double them.
    const needsSync = this.expectations.satisfied(key);
    const ledger = ledgerOf(job);
    let current = job;
    const flushed = flushCounted(ledger, pods);
    const { release, recorded } = recordFinished(job, ledger, pods, false);
    if (recorded) current = await this.writeStatus(current, { ...current.status, ...ledgerStatus(job, ledger) }, signal);
    const released = await this.releaseFinalizers(release, signal);
    if (released.length || flushed) flushCounted(ledger, pods.map((p) => (released.includes(p) ? withoutFinalizer(p) : p)));
    const plan = planJob(current, pods, ledger, this.now(), this.ctx.options.jobPodFailureBackoffMs);
    if (needsSync) await this.act(current, plan.create, plan.delete, key, signal);
    await this.writeStatus(current, plan.status, signal);
    for (const e of plan.events) this.recorder.event({ ...current, apiVersion: 'batch/v1', kind: 'Job' }, e.type, e.reason, e.message);
    return plan.requeueAfter !== undefined ? { requeueAfter: plan.requeueAfter } : undefined;
  }

  /** Pods of the job: those it controls plus matching orphans it adopts; terminated pods included. */
  private claimPods(job: Job, signal: AbortSignal): Promise<Pod[]> {
    const selector = job.spec?.selector;
    if (!selector) return Promise.resolve([]);
    const owner = { ...job, metadata: job.metadata ?? {} };
    return claimObjects<Pod>({
      client: this.ctx.client,
      owner,
      ownerRef: ownerReferenceTo(owner, 'batch/v1', 'Job'),
      ownerResource: jobsRef,
      resource: podsRef,
      match: labelSelectorMatcher(selector),
      candidates: this.podInformer.lister.list(job.metadata?.namespace),
      signal,
    });
  }

  private async act(job: Job, create: number[] | number, del: Pod[], key: string, signal: AbortSignal): Promise<void> {
    const indexes = Array.isArray(create) ? create : Array.from({ length: create }, () => undefined);
    if (indexes.length) {
      this.expectations.expectCreations(key, indexes.length);
      const queue = [...indexes];
      const { successes, error } = await slowStartBatch(indexes.length, slowStartInitialBatch, () => this.createPod(job, queue.shift(), signal));
      for (let i = successes; i < indexes.length; i++) this.expectations.creationObserved(key);
      if (error) throw error;
    }
    if (del.length) {
      this.expectations.expectDeletions(key, del.map(objectKey));
      await Promise.all(del.map(async (pod) => {
        try {
          await this.ctx.client.delete(podsRef, pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace, signal });
          this.recorder.event({ ...job, apiVersion: 'batch/v1', kind: 'Job' }, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, objectKey(pod));
          if (!isNotFound(err)) throw err;
        }
      }));
    }
  }

  private async createPod(job: Job, index: number | undefined, signal: AbortSignal): Promise<void> {
    const ref = { ...job, apiVersion: 'batch/v1', kind: 'Job' };
    await createControlledPod(this.ctx.client, this.recorder, ref, buildJobPod(job, index), signal);
  }

  /** Removes the tracking finalizer; returns the pods it is gone from (404 included). */
  private async releaseFinalizers(pods: Pod[], signal: AbortSignal): Promise<Pod[]> {
    const done: Pod[] = [];
    await Promise.all(pods.map(async (pod) => {
      const finalizers = (pod.metadata?.finalizers ?? []).filter((f) => f !== jobTrackingFinalizer);
      // a JSON patch with a test op: never drop a finalizer someone added meanwhile
      const patch = [
        { op: 'test', path: '/metadata/uid', value: pod.metadata?.uid },
        { op: 'replace', path: '/metadata/finalizers', value: finalizers },
      ];
      try {
        await this.ctx.client.patch(podsRef, pod.metadata?.name ?? '', patch, 'json', { namespace: pod.metadata?.namespace, signal });
        done.push(pod);
      } catch (err) {
        if (isNotFound(err)) done.push(pod);
        else throw err;
      }
    }));
    return done;
  }

  private async releaseOrphan(podKey: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(podKey);
    const pod = this.podInformer.lister.get(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod) || this.ownerOf(pod)) return;
    await this.releaseFinalizers([pod], signal);
  }

  private async writeStatus(job: Job, status: Job['status'], signal: AbortSignal): Promise<Job> {
    if (semanticEqual(job.status ?? {}, status ?? {})) return job;
    return this.ctx.client.updateStatus<Job>(jobsRef, { ...job, status }, { namespace: job.metadata?.namespace, signal });
  }
}

function withoutFinalizer(pod: Pod): Pod {
  return { ...pod, metadata: { ...pod.metadata, finalizers: (pod.metadata?.finalizers ?? []).filter((f) => f !== jobTrackingFinalizer) } };
}

export async function startJobController(ctx: ControllerContext): Promise<void> {
  await new JobController(ctx).run();
}
