// VolumeBinding, the part Skiff needs (upstream plugins/volumebinding Filter): a pod's claims must exist and not
// be terminating; a bound claim's volume must exist and its nodeAffinity must admit the node (so a pod with a
// local volume returns to that volume's node); an unbound claim of an Immediate class waits for the binder. An
// unbound WaitForFirstConsumer claim admits every node: upstream's scheduler would pick the node in PreBind, here
// the PV binder records the pod's node as the claim's selected-node once the pod is bound (controllers/
// persistentvolume.ts), and the provisioner pins the new volume to it. A class without a provisioner
// (kubernetes.io/no-provisioner: static local volumes) admits only nodes where a matching volume is available.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { type FilterPlugin, type Status, unresolvable } from '../framework.ts';
import { termMatches } from './node-affinity.ts';
import { findBestMatch } from '../../controllers/persistentvolume-match.ts';
import type { NodeInfo } from '../node-info.ts';

export const volumeBindingName = 'VolumeBinding';

/** Reads of the claim, volume and class caches (the scheduler's informers). */
export interface VolumeLister {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  storageClass(name: string): StorageClass | undefined;
  volumes(): PersistentVolume[];
}

const noVolume = unresolvable("node(s) didn't find available persistent volumes to bind");
const asNode = (n: NodeInfo) => ({ metadata: { name: n.name, labels: n.labels } });

const conflict = unresolvable('node(s) had volume node affinity conflict');

function claimClass(c: PersistentVolumeClaim): string {
  return c.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? c.spec?.storageClassName ?? '';
}

export function volumeBindingFilter(volumes: VolumeLister): FilterPlugin {
  return {
    name: volumeBindingName,
    prepare(pod) {
      const names = (pod.pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
      if (!names.length) return null;
      const bound: PersistentVolume[] = [];
      const staticClaims: PersistentVolumeClaim[] = [];
      for (const name of names) {
        const claim = volumes.claim(pod.namespace, name);
        if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (claim.metadata?.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        const volumeName = claim.spec?.volumeName;
        if (volumeName) {
          const pv = volumes.volume(volumeName);
          if (!pv) return unresolvable('pvc(s) bound to non-existent pv(s)');
          bound.push(pv);
          continue;
        }
        const cls = volumes.storageClass(claimClass(claim));
        if (cls?.volumeBindingMode !== 'WaitForFirstConsumer') return unresolvable('pod has unbound immediate PersistentVolumeClaims');
        if (cls.provisioner === 'kubernetes.io/no-provisioner') staticClaims.push(claim);
      }
      const all = staticClaims.length ? volumes.volumes() : [];
      const available = (node: NodeInfo): boolean => staticClaims.every((c) => findBestMatch(c, all, asNode(node)) !== undefined);
      const pinned = bound.flatMap((pv) => (pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ? [pv.spec.nodeAffinity.required.nodeSelectorTerms] : []));
      if (!pinned.length && !staticClaims.length) return null;
      return (node): Status | null => {
        if (!pinned.every((terms) => terms.some((t) => termMatches(t, node)))) return conflict;
        return available(node) ? null : noVolume;
      };
    },
  };
}
