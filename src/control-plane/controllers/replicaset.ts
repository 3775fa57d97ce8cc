// ReplicaSet controller (upstream pkg/controller/replicaset): keeps spec.replicas active pods matching the
// selector. Level-triggered on "ns/name" keys; each sync re-reads the caches, claims pods (adopt matching orphans,
// release pods that stopped matching), and only when the expectations of its previous sync have been observed in
// the cache creates (slow-start batches 1, 2, 4, …) or deletes (least valuable first) the difference. Then it
// writes status (replicas, fullyLabeled, ready, available after minReadySeconds, observedGeneration).
// Parametrized by kind (replicaset-kind.ts): the same controller keeps ReplicationControllers, as upstream's
// replication manager is the ReplicaSet controller over RCs converted to ReplicaSets.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { byOwner, objectKey, splitKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import { isNotFound } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import type { ApiObject } from '../../client/types.ts';
import { labelSelectorMatcher } from '../../client/selector.ts';
import { Controller, errMessage } from './base.ts';
import { createControlledPod } from './pod-control.ts';
import type { ControllerContext } from './context.ts';
import { claimObjects, controllerRefOf, ownerReferenceTo } from './controller-ref.ts';
import { podsRef, replicaSetsRef } from './refs.ts';
import { Expectations } from './replicaset-expectations.ts';
import { isPodActive, isPodReady, rankPodsForDeletion } from './replicaset-pods.ts';
import { type ReplicaSetKind, replicaSetKind, replicationControllerKind } from './replicaset-kind.ts';
import { calculateReplicaSetStatus, slowStartBatch, slowStartInitialBatch, updateReplicaSetStatus } from './replicaset-status.ts';

// the workload e2e tests import these from here
export { podsRef, replicaSetsRef };

export const replicaSetComponent = replicaSetKind.component;

