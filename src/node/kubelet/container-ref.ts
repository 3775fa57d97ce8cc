// Which part of a pod an event is about: upstream's kubelet records container events (Pulling, Pulled, Created,
// Started, Killing, BackOff, Unhealthy, Failed, hook failures) against the pod with involvedObject.fieldPath
// "spec.containers{NAME}", "spec.initContainers{NAME}" or "spec.ephemeralContainers{NAME}" (GenerateContainerRef).
import type { Pod } from 'kubernetes-types/core/v1.js';

/** The event options naming container `name` of pod (no fieldPath when the pod has no such container). */
export function containerRef(pod: Pod, name: string): { fieldPath?: string } {
  const spec = pod.spec;
  if (spec?.containers?.some((c) => c.name === name)) return { fieldPath: `spec.containers{${name}}` };
  if (spec?.initContainers?.some((c) => c.name === name)) return { fieldPath: `spec.initContainers{${name}}` };
  if (spec?.ephemeralContainers?.some((c) => c.name === name)) return { fieldPath: `spec.ephemeralContainers{${name}}` };
  return {};
}
