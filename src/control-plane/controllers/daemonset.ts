// DaemonSet controller (upstream pkg/controller/daemon): one pod per eligible node. Level-triggered on
// "ns/name" keys; each sync re-reads the caches, claims the DaemonSet's pods, makes sure its current
// ControllerRevision exists, then — once the expectations of its previous writes have been observed — places
// pods (daemonset-plan.ts planPlacement), and with the RollingUpdate strategy replaces old pods within
// maxUnavailable/maxSurge; OnDelete replaces only pods someone deleted. A failed daemon pod is deleted (event
// FailedDaemonPod) and so replaced, with a per-node exponential backoff (1 s doubling to 15 min, as upstream) so a
// node whose kubelet keeps failing the pod is not hot-looped. Pods reach their node through the scheduler (a
// required matchFields term names the node). Status counters and observedGeneration follow.
import type { ControllerRevision, DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { objectKey, splitKey } from '../../client/cache.ts';
import { Backoff } from '../../client/backoff.ts';
import type { Action } from '../../client/controller.ts';
import { isConflict, isNotFound } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { labelSelectorMatcher } from '../../client/selector.ts';
import { semanticEqual } from '../../api/equality.ts';
import { Controller, errMessage } from './base.ts';
import { createControlledPod } from './pod-control.ts';
import type { ControllerContext } from './context.ts';
import { claimObjects, controllerRefOf, ownerReferenceTo } from './controller-ref.ts';
import { HashCollision, type History, cleanupHistory, constructHistory } from './daemonset-history.ts';
import { nodeShouldRunDaemonPod, podTemplateForNode, targetNodeOf } from './daemonset-placement.ts';
import { type NodeState, type Plan, daemonSetCounters, planPlacement, planRollingUpdate, rollingBudget } from './daemonset-plan.ts';
import { controllerRevisionsRef, daemonSetsRef, nodesRef, podsRef } from './refs.ts';
import { Expectations } from './replicaset-expectations.ts';
import { isPodReady } from './replicaset-pods.ts';
import { slowStartBatch, slowStartInitialBatch } from './replicaset-status.ts';

export const daemonSetComponent = 'daemonset-controller';
/** Upstream's failedPodsBackoff: flowcontrol.NewBackOff(1s, 15min). */
const failedPodBackoffMs = 1_000;
const failedPodBackoffMaxMs = 15 * 60_000;

export class DaemonSetController extends Controller {
  readonly dsInformer: Informer<DaemonSet>;
  readonly podInformer: Informer<Pod>;
  readonly nodeInformer: Informer<Node>;
  readonly historyInformer: Informer<ControllerRevision>;
  readonly expectations: Expectations;
  private readonly recorder: EventRecorder;
  /** Per "<DaemonSet uid>/<node>": when the next failed pod there may be deleted. */
  private readonly failedPodsBackoff: Backoff;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: daemonSetComponent, workers: ctx.options.concurrentDaemonSetSyncs });
    this.recorder = ctx.recorder(daemonSetComponent);
    this.expectations = new Expectations(this.clock);
    this.failedPodsBackoff = new Backoff(failedPodBackoffMs, failedPodBackoffMaxMs, this.clock);
    this.dsInformer = this.informer<DaemonSet>(daemonSetsRef);
    this.podInformer = this.informer<Pod>(podsRef);
    this.nodeInformer = this.informer<Node>(nodesRef);
    this.historyInformer = this.informer<ControllerRevision>(controllerRevisionsRef);
    this.dsInformer.addEventHandler({
      onAdd: (ds) => this.queue.add(objectKey(ds)),
      onUpdate: (_old, ds) => this.queue.add(objectKey(ds)),
      onDelete: (ds) => {
        this.expectations.delete(objectKey(ds));
        this.failedPodsBackoff.resetPrefix(`${ds.metadata?.uid}/`);
        this.queue.add(objectKey(ds));
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.podChanged(pod, 'add'),
      onUpdate: (old, pod) => this.podUpdated(old, pod),
      onDelete: (pod) => this.podChanged(pod, 'delete'),
    });
    // a node joining, leaving, or changing what decides placement (labels, taints, unschedulable) concerns every DaemonSet
    this.nodeInformer.addEventHandler({
      onAdd: () => this.enqueueAll(),
      onUpdate: (old, node) => {
        const relevant = (n: Node): unknown => [n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable];
        if (!semanticEqual(relevant(old), relevant(node))) this.enqueueAll();
      },
      onDelete: () => this.enqueueAll(),
    });
    const ownerOfRevision = (cr: ControllerRevision): void => {
      const ref = controllerRefOf(cr);
      if (ref?.kind === 'DaemonSet') this.queue.add(`${cr.metadata?.namespace}/${ref.name}`);
      else if (!ref) this.enqueueMatching(cr); // an orphan a DaemonSet may adopt
    };
    this.historyInformer.addEventHandler({ onAdd: ownerOfRevision, onUpdate: (_o, cr) => ownerOfRevision(cr), onDelete: ownerOfRevision });
  }

  private enqueueAll(): void {
    for (const ds of this.dsInformer.lister.list()) this.queue.add(objectKey(ds));
  }

  /** The DaemonSet a pod's controllerRef names, if it still exists with that uid. */
  private ownerOf(pod: Pod): DaemonSet | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = this.dsInformer.lister.get(pod.metadata?.namespace, ref.name);
    return ds?.metadata?.uid === ref.uid ? ds : undefined;
  }

  private podChanged(pod: Pod, how: 'add' | 'delete'): void {
    const ds = this.ownerOf(pod);
    if (!ds) {
      // an orphan that a DaemonSet's selector matches may be adopted
      if (how === 'add' && !controllerRefOf(pod)) this.enqueueMatching(pod);
      return;
    }
    const key = objectKey(ds);
    if (how === 'add' && !pod.metadata?.deletionTimestamp) this.expectations.creationObserved(key);
    else this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    const ds = this.ownerOf(pod);
    if (!ds) return;
    const key = objectKey(ds);
    // graceful deletion: the pod stops counting now
    if (pod.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(key, minReady * 1000);
  }

  private enqueueMatching(obj: Pod | ControllerRevision): void {
    for (const ds of this.dsInformer.lister.list(obj.metadata?.namespace)) {
      if (labelSelectorMatcher(ds.spec?.selector)(obj.metadata?.labels)) this.queue.add(objectKey(ds));
    }
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    const ds = this.dsInformer.lister.get(namespace, name);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    const selector = ds.spec?.selector;
    if (!selector || (!selector.matchLabels && !selector.matchExpressions?.length)) return; // validation forbids it
    const owner = { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata ?? {} };
    const pods = await claimObjects<Pod>({
      client: this.ctx.client, owner, ownerRef: ownerReferenceTo(owner, 'apps/v1', 'DaemonSet'), ownerResource: daemonSetsRef,
      resource: podsRef, match: labelSelectorMatcher(selector), candidates: this.podInformer.lister.list(namespace), signal,
    });
    if (ds.metadata?.deletionTimestamp) return; // being deleted: the garbage collector removes the pods
    // revisions are claimed like pods: a DaemonSet re-created with the same selector adopts its orphaned history
    const owned = await claimObjects<ControllerRevision>({
      client: this.ctx.client, owner, ownerRef: ownerReferenceTo(owner, 'apps/v1', 'DaemonSet'), ownerResource: daemonSetsRef,
      resource: controllerRevisionsRef, match: labelSelectorMatcher(selector), candidates: this.historyInformer.lister.list(namespace), signal,
    });
    let history: History;
    try {
      history = await constructHistory(this.ctx.client, ds, owned, signal);
    } catch (err) {
      if (!(err instanceof HashCollision)) throw err;
      await this.writeStatus(ds, { ...(ds.status ?? {}), collisionCount: err.collisionCount } as DaemonSetStatus, signal);
      return { requeueAfter: 0 };
    }
    const nodes = this.nodeInformer.lister.list();
    const states = this.nodeStates(ds, nodes, pods);
    let retryFailed: number | undefined;
    if (this.expectations.satisfied(key)) {
      retryFailed = await this.manage(ds, key, states, pods, nodes, history.hash, signal);
      if (this.expectations.satisfied(key) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        await this.apply(ds, key, planRollingUpdate(ds, states, history.hash, this.now()), history.hash, signal);
      }
      await cleanupHistory(this.ctx.client, ds, history.old, pods, signal);
    }
    const status: DaemonSetStatus = { ...daemonSetCounters(ds, states, history.hash, this.now()), observedGeneration: ds.metadata?.generation };
    if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
    if (ds.status?.conditions?.length) status.conditions = ds.status.conditions;
    await this.writeStatus(ds, status, signal);
    // minReadySeconds: look again when the ready pods become available
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const availableIn = minReady > 0 && (status.numberAvailable ?? 0) < (status.numberReady ?? 0) ? minReady * 1000 : undefined;
    const after = Math.min(availableIn ?? Infinity, retryFailed ?? Infinity);
    if (after !== Infinity) return { requeueAfter: after };
  }

  /** Each node with where the DaemonSet's pods belong on it and the pods aimed at it. */
  private nodeStates(ds: DaemonSet, nodes: Node[], pods: Pod[]): NodeState[] {
    const byNode = new Map<string, Pod[]>();
    for (const p of pods) {
      const n = targetNodeOf(p);
      if (n) byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    return nodes.map((node) => ({ node, placement: nodeShouldRunDaemonPod(node, ds), pods: byNode.get(node.metadata?.name ?? '') ?? [] }));
  }

  /** Places pods; returns when to look again for a failed pod held back by its node's backoff. */
  private async manage(ds: DaemonSet, key: string, states: NodeState[], pods: Pod[], nodes: Node[], hash: string, signal: AbortSignal): Promise<number | undefined> {
    const surge = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && rollingBudget(ds, states.length).maxSurge > 0;
    const plan = planPlacement(states, hash, surge);
    // pods still waiting for a node that no longer exists (bound ones are the pod GC's)
    const known = new Set(nodes.map((n) => n.metadata?.name));
    plan.delete.push(...pods.filter((p) => {
      const target = targetNodeOf(p);
      return target !== undefined && !p.spec?.nodeName && !p.metadata?.deletionTimestamp && !known.has(target);
    }));
    // a failed pod goes (and is replaced) at most once per backoff period per node
    let retry: number | undefined;
    const held = new Set<Pod>();
    for (const p of plan.failed) {
      const node = targetNodeOf(p) ?? p.spec?.nodeName ?? '';
      const backoffKey = `${ds.metadata?.uid}/${node}`;
      const left = this.failedPodsBackoff.remaining(backoffKey);
      if (left > 0) {
        held.add(p);
        retry = Math.min(retry ?? left, left);
        continue;
      }
      this.failedPodsBackoff.next(backoffKey);
      this.recorder.event(this.asObject(ds), 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata?.namespace}/${p.metadata?.name} on node ${node}, will try to kill it`);
    }
    plan.delete = plan.delete.filter((p) => !held.has(p));
    await this.apply(ds, key, plan, hash, signal);
    return retry;
  }

  private asObject(ds: DaemonSet): DaemonSet {
    return { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' };
  }

  /**
   * Carries out a plan: creations and deletions, each recorded in the expectations before it is sent. Creations
   * go in slow-start batches (1, 2, 4, …) of at most burstReplicas per pass, as upstream's syncNodes.
   */
  private async apply(ds: DaemonSet, key: string, plan: Plan, hash: string, signal: AbortSignal): Promise<void> {
    if (!plan.create.length && !plan.delete.length) return;
    const dels = [...new Set(plan.delete)];
    const pending = plan.create.slice(0, this.ctx.options.burstReplicas);
    const total = pending.length;
    this.expectations.expect(key, total, dels.map(objectKey));
    const errors: unknown[] = [];
    const creating = slowStartBatch(total, slowStartInitialBatch, () => this.createPod(ds, hash, pending.shift()!, signal))
      .then(({ successes, error }) => {
        for (let i = successes; i < total; i++) this.expectations.creationObserved(key); // never to be seen
        if (error !== undefined) errors.push(error);
      });
    await Promise.all([
      creating,
      ...dels.map((p) => this.deletePod(ds, p, signal).catch((err: unknown) => {
        this.expectations.deletionObserved(key, objectKey(p));
        if (!isNotFound(err)) errors.push(err);
      })),
    ]);
    if (errors.length) throw errors[0];
  }

  private async createPod(ds: DaemonSet, hash: string, node: string, signal: AbortSignal): Promise<void> {
    const m = ds.metadata ?? {};
    const tmpl = podTemplateForNode(ds, hash, node);
    const pod: Pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: `${m.name}-`, namespace: m.namespace, labels: tmpl.metadata?.labels, annotations: { ...(tmpl.metadata?.annotations ?? {}) },
        ownerReferences: [ownerReferenceTo({ ...ds, metadata: m }, 'apps/v1', 'DaemonSet')],
      },
      spec: tmpl.spec,
    };
    if (tmpl.metadata?.finalizers?.length) pod.metadata!.finalizers = [...tmpl.metadata.finalizers];
    await createControlledPod(this.ctx.client, this.recorder, this.asObject(ds), pod, signal);
  }


  private async deletePod(ds: DaemonSet, pod: Pod, signal: AbortSignal): Promise<void> {
    try {
      // the uid precondition keeps a same-named successor safe
      const preconditions = { uid: pod.metadata?.uid };
      await this.ctx.client.delete(podsRef, pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace, preconditions, signal });
      this.recorder.event(this.asObject(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
    } catch (err) {
      if (!isNotFound(err)) this.recorder.event(this.asObject(ds), 'Warning', 'FailedDelete', `Error deleting: ${errMessage(err)}`);
      throw err;
    }
  }

  /** Writes status when it changed; one retry on a conflict, against the fresh object. */
  private async writeStatus(ds: DaemonSet, status: DaemonSetStatus, signal: AbortSignal): Promise<void> {
    if (semanticEqual(ds.status ?? {}, status)) return;
    let target = ds;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ctx.client.updateStatus<DaemonSet>(daemonSetsRef, { ...this.asObject(target), status }, { signal });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        target = await this.ctx.client.get<DaemonSet>(daemonSetsRef, ds.metadata?.name ?? '', { namespace: ds.metadata?.namespace, signal });
        if (target.metadata?.uid !== ds.metadata?.uid) return;
      }
    }
  }
}

export async function startDaemonSetController(ctx: ControllerContext): Promise<void> {
  await new DaemonSetController(ctx).run();
}
