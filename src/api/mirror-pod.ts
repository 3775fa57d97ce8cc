// Mirror pods (upstream's kubelet/types): the API's view of a pod a node runs by itself rather than from the API
// (kubeadm's static pods; Skiff's hosted components). The kubelet never runs one (its process is not a container)
// and serves its log from the component's log file; admission skips the service account for it.
import type { Pod } from 'kubernetes-types/core/v1.js';

/** Set to the config hash on every mirror pod: its presence is what makes a pod a mirror pod. */
export const mirrorAnnotation = 'kubernetes.io/config.mirror';
export const hashAnnotation = 'kubernetes.io/config.hash';
/** Who made it: upstream's kubelet says "file" or "http"; Skiff says which process publishes it. */
export const sourceAnnotation = 'kubernetes.io/config.source';

export function isMirrorPod(pod: Pod | undefined): boolean {
  return pod?.metadata?.annotations?.[mirrorAnnotation] !== undefined;
}
