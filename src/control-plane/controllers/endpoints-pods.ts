// What the Endpoints and EndpointSlice controllers share: which pods back a Service, whether they count as ready,
// and which port a Service port reaches on a given pod (a named targetPort is looked up in that pod's containers,
// so two pods may serve one Service port on different numbers). Pure functions over kubernetes-types objects.
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';

export const triggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
export const headlessLabel = 'service.kubernetes.io/headless';

export function podReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Upstream ShouldPodBeInEndpoints: no IP never; terminating only when asked; finished pods only when they will
 *  not be restarted (restartPolicy Never: Failed or Succeeded; OnFailure: Succeeded). */
export function podInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  if (pod.spec?.restartPolicy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (pod.spec?.restartPolicy === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

/**
 * The port number svcPort reaches on pod (upstream FindPort): a number as is; a name looked up among the ports of
 * the pod's containers and sidecars (restartable init containers) with the same protocol; undefined when absent.
 */
export function resolveTargetPort(svcPort: ServicePort, pod: Pod): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  const protocol = svcPort.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** The pod's hostname in the Service's DNS, as upstream: only when spec.subdomain names this Service. */
export function podHostname(pod: Pod, svc: Service): string | undefined {
  const h = pod.spec?.hostname;
  return h && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace ? h : undefined;
}

/** Labels for Endpoints/EndpointSlices: the Service's, plus the headless marker when clusterIP is None. */
export function derivedLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  delete labels[headlessLabel];
  // upstream !IsServiceIPSet: no cluster IP at all counts as headless too
  if (!svc.spec?.clusterIP || svc.spec.clusterIP === 'None') labels[headlessLabel] = '';
  return labels;
}

/** Services in the pod's namespace whose selector the pod matches (used to map a pod event to service keys). */
export function selects(svc: Service, pod: Pod): boolean {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  if (svc.metadata?.namespace !== pod.metadata?.namespace) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(sel).every(([k, v]) => labels[k] === v);
}

/** Go's RFC3339Nano (fraction without trailing zeros), as upstream formats the trigger-time annotation. */
export function formatTriggerTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_, f: string) => (f ? `.${f}Z` : 'Z'));
}
