// The cluster zone's data, as CoreDNS's kubernetes plugin finds it: a parsed name → the endpoints it stands for
// (CoreDNS's msg.Service list), or "no such name". Which resource records to send for a query type is answer.ts's job.
// Pure over a ClusterView.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointLabel, podLabelToIP, type ParsedName } from './names.ts';
import { type ClusterView, isIP } from './view.ts';

/** One thing a name resolves to: an address (or, for ExternalName, a host name) and maybe a port. */
export interface Target {
  /** an IP address, or a DNS name (ExternalName services) */
  host: string;
  /** undefined when the service or slice has no ports (a headless service without ports) */
  port?: number;
  /** the DNS name of this target: the service's name, or the endpoint's own name under a headless service */
  name: string;
}

/** undefined: the name does not exist (NXDOMAIN); []: it exists but holds nothing (NODATA). */
export type Lookup = Target[] | undefined;

type SvcRequest = Extract<ParsedName, { kind: 'svc' | 'pod' }>;

function matches(want: string, have: string | undefined): boolean {
  // CoreDNS treats an empty, "*" or "any" label as a wildcard; names compare case-insensitively
  return want === '' || want === '*' || want === 'any' || want === (have ?? '').toLowerCase();
}

export function serviceFQDN(svc: Service, zone: string): string {
  return `${svc.metadata?.name}.${svc.metadata?.namespace}.svc.${zone}`;
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** An endpoint counts unless it is marked not ready (ready unset means ready, as the API documents). */
function readyAddresses(slices: EndpointSlice[]): { ip: string; hostname?: string; slice: EndpointSlice }[] {
  const out: { ip: string; hostname?: string; slice: EndpointSlice }[] = [];
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const ip of ep.addresses ?? []) out.push({ ip, hostname: ep.hostname, slice });
    }
  }
  return out;
}

function endpointTargets(r: SvcRequest, svc: Service, view: ClusterView, zone: string): Target[] {
  const out: Target[] = [];
  const base = serviceFQDN(svc, zone);
  for (const a of readyAddresses(view.slices(r.namespace, r.service))) {
    const label = endpointLabel(a.hostname, a.ip);
    if (r.endpoint && r.endpoint !== label.toLowerCase()) continue;
    // a slice without ports still names its endpoints (CoreDNS adds a sentinel port for it)
    const ports = a.slice.ports?.length ? a.slice.ports : [undefined];
    for (const p of ports) {
      if (p && !(matches(r.port, p.name) && matches(r.protocol, p.protocol ?? 'TCP'))) continue;
      if (!p && (r.port || r.protocol)) continue;
      out.push({ host: a.ip, port: p?.port ?? undefined, name: `${label}.${base}` });
    }
  }
  return out;
}

function serviceTargets(r: SvcRequest, view: ClusterView, zone: string): Lookup {
  const svc = view.service(r.namespace, r.service);
  if (!svc) return undefined;
  if (svc.spec?.type === 'ExternalName') {
    const host = svc.spec.externalName;
    return host ? [{ host: host.replace(/\.$/, ''), name: serviceFQDN(svc, zone) }] : [];
  }
  if (isHeadless(svc) || r.endpoint) {
    const found = endpointTargets(r, svc, view, zone);
    // no (ready) endpoint behind a headless name: the name does not exist, as in CoreDNS
    return found.length ? found : undefined;
  }
  const ips = (svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])).filter(isIP);
  const out: Target[] = [];
  for (const p of svc.spec?.ports ?? []) {
    if (!(matches(r.port, p.name) && matches(r.protocol, p.protocol ?? 'TCP'))) continue;
    for (const ip of ips) out.push({ host: ip, port: p.port, name: serviceFQDN(svc, zone) });
  }
  return out.length ? out : undefined;
}

function podTargets(r: SvcRequest, qname: string): Lookup {
  // `pods insecure`: the address is taken from the name itself, without asking the API
  const ip = podLabelToIP(r.service);
  return isIP(ip) ? [{ host: ip, name: qname }] : undefined;
}

/** What a parsed in-zone svc/pod name stands for. */
export function lookup(r: SvcRequest, view: ClusterView, zone: string, qname: string): Lookup {
  if (r.namespace === '' || r.service === '') return []; // svc.<zone>, <ns>.svc.<zone>: exist, hold nothing
  return r.kind === 'pod' ? podTargets(r, qname) : serviceTargets(r, view, zone);
}

/** Names for a PTR query: the service owning a cluster IP, else every endpoint with that address. */
export function reverseLookup(ip: string, view: ClusterView, zone: string): string[] {
  const svc = view.servicesByIP(ip)[0];
  if (svc) return [serviceFQDN(svc, zone)];
  const names = new Set<string>();
  for (const slice of view.slicesByIP(ip)) {
    const owner = slice.metadata?.labels?.['kubernetes.io/service-name'];
    if (!owner) continue;
    for (const ep of slice.endpoints ?? []) {
      if (!(ep.addresses ?? []).includes(ip)) continue;
      names.add(`${endpointLabel(ep.hostname, ip)}.${owner}.${slice.metadata?.namespace}.svc.${zone}`);
    }
  }
  return [...names];
}
