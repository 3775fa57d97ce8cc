// StatefulSet controller (upstream pkg/controller/statefulset): keys "ns/name" of StatefulSets, queued on set
// changes and on changes of the pods they control (an orphan pod queues the sets whose selector matches it).
// reconcile claims the set's pods (adopt/release by selector), syncs its ControllerRevisions, runs one pass
// of the ordered algorithm (statefulset-sync.ts), trims revision history, and writes status. A pod becoming
// available after minReadySeconds requeues the set then.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { objectKey, splitKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import { isConflict } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { labelSelectorMatcher } from '../../client/selector.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { claimObjects, controllerRefOf, ownerReferenceTo } from './controller-ref.ts';
import { controllerRevisionsRef, persistentVolumeClaimsRef, podsRef, statefulSetsRef } from './refs.ts';
import { isPodReady } from './replicaset-pods.ts';
import { syncRevisions, truncateHistory } from './statefulset-revisions.ts';
import { StatefulSetSync } from './statefulset-sync.ts';
import { computeStatus, ordinalOf } from './statefulset-util.ts';

export const statefulSetComponent = 'statefulset-controller';

export class StatefulSetController extends Controller {
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: statefulSetComponent, workers: 5 });
    this.recorder = ctx.recorder(statefulSetComponent);
    this.sets = this.informer<StatefulSet>(statefulSetsRef);
    this.pods = this.informer<Pod>(podsRef);
    this.revisions = this.informer<ControllerRevision>(controllerRevisionsRef);
    this.claims = this.informer<PersistentVolumeClaim>(persistentVolumeClaimsRef);
    this.sets.addEventHandler({
      onAdd: (s) => this.queue.add(objectKey(s)),
      onUpdate: (_o, s) => this.queue.add(objectKey(s)),
      onDelete: (s) => this.queue.add(objectKey(s)),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (old, p) => {
        if (old.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
        const oldRef = controllerRefOf(old);
        if (oldRef && oldRef.uid !== controllerRefOf(p)?.uid) this.podChanged(old);
        this.podChanged(p);
        const set = this.ownerOf(p);
        const minReady = set?.spec?.minReadySeconds ?? 0;
        if (set && minReady > 0 && !isPodReady(old) && isPodReady(p)) this.queue.addAfter(objectKey(set), minReady * 1000);
      },
      onDelete: (p) => this.podChanged(p),
    });
  }

  private ownerOf(pod: Pod): StatefulSet | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'StatefulSet') return undefined;
    const set = this.sets.lister.get(pod.metadata?.namespace, ref.name);
    return set?.metadata?.uid === ref.uid ? set : undefined;
  }

  private podChanged(pod: Pod): void {
    if (controllerRefOf(pod)) {
      const set = this.ownerOf(pod);
      if (set) this.queue.add(objectKey(set));
      return;
    }
    for (const set of this.sets.lister.list(pod.metadata?.namespace)) {
      const sel = set.spec?.selector;
      if (sel && (sel.matchLabels || sel.matchExpressions?.length) && labelSelectorMatcher(sel)(pod.metadata?.labels)) this.queue.add(objectKey(set));
    }
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    const set = this.sets.lister.get(namespace, name);
    if (!set?.spec?.selector) return;
    const owner = { ...set, metadata: set.metadata ?? {} };
    const matcher = labelSelectorMatcher(set.spec.selector);
    const pods = await claimObjects<Pod>({
      client: this.ctx.client, owner, ownerRef: ownerReferenceTo(owner, 'apps/v1', 'StatefulSet'), ownerResource: statefulSetsRef,
      resource: podsRef, match: (labels) => matcher(labels), candidates: this.pods.lister.list(namespace), signal,
    });
    // a pod whose name carries no ordinal of this set is not one of its members (upstream isMemberOf)
    const members = pods.filter((p) => ordinalOf(set, p) >= 0);
    const owned = this.revisions.lister.list(namespace).filter((r) => controllerRefOf(r)?.uid === set.metadata?.uid);
    const revs = await syncRevisions(this.ctx.client, set, owned, signal);
    let failure: unknown;
    if (!set.metadata?.deletionTimestamp) {
      try {
        await new StatefulSetSync({ client: this.ctx.client, recorder: this.recorder, claims: this.claims.lister, signal }).sync(set, members, revs);
      } catch (err) {
        failure = err;
      }
    }
    const status = computeStatus(set, members, revs.current.metadata?.name ?? '', revs.update.metadata?.name ?? '', revs.collisionCount, this.now());
    await this.writeStatus(set, status, signal);
    await truncateHistory(this.ctx.client, set, owned, members, revs, signal);
    if (failure) throw failure;
  }

  private async writeStatus(set: StatefulSet, status: StatefulSetStatus, signal: AbortSignal): Promise<void> {
    const cur: StatefulSetStatus = set.status ?? { replicas: 0 };
    const keys = Object.keys(status) as (keyof StatefulSetStatus)[];
    if (keys.every((k) => cur[k] === status[k])) return;
    try {
      await this.ctx.client.updateStatus<StatefulSet>(statefulSetsRef, { ...set, apiVersion: 'apps/v1', kind: 'StatefulSet', status: { ...cur, ...status } }, { signal });
    } catch (err) {
      // the cache was behind a write (a scale, a spec change): that change queues the set again
      if (!isConflict(err)) throw err;
    }
  }
}

export async function startStatefulSetController(ctx: ControllerContext): Promise<void> {
  await new StatefulSetController(ctx).run();
}
