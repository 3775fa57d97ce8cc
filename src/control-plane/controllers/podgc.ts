// Pod garbage collector (upstream pod-garbage-collector, pkg/controller/podgc). One key, "sweep", reconciled every
// gcCheckPeriod (20 s): from the caches it force-deletes (grace 0) terminated pods over
// --terminated-pod-gc-threshold (12500), terminating pods on out-of-service nodes, terminating pods never
// scheduled, and orphans: pods bound to a node that has been missing from the cache for the quarantine (40 s) and
// that a live GET confirms gone. A pod not yet terminal is first patched to phase Failed (orphans also get the
// DisruptionTarget condition, reason DeletionByPodGC), so nothing stays Running with no kubelet to say otherwise.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { objectKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import { isConflict, isNotFound } from '../../client/errors.ts';
import { formatTime } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller, errMessage } from './base.ts';
import type { ControllerContext } from './context.ts';
import { podGcDeletes, podGcDeleteErrors } from './metrics.ts';
import { type PodGcReason, failedStatus, planPodGc } from './podgc-plan.ts';
import { nodesRef, podsRef } from './refs.ts';

const sweepKey = 'sweep';
/** Deletions in flight at once; upstream starts them all, but thousands of concurrent calls only queue up here. */
const parallelDeletes = 50;

export const orphanCondition: Omit<PodCondition, 'lastTransitionTime'> = {
  type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists',
};

export class PodGcController extends Controller {
  readonly pods: Informer<Pod>;
  readonly nodes: Informer<Node>;
  /** node name -> when the sweep first found pods bound to it while the node cache lacked it */
  private readonly missingSince = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'pod-garbage-collector' });
    this.pods = this.informer<Pod>(podsRef);
    this.nodes = this.informer<Node>(nodesRef);
    this.queue.add(sweepKey);
  }

  /** One gc pass over the caches; always comes back after the check period. */
  async reconcile(_key: string, signal: AbortSignal): Promise<Action> {
    const o = this.ctx.options;
    const plan = planPodGc(this.pods.lister.list(), this.nodes.lister.list(), o.terminatedPodGcThreshold);
    await this.forceDelete(plan.terminated, 'terminated', signal);
    await this.forceDelete(plan.terminatingOutOfService, 'terminating_out_of_service', signal);
    const gone = await this.deletedNodes(plan.missingNodes, signal);
    const orphans = this.pods.lister.list().filter((p) => gone.has(p.spec?.nodeName ?? ''));
    await this.forceDelete(orphans, 'orphaned', signal, orphanCondition);
    await this.forceDelete(plan.unscheduledTerminating, 'terminating_unscheduled', signal);
    return { requeueAfter: o.podGcPeriodMs };
  }

  /** Missing nodes whose quarantine has passed and which the API confirms are gone. */
  private async deletedNodes(missing: string[], signal: AbortSignal): Promise<Set<string>> {
    const now = this.clock.now();
    const still = new Set(missing);
    for (const name of this.missingSince.keys()) if (!still.has(name)) this.missingSince.delete(name);
    const gone = new Set<string>();
    for (const name of missing) {
      const since = this.missingSince.get(name);
      if (since === undefined) this.missingSince.set(name, now);
      if (since === undefined || now - since < this.ctx.options.podGcQuarantineMs) continue;
      try {
        await this.ctx.client.get<Node>(nodesRef, name, { signal });
        this.missingSince.delete(name); // it exists: the cache was only behind
      } catch (err) {
        if (isNotFound(err)) gone.add(name);
        else if (!signal.aborted) console.error(`pod-garbage-collector: getting node ${name}:`, errMessage(err));
      }
    }
    return gone;
  }

  private async forceDelete(pods: Pod[], reason: PodGcReason, signal: AbortSignal, condition?: Omit<PodCondition, 'lastTransitionTime'>): Promise<void> {
    for (let i = 0; i < pods.length && !signal.aborted; i += parallelDeletes) {
      await Promise.all(pods.slice(i, i + parallelDeletes).map(async (pod) => {
        const namespace = pod.metadata?.namespace ?? '';
        podGcDeletes.labels({ namespace, reason }).inc();
        try {
          await this.markFailedAndDelete(pod, signal, condition);
        } catch (err) {
          if (isNotFound(err) || isConflict(err) || signal.aborted) return; // gone, or changed: the next sweep sees it
          podGcDeleteErrors.labels({ namespace, reason }).inc();
          console.error(`pod-garbage-collector: force deleting pod ${objectKey(pod)}:`, errMessage(err));
        }
      }));
    }
  }

  private async markFailedAndDelete(pod: Pod, signal: AbortSignal, condition?: Omit<PodCondition, 'lastTransitionTime'>): Promise<void> {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace;
    const status = failedStatus(pod, formatTime(this.clock.now()), condition);
    if (status) {
      // guarded by the cached resourceVersion: a pod that changed meanwhile is judged again next sweep
      const patch = { metadata: { resourceVersion: pod.metadata?.resourceVersion }, status };
      await this.ctx.client.patch(podsRef, name, patch, 'merge', { namespace, subresource: 'status', signal });
    }
    await this.ctx.client.delete(podsRef, name, { namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid }, signal });
  }
}

export async function startPodGcController(ctx: ControllerContext): Promise<void> {
  await new PodGcController(ctx).run();
}
