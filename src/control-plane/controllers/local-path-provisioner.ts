// The local-path provisioner (k3s's rancher.io/local-path, here skiff.io/local-path): for a claim the binder
// annotated for it (volume.kubernetes.io/storage-provisioner) — once a node is selected when the class waits for
// the first consumer — it creates the volume `pvc-<claim uid>`: a hostPath DirectoryOrCreate under the class's
// parameters.nodePath, pinned to that node by nodeAffinity, pre-bound to the claim, with the class's reclaim
// policy. A Released volume it provisioned with reclaim policy Delete is deleted. The directory itself is made
// (and on delete removed) on the node side: the kubelet creates a DirectoryOrCreate hostPath when it mounts it.
import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Action } from '../../client/controller.ts';
import { isAlreadyExists, isNotFound } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { localPathProvisioner } from './local-path-provisioner-class.ts';
import { classOf, provisionedByAnnotation, selectedNodeAnnotation, storageProvisionerAnnotation } from './persistentvolume-match.ts';
import { nodesRef, persistentVolumeClaimsRef, persistentVolumesRef, storageClassesRef } from './refs.ts';

export const localPathComponent = 'local-path-provisioner';
const defaultNodePath = '/var/lib/skiff/storage';

/** The volume the provisioner makes for a claim on a node (undefined node: no affinity, Immediate binding). */
export function localPathVolume(claim: PersistentVolumeClaim, cls: StorageClass, node: Node | undefined): PersistentVolume {
  const m = claim.metadata ?? {};
  const name = `pvc-${m.uid}`;
  const base = (cls.parameters?.nodePath ?? defaultNodePath).replace(/\/+$/, '');
  const hostname = node?.metadata?.labels?.['kubernetes.io/hostname'];
  const term = hostname
    ? { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [hostname] }] }
    : { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node?.metadata?.name ?? ''] }] };
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [provisionedByAnnotation]: localPathProvisioner } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? '0' },
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: cls.metadata?.name,
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      hostPath: { path: `${base}/${name}`, type: 'DirectoryOrCreate' },
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion },
      ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [term] } } } : {}),
    },
  };
}

export class LocalPathProvisioner extends Controller {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly nodes: Informer<Node>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: localPathComponent });
    this.recorder = ctx.recorder(localPathComponent);
    this.claims = this.informer<PersistentVolumeClaim>(persistentVolumeClaimsRef);
    this.volumes = this.informer<PersistentVolume>(persistentVolumesRef);
    this.classes = this.informer<StorageClass>(storageClassesRef);
    this.nodes = this.informer<Node>(nodesRef);
    const claimKey = (c: PersistentVolumeClaim): void => this.queue.add(`claim/${c.metadata?.namespace}/${c.metadata?.name}`);
    this.claims.addEventHandler({ onAdd: claimKey, onUpdate: (_o, c) => claimKey(c) });
    const volumeKey = (v: PersistentVolume): void => this.queue.add(`volume/${v.metadata?.name}`);
    this.volumes.addEventHandler({ onAdd: volumeKey, onUpdate: (_o, v) => volumeKey(v) });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const [kind, ...rest] = key.split('/');
    if (kind === 'volume') return this.reclaim(rest[0], signal);
    const claim = this.claims.lister.get(rest[0], rest[1]);
    if (!claim || claim.metadata?.deletionTimestamp || claim.spec?.volumeName) return;
    if (claim.metadata?.annotations?.[storageProvisionerAnnotation] !== localPathProvisioner) return;
    const cls = this.classes.lister.get(undefined, classOf(claim));
    if (!cls || cls.provisioner !== localPathProvisioner) return;
    const selected = claim.metadata?.annotations?.[selectedNodeAnnotation];
    if (cls.volumeBindingMode === 'WaitForFirstConsumer' && !selected) return;
    const node = selected ? this.nodes.lister.get(undefined, selected) : undefined;
    if (selected && !node) return; // the node's informer event brings no key back: the claim's next change will
    const pv = localPathVolume(claim, cls, node);
    if (this.volumes.lister.get(undefined, pv.metadata?.name ?? '')) return;
    const ref = { ...claim, apiVersion: 'v1', kind: 'PersistentVolumeClaim' };
    this.recorder.event(ref, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claim.metadata?.namespace}/${claim.metadata?.name}"`);
    try {
      await this.ctx.client.create(persistentVolumesRef, pv, { signal });
    } catch (err) {
      if (isAlreadyExists(err)) return;
      this.recorder.event(ref, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${cls.metadata?.name}": ${String(err)}`);
      throw err;
    }
    this.recorder.event(ref, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata?.name}`);
  }

  private async reclaim(name: string, signal: AbortSignal): Promise<Action> {
    const pv = this.volumes.lister.get(undefined, name);
    if (!pv || pv.metadata?.deletionTimestamp) return;
    if (pv.metadata?.annotations?.[provisionedByAnnotation] !== localPathProvisioner) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    try {
      await this.ctx.client.delete(persistentVolumesRef, name, { signal, preconditions: { uid: pv.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export async function startLocalPathProvisioner(ctx: ControllerContext): Promise<void> {
  await new LocalPathProvisioner(ctx).run();
}
