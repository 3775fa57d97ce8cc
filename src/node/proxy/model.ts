// What kube-proxy programs, reduced from the API objects: one ServicePortInfo per (Service, port), with the
// endpoints its EndpointSlices carry for that port. Pure functions of (Service, slices, node name), so the ruleset
// generators (nftables, iptables) are pure too and testable without a kernel. The facts follow upstream's
// pkg/proxy: a headless or ExternalName service is not proxied; an endpoint is usable when ready (a nil condition
// counts as ready), and when none is, serving-and-terminating ones are used instead (upstream's fallback).
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface EndpointInfo {
  ip: string;
  port: number;
  /** On this node (for the Local traffic policies). */
  local: boolean;
}

export interface ServicePortInfo {
  /** `namespace/name:portName` (portName may be empty), unique per service port. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  /** IPv4 cluster IP (this proxy programs IPv4 only). */
  clusterIP: string;
  port: number;
  /** 0 when the service has none. */
  nodePort: number;
  externalIPs: string[];
  /** status.loadBalancer.ingress IPs (traffic to them is external traffic). */
  loadBalancerIPs: string[];
  /** Seconds of ClientIP affinity; 0 = none. */
  affinityTimeoutSeconds: number;
  externalLocal: boolean;
  internalLocal: boolean;
  /** Usable endpoints, sorted by ip then port so the generated rules are stable. */
  endpoints: EndpointInfo[];
}

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIPv4(s: string | undefined): s is string {
  const m = s ? ipv4.exec(s) : null;
  return !!m && m.slice(1).every((o) => Number(o) <= 255);
}

/** Whether kube-proxy programs this service at all. */
export function isProxied(svc: Service): boolean {
  const spec = svc.spec;
  if (!spec || spec.type === 'ExternalName') return false;
  return isIPv4(spec.clusterIP) && spec.clusterIP !== 'None';
}

function protocolOf(p: ServicePort | { protocol?: string }): Protocol | undefined {
  const proto = (p.protocol ?? 'TCP').toLowerCase();
  return proto === 'tcp' || proto === 'udp' || proto === 'sctp' ? proto : undefined;
}

interface RawEndpoint {
  ip: string;
  port: number;
  local: boolean;
  ready: boolean;
  servingTerminating: boolean;
}

/** The endpoints of the slices for one service port (matched by port name and protocol, as upstream). */
function endpointsFor(slices: EndpointSlice[], sp: ServicePort, nodeName: string): EndpointInfo[] {
  const seen = new Map<string, RawEndpoint>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? '') && protocolOf(p) === protocolOf(sp));
    if (!port?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!isIPv4(ip)) continue;
      const c = ep.conditions ?? {};
      const raw: RawEndpoint = {
        ip,
        port: port.port,
        local: ep.nodeName !== undefined && ep.nodeName === nodeName,
        ready: c.ready !== false,
        servingTerminating: c.serving !== false && c.terminating === true,
      };
      const key = `${ip}:${port.port}`;
      const prev = seen.get(key);
      if (!prev || (!prev.ready && raw.ready)) seen.set(key, raw);
    }
  }
  const all = [...seen.values()];
  const ready = all.filter((e) => e.ready);
  const usable = ready.length > 0 ? ready : all.filter((e) => e.servingTerminating);
  return usable
    .map(({ ip, port, local }) => ({ ip, port, local }))
    .sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port);
}

function ipNumber(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** The service ports kube-proxy programs for one Service and the EndpointSlices labelled with its name. */
export function servicePorts(svc: Service, slices: EndpointSlice[], nodeName: string): ServicePortInfo[] {
  if (!isProxied(svc)) return [];
  const spec = svc.spec!;
  const namespace = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const lbIPs = spec.type === 'LoadBalancer'
    ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => isIPv4(ip))
    : [];
  const affinity = spec.sessionAffinity === 'ClientIP'
    ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10_800
    : 0;
  const out: ServicePortInfo[] = [];
  for (const sp of spec.ports ?? []) {
    const protocol = protocolOf(sp);
    if (!protocol) continue;
    out.push({
      id: `${namespace}/${name}:${sp.name ?? ''}`,
      namespace,
      name,
      portName: sp.name ?? '',
      protocol,
      clusterIP: spec.clusterIP!,
      port: sp.port,
      nodePort: (spec.type === 'NodePort' || spec.type === 'LoadBalancer') ? sp.nodePort ?? 0 : 0,
      externalIPs: (spec.externalIPs ?? []).filter(isIPv4),
      loadBalancerIPs: lbIPs,
      affinityTimeoutSeconds: affinity,
      externalLocal: spec.externalTrafficPolicy === 'Local' &&
        (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.externalIPs ?? []).length > 0),
      internalLocal: spec.internalTrafficPolicy === 'Local',
      endpoints: endpointsFor(slices, sp, nodeName),
    });
  }
  return out;
}
