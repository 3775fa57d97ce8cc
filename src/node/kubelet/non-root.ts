// runAsNonRoot, as upstream's verifyRunAsNonRoot checks it before creating a container: with the effective
// securityContext (container over pod) asking for a non-root user, an explicit runAsUser 0 breaks the policy, and
// without runAsUser the image's user decides — a numeric uid 0, or no user at all (the runtime then runs root), is
// refused; a user name cannot be verified and is refused too. The message texts are upstream's; the error becomes
// the container's CreateContainerConfigError.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

/** The image's user as CRI ImageStatus reports it. */
export interface ImageUser {
  uid?: number;
  username?: string;
}

/** Why the container may not run, or undefined when it may. */
export function runAsNonRootViolation(pod: Pod, c: Container, image: ImageUser): string | undefined {
  const podSc = pod.spec?.securityContext;
  const sc = c.securityContext;
  if (!(sc?.runAsNonRoot ?? podSc?.runAsNonRoot)) return undefined;
  const who = `(pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})", container: ${c.name})`;
  const runAsUser = sc?.runAsUser ?? podSc?.runAsUser;
  if (runAsUser !== undefined) return runAsUser === 0 ? `container's runAsUser breaks non-root policy ${who}` : undefined;
  if (image.uid !== undefined) return image.uid === 0 ? `container has runAsNonRoot and image will run as root ${who}` : undefined;
  if (image.username) return `container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root ${who}`;
  return `container has runAsNonRoot and image will run as root ${who}`;
}
