// The token volume upstream's ServiceAccount admission plugin gives a pod (mountServiceAccountToken): a projected
// volume kube-api-access-<5 random characters> with a bound token (3607 s, path token), the namespace's
// kube-root-ca.crt (ca.crt) and the pod's namespace (downward API), mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every container and init container that has nothing mounted
// there already. What in-cluster clients (client-go's rest.InClusterConfig, kubectl) read. Pure: the caller says
// whether the pod automounts (its own automountServiceAccountToken, else its account's, else true).
import type { Pod, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import { randomInt } from 'node:crypto';

export const serviceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const volumePrefix = 'kube-api-access-';
/** Upstream's utilrand alphabet (no vowels, no confusable digits). */
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

function tokenVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** Adds the token volume and its mounts to pod (in place), as upstream's plugin does. */
export function mountServiceAccountToken(pod: Pod, random: () => string = () => Array.from({ length: 5 }, () => alphabet[randomInt(alphabet.length)]).join('')): void {
  const spec = pod.spec!;
  const existing = spec.volumes?.find((v) => v.name.startsWith(volumePrefix));
  const name = existing?.name ?? `${volumePrefix}${random()}`;
  const mount: VolumeMount = { name, readOnly: true, mountPath: serviceAccountMountPath };
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === serviceAccountMountPath)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), mount];
    needed = true;
  }
  if (!existing && needed) spec.volumes = [...(spec.volumes ?? []), tokenVolume(name)];
}
