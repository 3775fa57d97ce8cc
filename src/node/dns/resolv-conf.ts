// A pod's resolv.conf as the kubelet forms it (pkg/kubelet/network/dns): from its dnsPolicy, the cluster DNS
// addresses, the cluster domain, the node's own resolv.conf and the pod's dnsConfig, trimmed to upstream's limits
// (3 nameservers; 32 search domains, 2048 characters, none longer than 253). Pure; the warnings are the messages
// the kubelet records as DNSConfigForming events. Written out in containerd's layout (search, nameserver, options).
import type { PodDNSConfig } from 'kubernetes-types/core/v1.js';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface PodDnsInput {
  namespace: string;
  /** ClusterFirst (the default), ClusterFirstWithHostNet, Default or None */
  dnsPolicy?: string;
  hostNetwork?: boolean;
  dnsConfig?: PodDNSConfig;
  /** the kubelet's --cluster-dns (e.g. ["10.43.0.10"]); empty makes ClusterFirst fall back to Default */
  clusterDNS: string[];
  /** the kubelet's --cluster-domain (e.g. "cluster.local") */
  clusterDomain: string;
  /** the node's resolv.conf (parseResolvConf); undefined when the kubelet's --resolv-conf is "" */
  host?: ResolvConf;
}

export const maxNameservers = 3;
export const maxSearchPaths = 32;
export const maxSearchListChars = 2048;
const maxSearchLength = 253;
export const defaultDnsOptions = ['ndots:5'];

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.nameservers.push(fields[0]);
    // the last search line wins, as in the resolver; "." is no domain and a trailing dot counts once
    else if (key === 'search') out.searches = fields.filter((f) => f !== '.').map((f) => f.replace(/\.$/, ''));
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

export function formatResolvConf(c: ResolvConf): string {
  let s = '';
  if (c.searches.length) s += `search ${c.searches.join(' ')}\n`;
  for (const ns of c.nameservers) s += `nameserver ${ns}\n`;
  if (c.options.length) s += `options ${c.options.join(' ')}\n`;
  return s;
}

type DnsType = 'cluster' | 'host' | 'none';

function dnsType(p: PodDnsInput): DnsType {
  switch (p.dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'Default':
      return 'host';
    default:
      // ClusterFirst: a host-network pod gets the node's DNS
      return p.hostNetwork ? 'host' : 'cluster';
  }
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** dnsConfig options override same-named ones; "name" or "name:value"; first-seen order. */
export function mergeOptions(existing: string[], extra: PodDNSConfig['options'] = []): string[] {
  const m = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i < 0) m.set(op, '');
    else m.set(op.slice(0, i), op.slice(i + 1));
  }
  for (const op of extra) if (op.name) m.set(op.name, op.value ?? '');
  return [...m].map(([k, v]) => (v ? `${k}:${v}` : k));
}

function fitSearches(searches: string[], warnings: string[]): string[] {
  let s = searches;
  let exceeded = false;
  if (s.length > maxSearchPaths) { s = s.slice(0, maxSearchPaths); exceeded = true; }
  const short = s.filter((d) => d.length <= maxSearchLength);
  if (short.length !== s.length) exceeded = true;
  s = short;
  while (s.join(' ').length > maxSearchListChars) { s = s.slice(0, -1); exceeded = true; }
  if (exceeded) warnings.push(`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${s.join(' ')}`);
  return s;
}

/** The pod's resolv.conf and the DNSConfigForming warnings forming it produced. */
export function podResolvConf(p: PodDnsInput): { conf: ResolvConf; warnings: string[] } {
  const warnings: string[] = [];
  const host: ResolvConf = p.host
    ? { nameservers: [...p.host.nameservers], searches: [...p.host.searches], options: [...p.host.options] }
    // --resolv-conf="": the node has no resolver to pass on; the local host is what the resolver falls back to
    : { nameservers: ['127.0.0.1'], searches: ['.'], options: [] };
  let type = dnsType(p);
  if (type === 'cluster' && p.clusterDNS.length === 0) {
    warnings.push('kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.');
    type = 'host';
  }
  let conf: ResolvConf = host;
  if (type === 'none') conf = { nameservers: [], searches: [], options: [] };
  if (type === 'cluster') {
    const d = p.clusterDomain;
    const clusterSearch = d ? [`${p.namespace}.svc.${d}`, `svc.${d}`, d] : [];
    conf = { nameservers: [...p.clusterDNS], searches: unique([...clusterSearch, ...host.searches]), options: [...defaultDnsOptions] };
  }
  if (p.dnsConfig) {
    conf = {
      nameservers: unique([...conf.nameservers, ...(p.dnsConfig.nameservers ?? [])]),
      searches: unique([...conf.searches, ...(p.dnsConfig.searches ?? [])]),
      options: mergeOptions(conf.options, p.dnsConfig.options),
    };
  }
  if (conf.nameservers.length > maxNameservers) {
    conf.nameservers = conf.nameservers.slice(0, maxNameservers);
    warnings.push(`Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${conf.nameservers.join(' ')}`);
  }
  conf.searches = fitSearches(conf.searches, warnings);
  return { conf, warnings };
}
