// The local-path provisioner (k3s's rancher.io/local-path, here skiff.io/local-path): for a claim the binder
// annotated for it (volume.kubernetes.io/storage-provisioner) — once a node is selected when the class waits for
// the first consumer — it creates the volume `pvc-<claim uid>`: a hostPath DirectoryOrCreate under the class's
// parameters.nodePath, pinned to that node by nodeAffinity, pre-bound to the claim, with the class's reclaim
// policy. The directory itself is made on the node side: the kubelet creates a DirectoryOrCreate hostPath when it
// mounts it. A Released volume it provisioned with reclaim policy Delete is deleted after its directory is removed
// from its node, as rancher's local-path-provisioner does it: a helper pod on that node, from the pause image every
// node has (busybox), runs `rm -rf` of exactly `<nodePath>/<pv name>` (local-path-cleanup.ts guards the path);
// once it Succeeded the pod and the PV are deleted. A refused path (a PV not pointing where this provisioner puts
// volumes) keeps the PV Released with a VolumeFailedDelete event and its directory untouched; a volume pinned to no
// node, or to a node that is gone, is deleted without it (nothing reachable through the API holds the directory).
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Action } from '../../client/controller.ts';
import { isAlreadyExists, isNotFound } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { ApiObject } from '../../client/types.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { localPathProvisioner } from './local-path-provisioner-class.ts';
import { classOf, provisionedByAnnotation, selectedNodeAnnotation, storageProvisionerAnnotation } from './persistentvolume-match.ts';
import { nodesRef, persistentVolumeClaimsRef, persistentVolumesRef, podsRef, storageClassesRef } from './refs.ts';
import { pauseImage } from '../../node/images/busybox.ts';
import { cleanupTarget, helperNamespace, helperPod, helperPodName, helperVolumeLabel, helperVolumeUidAnnotation, volumeNodeName } from './local-path-cleanup.ts';

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
  private readonly helpers: Informer<Pod>;
  /** Volume name → uid of those whose directory is gone: the helper pod's deletion brings the key back before the
   *  volume's own deletion reaches the cache, and must not start a second helper. */
  private readonly removed = new Map<string, string>();
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
    this.volumes.addEventHandler({ onAdd: volumeKey, onUpdate: (_o, v) => volumeKey(v), onDelete: volumeKey });
    // the cleanup helper pods: each one's progress brings its volume's key back
    this.helpers = this.informer<Pod>(podsRef, { namespace: helperNamespace, labelSelector: helperVolumeLabel });
    const helperKey = (p: Pod): void => this.queue.add(`volume/${p.metadata?.labels?.[helperVolumeLabel]}`);
    this.helpers.addEventHandler({ onAdd: helperKey, onUpdate: (_o, p) => helperKey(p), onDelete: helperKey });
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
    if (!pv) this.removed.delete(name);
    if (!pv || pv.metadata?.deletionTimestamp) return this.removeFinishedHelper(name, signal);
    if (pv.metadata?.annotations?.[provisionedByAnnotation] !== localPathProvisioner) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    const ref = { ...pv, apiVersion: 'v1', kind: 'PersistentVolume' };
    const node = volumeNodeName(pv, this.nodes.lister.list());
    if (node && this.nodes.lister.get(undefined, node)) {
      const cls = this.classes.lister.get(undefined, pv.spec?.storageClassName ?? '');
      const target = cleanupTarget(pv, cls ? (cls.parameters?.nodePath ?? defaultNodePath) : undefined);
      if ('refused' in target) {
        const why = cls ? target.refused : `storage class ${JSON.stringify(pv.spec?.storageClassName ?? '')} not found: where its volumes live is unknown`;
        this.recorder.event(ref, 'Warning', 'VolumeFailedDelete', `not removing the volume's directory: ${why}`);
        return;
      }
      if (this.removed.get(name) !== pv.metadata?.uid) {
        if (!(await this.directoryRemoved(pv, ref, target, node, signal))) return; // the helper pod's next change brings the key back
        this.removed.set(name, pv.metadata?.uid ?? '');
      }
    } else if (node) {
      this.recorder.event(ref, 'Warning', 'VolumeFailedDelete', `node ${node} not found: the volume's directory cannot be removed`);
    }
    try {
      await this.ctx.client.delete(persistentVolumesRef, name, { signal, preconditions: { uid: pv.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Drives the helper pod: creates it, and once it Succeeded deletes it and says so; a Failed one is reported,
   *  deleted and retried (rate-limited). */
  private async directoryRemoved(pv: PersistentVolume, ref: ApiObject, target: { root: string; name: string }, node: string, signal: AbortSignal): Promise<boolean> {
    const podName = helperPodName(pv.metadata?.name ?? '');
    const pod = this.helpers.lister.get(helperNamespace, podName);
    if (!pod) {
      await this.ctx.client.create(podsRef, helperPod(pv, target, node, pauseImage), { namespace: helperNamespace, signal }).catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
      return false;
    }
    if (pod.metadata?.deletionTimestamp) return false;
    if (pod.metadata?.annotations?.[helperVolumeUidAnnotation] !== pv.metadata?.uid) {
      await this.deleteHelper(podName, signal); // left by an earlier volume of the same name
      return false;
    }
    if (pod.status?.phase === 'Succeeded') {
      await this.deleteHelper(podName, signal);
      return true;
    }
    if (pod.status?.phase === 'Failed') {
      const term = pod.status.containerStatuses?.[0]?.state?.terminated;
      const detail = term ? `exit code ${term.exitCode}${term.message ? `: ${term.message}` : ''}` : (pod.status.message ?? 'failed');
      this.recorder.event(ref, 'Warning', 'VolumeFailedDelete', `helper pod ${helperNamespace}/${podName} on ${node} could not remove ${target.root}/${target.name} (${detail})`);
      await this.deleteHelper(podName, signal);
      throw new Error(`removing ${target.root}/${target.name} on ${node} failed (${detail})`);
    }
    return false;
  }

  /** A finished helper pod whose volume is gone (deleted by hand meanwhile) is removed. */
  private async removeFinishedHelper(volume: string, signal: AbortSignal): Promise<Action> {
    const pod = this.helpers.lister.get(helperNamespace, helperPodName(volume));
    if (pod && !pod.metadata?.deletionTimestamp && (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')) await this.deleteHelper(pod.metadata!.name!, signal);
  }

  private async deleteHelper(name: string, signal: AbortSignal): Promise<void> {
    await this.ctx.client.delete(podsRef, name, { namespace: helperNamespace, gracePeriodSeconds: 0, signal }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}

export async function startLocalPathProvisioner(ctx: ControllerContext): Promise<void> {
  await new LocalPathProvisioner(ctx).run();
}