export class ReplicaSetController extends Controller {
  /** The informer of the controlled kind (ReplicaSets, or ReplicationControllers seen through kind.toReplicaSet). */
  readonly rsInformer: Informer<ApiObject>;
  readonly podInformer: Informer<Pod>;
  readonly expectations: Expectations;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext, private readonly kind: ReplicaSetKind = replicaSetKind) {
    super(ctx, { name: kind.component, workers: kind.workers(ctx.options) });
    this.recorder = ctx.recorder(kind.component);
    this.expectations = new Expectations(this.clock);
    this.rsInformer = this.informer<ApiObject>(kind.ref);
    this.podInformer = this.informer<Pod>(podsRef);
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.queue.add(objectKey(rs)),
      onUpdate: (_old, rs) => this.queue.add(objectKey(rs)),
      onDelete: (rs) => {
        this.expectations.delete(objectKey(rs));
        this.queue.add(objectKey(rs));
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.podAdded(pod),
      onUpdate: (old, pod) => this.podUpdated(old, pod),
      onDelete: (pod) => this.podDeleted(pod),
    });
  }

  private getSet(namespace: string | undefined, name: string): ReplicaSet | undefined {
    const obj = this.rsInformer.lister.get(namespace, name);
    return obj && this.kind.toReplicaSet(obj);
  }

  private listSets(namespace: string | undefined): ReplicaSet[] {
    return this.rsInformer.lister.list(namespace).map((o) => this.kind.toReplicaSet(o));
  }

  /** The object as its own kind, for Events and ownerReferences. */
  private asOwner(rs: ReplicaSet): ApiObject & { metadata: NonNullable<ReplicaSet['metadata']> } {
    return { ...rs, apiVersion: this.kind.apiVersion, kind: this.kind.kind, metadata: rs.metadata ?? {} };
  }

  /** The set a pod's controllerRef names, if it still exists with that uid. */
  private ownerOf(pod: Pod): ReplicaSet | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const rs = this.getSet(pod.metadata?.namespace, ref.name);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod (the candidates to adopt it). */
  private matchingReplicaSets(pod: Pod): ReplicaSet[] {
    return this.listSets(pod.metadata?.namespace).filter((rs) => {
      const sel = rs.spec?.selector;
      if (!sel || (!sel.matchLabels && !sel.matchExpressions?.length)) return false;
      return labelSelectorMatcher(sel)(pod.metadata?.labels);
    });
  }

  private podAdded(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      this.podDeleted(pod); // a restarted controller can see a pod already being deleted as an add
      return;
    }
    if (controllerRefOf(pod)) {
      const rs = this.ownerOf(pod);
      if (!rs) return;
      const key = objectKey(rs);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const rs of this.matchingReplicaSets(pod)) this.queue.add(objectKey(rs));
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {});
    if (pod.metadata?.deletionTimestamp) {
      // graceful deletion: the pod stops counting now, so observe the delete instead of waiting for removal
      this.podDeleted(pod);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(pod);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const prev = this.ownerOf(old);
      if (prev) this.queue.add(objectKey(prev));
    }
    if (ref) {
      const rs = this.ownerOf(pod);
      if (!rs) return;
      const key = objectKey(rs);
      this.queue.add(key);
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(key, minReady * 1000);
      return;
    }
    if (labelsChanged || oldRef) for (const rs of this.matchingReplicaSets(pod)) this.queue.add(objectKey(rs));
  }

  private podDeleted(pod: Pod): void {
    const rs = this.ownerOf(pod);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    const rs = this.getSet(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const selector = rs.spec?.selector;
    if (!selector || (!selector.matchLabels && !selector.matchExpressions?.length)) return; // validation forbids it
    const active = this.podInformer.lister.list(namespace).filter(isPodActive);
    const pods = await claimObjects<Pod>({
      client: this.ctx.client,
      owner: this.asOwner(rs),
      ownerRef: ownerReferenceTo(this.asOwner(rs), this.kind.apiVersion, this.kind.kind),
      ownerResource: this.kind.ref,
      resource: podsRef,
      match: labelSelectorMatcher(selector),
      candidates: active,
      signal,
    });
    let failure: { reason: string; error: unknown } | undefined;
    if (needsSync && !rs.metadata?.deletionTimestamp) failure = await this.manageReplicas(pods, rs, key, signal);
    const status = calculateReplicaSetStatus(rs, pods, this.clock.now(), failure);
    const updated = await updateReplicaSetStatus(this.ctx.client, rs, status, signal, this.kind);
    if (failure) throw failure.error;
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const st = updated.status;
    if (minReady > 0 && st && (st.readyReplicas ?? 0) === (rs.spec?.replicas ?? 1) && (st.availableReplicas ?? 0) !== (rs.spec?.replicas ?? 1)) {
      return { requeueAfter: minReady * 1000 };
    }
  }

  private async manageReplicas(pods: Pod[], rs: ReplicaSet, key: string, signal: AbortSignal): Promise<{ reason: string; error: unknown } | undefined> {
    const want = rs.spec?.replicas ?? 1;
    const diff = pods.length - want;
    const burst = this.ctx.options.burstReplicas;
    if (diff < 0) {
      const n = Math.min(-diff, burst);
      // expectations first: the informer may report our pods before the create calls return
      this.expectations.expectCreations(key, n);
      const { successes, error } = await slowStartBatch(n, slowStartInitialBatch, () => this.createPod(rs, signal));
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      return error === undefined ? undefined : { reason: 'FailedCreate', error };
    }
    if (diff > 0) {
      const n = Math.min(diff, burst);
      const victims = this.podsToDelete(rs, pods, n);
      this.expectations.expectDeletions(key, victims.map(objectKey));
      const errors: unknown[] = [];
      await Promise.all(victims.map(async (pod) => {
        try {
          await this.ctx.client.delete(podsRef, pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace, signal });
          this.recorder.event(this.asOwner(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, objectKey(pod)); // the delete will never be seen
          if (isNotFound(err)) return;
          this.recorder.event(this.asOwner(rs), 'Warning', 'FailedDelete', `Error deleting: ${errMessage(err)}`);
          errors.push(err);
        }
      }));
      return errors.length ? { reason: 'FailedDelete', error: errors[0] } : undefined;
    }
    return undefined;
  }

  private async createPod(rs: ReplicaSet, signal: AbortSignal): Promise<void> {
    const m = rs.metadata ?? {};
    const tmpl = rs.spec?.template ?? {};
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${m.name}-`,
        namespace: m.namespace,
        labels: { ...(tmpl.metadata?.labels ?? {}) },
        annotations: { ...(tmpl.metadata?.annotations ?? {}) },
        ownerReferences: [ownerReferenceTo(this.asOwner(rs), this.kind.apiVersion, this.kind.kind)],
      },
      spec: structuredClone(tmpl.spec ?? { containers: [] }),
    };
    if (tmpl.metadata?.finalizers?.length) pod.metadata!.finalizers = [...tmpl.metadata.finalizers];
    await createControlledPod(this.ctx.client, this.recorder, this.asOwner(rs), pod, signal);
  }


  /** The n least valuable pods; ties are broken by how crowded a pod's node is with its owner family's pods. */
  private podsToDelete(rs: ReplicaSet, pods: Pod[], n: number): Pod[] {
    if (n >= pods.length) return pods;
    const perNode = new Map<string, number>();
    for (const pod of this.relatedPods(rs)) {
      if (!isPodActive(pod)) continue;
      const node = pod.spec?.nodeName ?? '';
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
    }
    return rankPodsForDeletion(pods, (p) => perNode.get(p.spec?.nodeName ?? '') ?? 0, this.clock.now()).slice(0, n);
  }

  /** Pods of this ReplicaSet and of its siblings under the same controller (a Deployment's other ReplicaSets). */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerRefOf(rs);
    const family = owner
      ? this.listSets(rs.metadata?.namespace).filter((r) => controllerRefOf(r)?.uid === owner.uid)
      : [rs];
    return family.flatMap((r) => this.podInformer.lister.byIndex(byOwner, r.metadata?.uid ?? ''));
  }
}

export async function startReplicaSetController(ctx: ControllerContext): Promise<void> {
  await new ReplicaSetController(ctx).run();
}

/** Upstream's replication manager: the same controller over ReplicationControllers. */
export async function startReplicationControllerController(ctx: ControllerContext): Promise<void> {
  await new ReplicaSetController(ctx, replicationControllerKind).run();
}
