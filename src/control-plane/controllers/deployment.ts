// Deployment controller (upstream pkg/controller/deployment): level-triggered on "ns/name" keys fed by
// Deployments, by the ReplicaSets they own (or could adopt), and by pod deletions (Recreate waits for old pods to
// go). A sync claims ReplicaSets, then: deleting → status only; paused or a pure scaling event → resize and status;
// otherwise roll out with the deployment's strategy. Each step writes through the API and is safe to repeat.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { byOwner, objectKey, splitKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { labelSelectorMatcher } from '../../client/selector.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { claimObjects, controllerRefOf, ownerReferenceTo } from './controller-ref.ts';
import { checkPausedConditions, syncStatus } from './deployment-progress.ts';
import { rolloutRecreate, rolloutRolling } from './deployment-rollout.ts';
import { DeploymentSync } from './deployment-sync.ts';
import * as u from './deployment-util.ts';
import { deploymentsRef, podsRef, replicaSetsRef } from './refs.ts';

// the workload e2e tests import it from here
export { deploymentsRef };
export const deploymentComponent = 'deployment-controller';

const selectsNothing = (d: Deployment): boolean => !d.spec?.selector;
const selectsEverything = (d: Deployment): boolean => {
  const s = d.spec?.selector;
  return !!s && !Object.keys(s.matchLabels ?? {}).length && !(s.matchExpressions ?? []).length;
};

export class DeploymentController extends Controller {
  readonly dInformer: Informer<Deployment>;
  readonly rsInformer: Informer<ReplicaSet>;
  readonly podInformer: Informer<Pod>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: deploymentComponent, workers: ctx.options.concurrentDeploymentSyncs });
    this.recorder = ctx.recorder(deploymentComponent);
    this.dInformer = this.informer<Deployment>(deploymentsRef);
    this.rsInformer = this.informer<ReplicaSet>(replicaSetsRef);
    this.podInformer = this.informer<Pod>(podsRef);
    this.dInformer.addEventHandler({
      onAdd: (d) => this.queue.add(objectKey(d)),
      onUpdate: (_old, d) => this.queue.add(objectKey(d)),
      onDelete: (d) => this.queue.add(objectKey(d)),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueueFor(rs),
      onUpdate: (old, rs) => {
        if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
        if (controllerRefOf(old)?.uid !== controllerRefOf(rs)?.uid) this.enqueueFor(old);
        this.enqueueFor(rs);
      },
      onDelete: (rs) => this.enqueueFor(rs, true),
    });
    this.podInformer.addEventHandler({ onDelete: (pod) => this.podDeleted(pod) });
  }

  private ownerOf(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerRefOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.dInformer.lister.get(rs.metadata?.namespace, ref.name);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  /** The owner's key, or for an orphan every deployment that could adopt it. */
  private enqueueFor(rs: ReplicaSet, deleted = false): void {
    if (controllerRefOf(rs)) {
      const d = this.ownerOf(rs);
      if (d) this.queue.add(objectKey(d));
      return;
    }
    if (deleted) return;
    for (const d of this.dInformer.lister.list(rs.metadata?.namespace)) {
      if (selectsNothing(d) || selectsEverything(d)) continue;
      if (labelSelectorMatcher(d.spec!.selector)(rs.metadata?.labels)) this.queue.add(objectKey(d));
    }
  }

  /** Recreate waits for the old pods to be gone; their deletion is what lets it go on. */
  private podDeleted(pod: Pod): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.lister.get(pod.metadata?.namespace, ref.name);
    const d = rs && rs.metadata?.uid === ref.uid ? this.ownerOf(rs) : undefined;
    if (d && d.spec?.strategy?.type === 'Recreate') this.queue.add(objectKey(d));
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    const cached = this.dInformer.lister.get(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached);
    const s = new DeploymentSync({ client: this.ctx.client, recorder: this.recorder, clock: this.clock, rsLister: this.rsInformer.lister, signal }, d, []);
    if (selectsEverything(d)) {
      this.recorder.event({ ...d, apiVersion: 'apps/v1', kind: 'Deployment' }, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) await s.writeStatus({ ...d.status, observedGeneration: d.metadata?.generation });
      return;
    }
    if (selectsNothing(d)) return;
    s.rsList = await this.claimReplicaSets(d, signal);

    if (d.metadata?.deletionTimestamp) {
      const { newRS, oldRSs } = await s.allReplicaSets(false);
      await syncStatus(s, [...oldRSs, newRS], newRS);
      return;
    }
    await checkPausedConditions(s);
    if (s.d.spec?.paused || (await this.isScalingEvent(s))) {
      const { newRS, oldRSs } = await s.allReplicaSets(false);
      await s.scale(newRS, oldRSs);
      const after = await s.allReplicaSets(false);
      if (s.d.spec?.paused) await s.cleanup(after.oldRSs);
      await syncStatus(s, [...after.oldRSs, after.newRS], after.newRS);
      return;
    }
    const requeue = s.d.spec?.strategy?.type === 'Recreate'
      ? await rolloutRecreate(s, this.podsByReplicaSet(s.rsList))
      : await rolloutRolling(s);
    return requeue === undefined ? undefined : { requeueAfter: requeue };
  }

  /** A scaling event: some active ReplicaSet was sized for a different spec.replicas than the current one. */
  private async isScalingEvent(s: DeploymentSync): Promise<boolean> {
    const { newRS, oldRSs } = await s.allReplicaSets(false);
    for (const rs of u.activeReplicaSets([...oldRSs, newRS])) {
      const v = rs.metadata?.annotations?.[u.desiredReplicasAnnotation];
      if (v === undefined) continue;
      if (Number(v) !== u.specReplicas(s.d)) return true;
    }
    return false;
  }

  private claimReplicaSets(d: Deployment, signal: AbortSignal): Promise<ReplicaSet[]> {
    const owner = { ...d, metadata: d.metadata ?? {} };
    return claimObjects<ReplicaSet>({
      client: this.ctx.client,
      owner,
      ownerRef: ownerReferenceTo(owner, 'apps/v1', 'Deployment'),
      ownerResource: deploymentsRef,
      resource: replicaSetsRef,
      match: labelSelectorMatcher(d.spec!.selector),
      candidates: this.rsInformer.lister.list(d.metadata?.namespace),
      signal,
    });
  }

  private podsByReplicaSet(rsList: ReplicaSet[]): Map<string, Pod[]> {
    const m = new Map<string, Pod[]>();
    for (const rs of rsList) {
      const uid = rs.metadata?.uid ?? '';
      m.set(uid, this.podInformer.lister.byIndex(byOwner, uid).filter((p) => controllerRefOf(p)?.uid === uid));
    }
    return m;
  }
}

export async function startDeploymentController(ctx: ControllerContext): Promise<void> {
  await new DeploymentController(ctx).run();
}
