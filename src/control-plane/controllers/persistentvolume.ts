// PersistentVolume binder (upstream pkg/controller/volume/persistentvolume, "persistentvolume-binder"): keys are
// "claim/<ns>/<name>" and "volume/<name>". A claim without a class gets the default StorageClass (upstream's
// retroactive default assignment). An unbound claim is bound to the best matching volume (persistentvolume-
// match.ts): the volume's claimRef first, then the claim's volumeName, each followed by its status (Bound, and
// the claim's capacity and access modes). With no match and a class whose provisioner is not
// kubernetes.io/no-provisioner, the claim is annotated for that provisioner — for a WaitForFirstConsumer class
// only once a pod using it is scheduled: Skiff's scheduler has no volume-binding plugin, so the binder records
// the pod's node as volume.kubernetes.io/selected-node itself. A volume whose claim is gone is Released (a
// dynamically provisioned Delete volume is then deleted by its provisioner); an unclaimed one is Available.
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Action } from '../../client/controller.ts';
import { isNotFound } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { defaultClassAnnotation } from './local-path-provisioner-class.ts';
import {
  betaStorageProvisionerAnnotation, bindCompletedAnnotation, boundByControllerAnnotation, classOf, findBestMatch, isPreBoundTo,
  selectedNodeAnnotation, storageProvisionerAnnotation,
} from './persistentvolume-match.ts';
import { nodesRef, persistentVolumeClaimsRef, persistentVolumesRef, podsRef, storageClassesRef } from './refs.ts';

export const persistentVolumeBinderComponent = 'persistentvolume-controller';
const noProvisioner = 'kubernetes.io/no-provisioner';

