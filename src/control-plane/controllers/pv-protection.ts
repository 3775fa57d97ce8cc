// PV protection controller (upstream pkg/controller/volume/pvprotection): a PersistentVolume carries the
// kubernetes.io/pv-protection finalizer (admission adds it at create; this controller adds it to volumes that lack
// it) and a deleted volume keeps it — Terminating — for as long as it is Bound to a claim; once the binder has
// marked it otherwise (Released, Available, Failed) the finalizer goes and the deletion completes.
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import type { Action } from '../../client/controller.ts';
import type { Informer } from '../../client/informer.ts';
import { pvProtectionFinalizer } from '../../api/defaults/storage-protection.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { setFinalizers } from './finalizers.ts';
import { persistentVolumesRef } from './refs.ts';

export const pvProtectionComponent = 'pv-protection-controller';

export class PvProtectionController extends Controller {
  private readonly volumes: Informer<PersistentVolume>;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: pvProtectionComponent });
    this.volumes = this.informer<PersistentVolume>(persistentVolumesRef);
    const key = (v: PersistentVolume): void => this.queue.add(v.metadata?.name ?? '');
    this.volumes.addEventHandler({ onAdd: key, onUpdate: (_o, v) => key(v) });
  }

  async reconcile(name: string, signal: AbortSignal): Promise<Action> {
    const pv = this.volumes.lister.get(undefined, name);
    if (!pv) return;
    const finalizers = pv.metadata?.finalizers ?? [];
    const has = finalizers.includes(pvProtectionFinalizer);
    if (!pv.metadata?.deletionTimestamp) {
      if (!has) await setFinalizers(this.ctx.client, persistentVolumesRef, { apiVersion: 'v1', kind: 'PersistentVolume' }, pv, [...finalizers, pvProtectionFinalizer], signal);
      return;
    }
    // upstream isBeingUsed: a Bound volume is in use; the status watch brings the key back when that changes
    if (!has || pv.status?.phase === 'Bound') return;
    await setFinalizers(this.ctx.client, persistentVolumesRef, { apiVersion: 'v1', kind: 'PersistentVolume' }, pv, finalizers.filter((f) => f !== pvProtectionFinalizer), signal);
  }
}

export async function startPvProtectionController(ctx: ControllerContext): Promise<void> {
  await new PvProtectionController(ctx).run();
}
