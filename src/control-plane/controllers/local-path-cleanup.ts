// Removing a deleted local-path volume's directory, as rancher's local-path-provisioner does: the provisioner (an API
// client, never touching a node's disk itself) creates a short-lived helper pod on the volume's node that mounts the
// class's nodePath and runs `rm -rf` of the one directory. Pure parts here: which directory may be removed (the
// guard), which node holds it, and the helper pod.
//
// The guard: only `<nodePath>/<pv name>` — exactly what the provisioner created for this PV — directly under the
// class's nodePath. A hostPath elsewhere (a PV written by hand with the provisioned-by annotation, "..", another
// volume's directory, the root itself) is refused, and the helper pod sees nothing outside nodePath anyway: the
// path it removes is resolved inside its own mount of the root.
import { posix } from 'node:path';
import type { Node, PersistentVolume, Pod } from 'kubernetes-types/core/v1.js';

/** The helper pods' namespace (upstream runs them in the provisioner's). */
export const helperNamespace = 'kube-system';
/** On a helper pod: the volume it cleans (label: the informer's selector) and that volume's uid (annotation). */
export const helperVolumeLabel = 'skiff.io/local-path-volume';
export const helperVolumeUidAnnotation = 'skiff.io/local-path-volume-uid';
const mountPath = '/data';

export type CleanupTarget = { root: string; name: string } | { refused: string };

/** Where `pv`'s directory is, if it is one the provisioner may remove: `<nodePath>/<pv name>` and nothing else. */
export function cleanupTarget(pv: PersistentVolume, nodePath: string | undefined): CleanupTarget {
  const name = pv.metadata?.name ?? '';
  const path = pv.spec?.hostPath?.path;
  if (!path) return { refused: 'the volume has no hostPath' };
  if (!nodePath || !posix.isAbsolute(nodePath)) return { refused: `the storage class has no absolute nodePath (${JSON.stringify(nodePath ?? '')})` };
  const root = posix.normalize(nodePath).replace(/\/+$/, '');
  if (root === '') return { refused: 'the storage class nodePath is /: nothing under it is removed' };
  // the PV's name is a DNS subdomain: no "/", no "..", nothing a shell or a path could reinterpret
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.includes('..')) return { refused: `volume name ${JSON.stringify(name)} is not a plain directory name` };
  // compared as written (not normalised): "<root>/x/../pvc-1" or "<root>//pvc-1" is not what the provisioner made
  if (path.replace(/\/+$/, '') !== `${root}/${name}`) return { refused: `hostPath ${path} is not ${root}/${name}, the directory this provisioner creates` };
  return { root, name };
}

/** The node the volume is pinned to by its nodeAffinity (kubernetes.io/hostname or metadata.name), if any. */
export function volumeNodeName(pv: PersistentVolume, nodes: readonly Node[]): string | undefined {
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    for (const e of term.matchExpressions ?? []) {
      if (e.key !== 'kubernetes.io/hostname' || e.operator !== 'In' || e.values?.length !== 1) continue;
      const node = nodes.find((n) => n.metadata?.labels?.['kubernetes.io/hostname'] === e.values![0]);
      return node?.metadata?.name ?? e.values[0];
    }
  }
  return undefined;
}

/** Upstream's name for the helper that deletes volume `volume`. */
export function helperPodName(volume: string): string {
  return `helper-pod-delete-${volume}`;
}

/** The helper pod: on `node`, the class's root mounted at /data, `rm -rf /data/<name>`, run once. */
export function helperPod(pv: PersistentVolume, target: { root: string; name: string }, node: string, image: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: helperPodName(pv.metadata?.name ?? ''),
      namespace: helperNamespace,
      labels: { [helperVolumeLabel]: pv.metadata?.name ?? '' },
      annotations: { [helperVolumeUidAnnotation]: pv.metadata?.uid ?? '' },
    },
    spec: {
      nodeName: node,
      restartPolicy: 'Never',
      // a cordoned or tainted node still owns the directory
      tolerations: [{ operator: 'Exists' }],
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      containers: [{
        name: 'helper-pod',
        image,
        imagePullPolicy: 'IfNotPresent',
        command: ['/bin/rm', '-rf', `${mountPath}/${target.name}`],
        volumeMounts: [{ name: 'data', mountPath }],
      }],
      // DirectoryOrCreate: a node that never used the class has no root yet, and an empty one is harmless
      volumes: [{ name: 'data', hostPath: { path: target.root, type: 'DirectoryOrCreate' } }],
    },
  };
}
