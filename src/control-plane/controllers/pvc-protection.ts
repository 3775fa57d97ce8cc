// PVC protection controller (upstream pkg/controller/volume/pvcprotection): a PersistentVolumeClaim carries the
// kubernetes.io/pvc-protection finalizer (admission adds it at create; this controller adds it to claims that lack
// it) and a deleted claim keeps it — Terminating — while a pod that is scheduled and not shut down (terminal, or
// deleted with grace 0) names it. The cache saying "unused" is confirmed by a live list of the namespace's pods
// before the finalizer goes, as upstream does: a pod the informer has not seen yet must not lose its volume.
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { objectKey, splitKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import type { Informer } from '../../client/informer.ts';
import { pvcProtectionFinalizer } from '../../api/defaults/storage-protection.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { setFinalizers } from './finalizers.ts';
import { persistentVolumeClaimsRef, podsRef } from './refs.ts';

export const pvcProtectionComponent = 'pvc-protection-controller';

/** Upstream podIsShutDown: the kubelet is done with the pod (terminal), or it was deleted with no grace left. */
export function podIsShutDown(pod: Pod): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  return Boolean(pod.metadata?.deletionTimestamp) && pod.metadata?.deletionGracePeriodSeconds === 0;
}

/** A scheduled pod that is not shut down and mounts the claim (only scheduled pods: the kubelet refuses to start
 *  a new pod on a terminating claim). */
export function podUsesClaim(pod: Pod, claim: string): boolean {
  if (!pod.spec?.nodeName || podIsShutDown(pod)) return false;
  return (pod.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim);
}

export class PvcProtectionController extends Controller {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly pods: Informer<Pod>;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: pvcProtectionComponent });
    this.claims = this.informer<PersistentVolumeClaim>(persistentVolumeClaimsRef);
    this.pods = this.informer<Pod>(podsRef);
    this.claims.addEventHandler({ onAdd: (c) => this.queue.add(objectKey(c)), onUpdate: (_o, c) => this.queue.add(objectKey(c)) });
    // a pod that stops, goes or is scheduled may change whether its claims are in use
    const podClaims = (pod: Pod): void => {
      for (const v of pod.spec?.volumes ?? []) {
        if (v.persistentVolumeClaim) this.queue.add(`${pod.metadata?.namespace}/${v.persistentVolumeClaim.claimName}`);
      }
    };
    this.pods.addEventHandler({ onAdd: podClaims, onUpdate: (_o, p) => podClaims(p), onDelete: podClaims });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    const claim = this.claims.lister.get(namespace, name);
    if (!claim) return;
    const finalizers = claim.metadata?.finalizers ?? [];
    const has = finalizers.includes(pvcProtectionFinalizer);
    if (!claim.metadata?.deletionTimestamp) {
      if (!has) await setFinalizers(this.ctx.client, persistentVolumeClaimsRef, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, claim, [...finalizers, pvcProtectionFinalizer], signal);
      return;
    }
    if (!has || (await this.inUse(namespace, name, signal))) return;
    await setFinalizers(this.ctx.client, persistentVolumeClaimsRef, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, claim, finalizers.filter((f) => f !== pvcProtectionFinalizer), signal);
  }

  private async inUse(namespace: string, name: string, signal: AbortSignal): Promise<boolean> {
    if (this.pods.lister.list(namespace).some((p) => podUsesClaim(p, name))) return true;
    const live = await this.ctx.client.list<Pod>(podsRef, { namespace, signal });
    return live.items.some((p) => podUsesClaim(p, name));
  }
}

export async function startPvcProtectionController(ctx: ControllerContext): Promise<void> {
  await new PvcProtectionController(ctx).run();
}
