// What the EndpointSlice controller wants, as pure functions: the endpoints of a Service grouped by their resolved
// port set (desiredGroups), and how to lay them over the slices that exist with the least churn (planSlices):
// an endpoint stays in the slice that already holds it, new ones fill slices with room before new slices are
// made (at most maxEndpointsPerSlice each), emptied slices go (or are rewritten for another port set rather than
// deleted and created), and a Service with no endpoints keeps one empty placeholder slice, as upstream.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { canonicalJson } from './canonical-json.ts';
import { podHostname, podInEndpoints, podReady, resolveTargetPort, selects } from './endpoints-pods.ts';

export const maxEndpointsPerSlice = 100;

/** A port set's identity, independent of key and list order (upstream's PortMapKey hashes the sorted ports). */
const portsKey = (ports: EndpointPort[] | undefined | null): string => JSON.stringify((ports ?? []).map(canonicalJson).sort());

export interface SliceContent {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

/** The Service's endpoints grouped by resolved port set (key: the port set, see portsKey), pods in name order. */
export function desiredGroups(svc: Service, pods: Pod[], zoneOf: (node: string) => string | undefined = () => undefined): Map<string, SliceContent> {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, SliceContent>();
  const sorted = pods.filter((p) => selects(svc, p) && podInEndpoints(p, true))
    .sort((a, b) => (a.metadata!.name ?? '').localeCompare(b.metadata!.name ?? ''));
  for (const pod of sorted) {
    const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? '';
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) continue; // IPv4 slices only
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      const p: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      ports.push(p);
    }
    const serving = publishNotReady || podReady(pod);
    const terminating = pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null;
    const ep: Endpoint = {
      addresses: [ip],
      conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
      targetRef: { kind: 'Pod', namespace: pod.metadata!.namespace, name: pod.metadata!.name, uid: pod.metadata!.uid },
    };
    const hostname = podHostname(pod, svc);
    if (hostname) ep.hostname = hostname;
    if (pod.spec?.nodeName) {
      ep.nodeName = pod.spec.nodeName;
      const zone = zoneOf(pod.spec.nodeName);
      if (zone) ep.zone = zone;
    }
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(ep);
  }
  return groups;
}

export interface SlicePlan {
  /** Existing slices with their new content (maybe unchanged: the caller compares). */
  keep: { slice: EndpointSlice; content: SliceContent }[];
  create: SliceContent[];
  remove: EndpointSlice[];
}

const addressOf = (e: Endpoint): string => e.addresses?.[0] ?? '';

export function planSlices(existing: EndpointSlice[], groups: Map<string, SliceContent>, max = maxEndpointsPerSlice): SlicePlan {
  const byKey = new Map<string, EndpointSlice[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const k = portsKey(s.ports);
    byKey.set(k, [...(byKey.get(k) ?? []), s]);
  }
  const keep: SlicePlan['keep'] = [];
  let create: SliceContent[] = [];
  const spare: EndpointSlice[] = [];
  for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const slices = byKey.get(key) ?? [];
    byKey.delete(key);
    const pending = new Map(group.endpoints.map((e) => [addressOf(e), e]));
    const assigned = slices.map((s) => {
      const stay: Endpoint[] = [];
      for (const e of s.endpoints ?? []) {
        const want = pending.get(addressOf(e));
        if (want) {
          stay.push(want);
          pending.delete(addressOf(e));
        }
      }
      return stay;
    });
    const rest = [...pending.values()];
    assigned.forEach((stay) => stay.push(...rest.splice(0, Math.max(0, max - stay.length))));
    slices.forEach((s, i) => (assigned[i].length ? keep.push({ slice: s, content: { ports: group.ports, endpoints: assigned[i] } }) : spare.push(s)));
    while (rest.length) create.push({ ports: group.ports, endpoints: rest.splice(0, max) });
  }
  for (const left of byKey.values()) spare.push(...left);
  if (groups.size === 0 || [...groups.values()].every((g) => g.endpoints.length === 0)) create = [{ ports: [], endpoints: [] }];
  // a spare slice is rewritten for a new content rather than deleted while another is created
  const remove: EndpointSlice[] = [];
  const creates: SliceContent[] = [];
  for (const c of create) {
    const s = spare.shift();
    if (s) keep.push({ slice: s, content: c });
    else creates.push(c);
  }
  remove.push(...spare);
  return { keep, create: creates, remove };
}