export class PersistentVolumeBinder extends Controller {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: persistentVolumeBinderComponent });
    this.recorder = ctx.recorder(persistentVolumeBinderComponent);
    this.claims = this.informer<PersistentVolumeClaim>(persistentVolumeClaimsRef);
    this.volumes = this.informer<PersistentVolume>(persistentVolumesRef);
    this.classes = this.informer<StorageClass>(storageClassesRef);
    this.pods = this.informer<Pod>(podsRef);
    this.nodes = this.informer<Node>(nodesRef);
    const claimKey = (c: PersistentVolumeClaim): string => `claim/${c.metadata?.namespace}/${c.metadata?.name}`;
    const volumeKey = (v: PersistentVolume): string => `volume/${v.metadata?.name}`;
    this.claims.addEventHandler({
      onAdd: (c) => this.queue.add(claimKey(c)),
      onUpdate: (_o, c) => this.queue.add(claimKey(c)),
      onDelete: (c) => { if (c.spec?.volumeName) this.queue.add(`volume/${c.spec.volumeName}`); },
    });
    const volumeChanged = (v: PersistentVolume): void => {
      this.queue.add(volumeKey(v));
      const ref = v.spec?.claimRef;
      if (ref?.name) this.queue.add(`claim/${ref.namespace}/${ref.name}`);
      else for (const c of this.claims.lister.list()) if (!c.spec?.volumeName) this.queue.add(claimKey(c));
    };
    this.volumes.addEventHandler({ onAdd: volumeChanged, onUpdate: (_o, v) => volumeChanged(v), onDelete: (v) => this.queue.add(volumeKey(v)) });
    this.classes.addEventHandler({ onAdd: () => this.unboundClaims(), onUpdate: () => this.unboundClaims() });
    // a scheduled pod is the first consumer a WaitForFirstConsumer claim waits for
    this.pods.addEventHandler({ onAdd: (p) => this.podClaims(p), onUpdate: (_o, p) => this.podClaims(p) });
  }

  private unboundClaims(): void {
    for (const c of this.claims.lister.list()) if (!c.spec?.volumeName) this.queue.add(`claim/${c.metadata?.namespace}/${c.metadata?.name}`);
  }

  private podClaims(pod: Pod): void {
    if (!pod.spec?.nodeName) return;
    for (const v of pod.spec.volumes ?? []) {
      if (v.persistentVolumeClaim) this.queue.add(`claim/${pod.metadata?.namespace}/${v.persistentVolumeClaim.claimName}`);
    }
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const [kind, ...rest] = key.split('/');
    if (kind === 'volume') return this.syncVolume(rest[0], signal);
    const claim = this.claims.lister.get(rest[0], rest[1]);
    if (claim && !claim.metadata?.deletionTimestamp) await this.syncClaim(claim, signal);
  }

  private defaultClass(): StorageClass | undefined {
    const defaults = this.classes.lister.list().filter((c) => c.metadata?.annotations?.[defaultClassAnnotation] === 'true');
    // upstream picks the newest default when several are marked
    return defaults.sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''))[0];
  }

  private async syncClaim(claim: PersistentVolumeClaim, signal: AbortSignal): Promise<void> {
    const ns = claim.metadata?.namespace;
    if (claim.spec?.volumeName) return this.completeBinding(claim, signal);
    if (claim.spec?.storageClassName === undefined && !claim.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class']) {
      const def = this.defaultClass();
      if (!def) return;
      await this.ctx.client.patch(persistentVolumeClaimsRef, claim.metadata?.name ?? '', { spec: { storageClassName: def.metadata?.name } }, 'merge', { namespace: ns, signal });
      return;
    }
    const cls = this.classes.lister.get(undefined, classOf(claim));
    const waitForConsumer = cls?.volumeBindingMode === 'WaitForFirstConsumer';
    let selected = claim.metadata?.annotations?.[selectedNodeAnnotation];
    if (waitForConsumer && !selected) {
      const consumer = this.pods.lister.list(ns).find((p) => p.spec?.nodeName && !p.metadata?.deletionTimestamp &&
        (p.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim.metadata?.name));
      if (!consumer) {
        this.recorder.event(claimRef(claim), 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
        return;
      }
      selected = consumer.spec?.nodeName;
    }
    const node = selected ? this.nodes.lister.get(undefined, selected) : undefined;
    const pv = findBestMatch(claim, this.volumes.lister.list(), node);
    if (pv) return this.bind(pv, claim, signal);
    if (!cls || cls.provisioner === noProvisioner) return;
    const annotations = claim.metadata?.annotations ?? {};
    if (annotations[storageProvisionerAnnotation] === cls.provisioner && (!waitForConsumer || annotations[selectedNodeAnnotation] === selected)) return;
    const patch = { [storageProvisionerAnnotation]: cls.provisioner, [betaStorageProvisionerAnnotation]: cls.provisioner, ...(waitForConsumer ? { [selectedNodeAnnotation]: selected } : {}) };
    await this.ctx.client.patch(persistentVolumeClaimsRef, claim.metadata?.name ?? '', { metadata: { annotations: patch } }, 'merge', { namespace: ns, signal });
    this.recorder.event(claimRef(claim), 'Normal', 'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${cls.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
  }

  /** Upstream's bind: volume.claimRef, volume phase, claim.volumeName (+annotations), claim status. */
  private async bind(pv: PersistentVolume, claim: PersistentVolumeClaim, signal: AbortSignal): Promise<void> {
    const m = claim.metadata ?? {};
    if (!isPreBoundTo(pv, claim) || !pv.spec?.claimRef?.uid) {
      const annotations = { ...(pv.metadata?.annotations ?? {}), ...(isPreBoundTo(pv, claim) ? {} : { [boundByControllerAnnotation]: 'yes' }) };
      const claimRefValue = { kind: 'PersistentVolumeClaim', namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: 'v1', resourceVersion: m.resourceVersion };
      pv = await this.ctx.client.update<PersistentVolume>(persistentVolumesRef, { ...pv, metadata: { ...pv.metadata, annotations }, spec: { ...pv.spec, claimRef: claimRefValue } }, { signal });
    }
    await this.setVolumePhase(pv, 'Bound', signal);
    const annotations = { ...(m.annotations ?? {}), [bindCompletedAnnotation]: 'yes', [boundByControllerAnnotation]: 'yes' };
    const bound = await this.ctx.client.update<PersistentVolumeClaim>(persistentVolumeClaimsRef,
      { ...claim, metadata: { ...m, annotations }, spec: { ...claim.spec, volumeName: pv.metadata?.name } }, { namespace: m.namespace, signal });
    await this.setClaimBound(bound, pv, signal);
  }

  /** A claim naming its volume: make sure both sides say Bound (after a bind interrupted half-way). */
  private async completeBinding(claim: PersistentVolumeClaim, signal: AbortSignal): Promise<void> {
    const pv = this.volumes.lister.get(undefined, claim.spec?.volumeName ?? '');
    if (!pv) {
      if (claim.status?.phase === 'Bound') {
        await this.ctx.client.updateStatus(persistentVolumeClaimsRef, { ...claim, status: { ...claim.status, phase: 'Lost' } }, { namespace: claim.metadata?.namespace, signal });
        this.recorder.event(claimRef(claim), 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    if (!isPreBoundTo(pv, claim)) return this.bind(pv, claim, signal);
    await this.setVolumePhase(pv, 'Bound', signal);
    await this.setClaimBound(claim, pv, signal);
  }

  private async setClaimBound(claim: PersistentVolumeClaim, pv: PersistentVolume, signal: AbortSignal): Promise<void> {
    const st = claim.status ?? {};
    const capacity = pv.spec?.capacity ?? {};
    const modes = pv.spec?.accessModes ?? [];
    if (st.phase === 'Bound' && JSON.stringify(st.capacity) === JSON.stringify(capacity) && JSON.stringify(st.accessModes) === JSON.stringify(modes)) return;
    await this.ctx.client.updateStatus(persistentVolumeClaimsRef, { ...claim, status: { ...st, phase: 'Bound', capacity, accessModes: modes } }, { namespace: claim.metadata?.namespace, signal });
  }

  private async setVolumePhase(pv: PersistentVolume, phase: string, signal: AbortSignal): Promise<PersistentVolume> {
    if (pv.status?.phase === phase) return pv;
    const status = { ...pv.status, phase, lastPhaseTransitionTime: new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z') };
    return this.ctx.client.updateStatus<PersistentVolume>(persistentVolumesRef, { ...pv, status }, { signal });
  }

  private async syncVolume(name: string, signal: AbortSignal): Promise<Action> {
    const pv = this.volumes.lister.get(undefined, name);
    // a terminating volume is followed too: pv-protection lets it go once it is no longer Bound
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref?.name) {
      await this.setVolumePhase(pv, 'Available', signal);
      return;
    }
    let claim = this.claims.lister.get(ref.namespace, ref.name);
    if (!claim || (ref.uid && claim.metadata?.uid !== ref.uid)) {
      // the cache may lag a just-created claim: only the API can say it is gone
      claim = await this.ctx.client.get<PersistentVolumeClaim>(persistentVolumeClaimsRef, ref.name, { namespace: ref.namespace, signal }).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    }
    const gone = !claim || (ref.uid !== undefined && ref.uid !== '' && claim.metadata?.uid !== ref.uid);
    if (gone) {
      if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') await this.setVolumePhase(pv, 'Released', signal);
      return;
    }
    if (claim?.spec?.volumeName === name) await this.setVolumePhase(pv, 'Bound', signal);
    else if (!claim?.spec?.volumeName) await this.setVolumePhase(pv, 'Available', signal); // pre-bound, waiting for its claim
  }
}

function claimRef(claim: PersistentVolumeClaim): PersistentVolumeClaim {
  return { ...claim, apiVersion: 'v1', kind: 'PersistentVolumeClaim' };
}

export async function startPersistentVolumeBinderController(ctx: ControllerContext): Promise<void> {
  await new PersistentVolumeBinder(ctx).run();
}
