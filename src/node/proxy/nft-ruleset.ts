// The nftables ruleset kube-proxy wants, as data, and the `nft -f` text that moves the kernel from one state to
// another in ONE transaction. Pure: ServicePortInfo[] → NftState → text. Layout (after upstream's nftables proxier):
//   map service-ips        daddr . l4proto . dport → goto service-X (clusterIP) | goto external-X (externalIPs, LB)
//   map service-nodeports  l4proto . dport → goto external-X, for daddrs that are local (`fib daddr type local`)
//   map no-endpoint-*      the same keys → goto reject-chain, checked in filter hooks BEFORE dnat, so a service
//                          without endpoints refuses at once (icmp port-unreachable = ECONNREFUSED) instead of hanging
//   service-X   masquerade traffic from outside the cluster CIDR, then cluster-X (or local-X when ITP=Local)
//   external-X  ETP=Cluster: masquerade, cluster-X; ETP=Local: pods and the host get cluster-X, others local-X
//   cluster-X / local-X   ClientIP affinity sets first, then `numgen random mod N vmap` over endpoint chains
//   endpoint-X  hairpin (saddr = the endpoint itself) is masqueraded; affinity set updated; dnat
// Chains are per service port, so an endpoint change rewrites only that service's chains and map elements.
import { createHash } from 'node:crypto';
import type { EndpointInfo, ServicePortInfo } from './model.ts';

export const masqueradeMark = '0x4000';

export interface NftState {
  /** chain name → rules (base chains carry their `{ type … }` spec in chainSpecs). */
  chains: Map<string, string[]>;
  chainSpecs: Map<string, string>;
  /** set name → its declaration body (`type …; flags …;`). */
  sets: Map<string, string>;
  /** map name → element key → verdict. */
  maps: Map<string, Map<string, string>>;
}

export interface NftOptions {
  table: string;
  /** The pod CIDR; traffic to a cluster IP from outside it is masqueraded, as upstream with --cluster-cidr. */
  clusterCIDR?: string;
}

export const mapDecls: Record<string, string> = {
  'service-ips': 'type ipv4_addr . inet_proto . inet_service : verdict ;',
  'service-nodeports': 'type inet_proto . inet_service : verdict ;',
  'no-endpoint-services': 'type ipv4_addr . inet_proto . inet_service : verdict ;',
  'no-endpoint-nodeports': 'type inet_proto . inet_service : verdict ;',
};

export function emptyState(): NftState {
  return { chains: new Map(), chainSpecs: new Map(), sets: new Map(), maps: new Map(Object.keys(mapDecls).map((m) => [m, new Map()])) };
}

/** The fixed chains every ruleset has: hooks, the dispatch through the maps, masquerading, rejecting. */
export function baseState(o: NftOptions): NftState {
  const s = emptyState();
  const chain = (name: string, rules: string[], spec?: string): void => {
    s.chains.set(name, rules);
    if (spec) s.chainSpecs.set(name, spec);
  };
  const isLocal = 'fib daddr type local ip daddr != 127.0.0.0/8';
  chain('mark-for-masquerade', [`meta mark set meta mark or ${masqueradeMark}`]);
  chain('reject-chain', ['reject']);
  chain('services', [
    'ip daddr . meta l4proto . th dport vmap @service-ips',
    `${isLocal} meta l4proto . th dport vmap @service-nodeports`,
  ]);
  chain('service-endpoints-check', ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services']);
  chain('nodeport-endpoints-check', [`${isLocal} meta l4proto . th dport vmap @no-endpoint-nodeports`]);
  // priority -110: before dnat (-100), so a service without endpoints is still recognisable by its address
  const filter = (hook: string): string => `type filter hook ${hook} priority -110 ; policy accept ;`;
  chain('filter-input', ['ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check'], filter('input'));
  chain('filter-forward', ['ct state new jump service-endpoints-check'], filter('forward'));
  chain('filter-output', ['ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check'], filter('output'));
  chain('nat-prerouting', ['jump services'], 'type nat hook prerouting priority dstnat ; policy accept ;');
  chain('nat-output', ['jump services'], 'type nat hook output priority -100 ; policy accept ;');
  chain('nat-postrouting', [
    `meta mark & ${masqueradeMark} == 0 return`,
    `meta mark set meta mark xor ${masqueradeMark}`,
    'masquerade fully-random',
  ], 'type nat hook postrouting priority srcnat ; policy accept ;');
  return s;
}

/** Upstream-style chain suffix: a short hash (unique) plus the readable service port. */
function chainId(sp: ServicePortInfo): string {
  const h = createHash('sha256').update(sp.id + '/' + sp.protocol).digest('hex').slice(0, 8).toUpperCase();
  return `${h}-${sp.namespace}/${sp.name}/${sp.protocol}/${sp.portName}`;
}

function endpointId(sp: ServicePortInfo, ep: EndpointInfo): string {
  const h = createHash('sha256').update(`${sp.id}/${sp.protocol}/${ep.ip}:${ep.port}`).digest('hex').slice(0, 8).toUpperCase();
  return `${h}-${sp.namespace}/${sp.name}/${sp.protocol}/${sp.portName}__${ep.ip}/${ep.port}`;
}

/** Rules spreading new connections over endpoints: affinity first, then a random pick. */
function balanceRules(sp: ServicePortInfo, eps: EndpointInfo[]): string[] {
  if (eps.length === 0) return ['drop'];
  const rules: string[] = [];
  if (sp.affinityTimeoutSeconds > 0) {
    for (const ep of eps) rules.push(`ip saddr @affinity-${endpointId(sp, ep)} goto endpoint-${endpointId(sp, ep)}`);
  }
  const elems = eps.map((ep, i) => `${i} : goto endpoint-${endpointId(sp, ep)}`).join(' , ');
  rules.push(`numgen random mod ${eps.length} vmap { ${elems} }`);
  return rules;
}

/** The chains, sets and map elements of one service port, merged into `into`. */
export function addServicePort(into: NftState, sp: ServicePortInfo, o: NftOptions): void {
  const id = chainId(sp);
  const key = (ip: string): string => `${ip} . ${sp.protocol} . ${sp.port}`;
  const outside = [...sp.externalIPs, ...sp.loadBalancerIPs];
  if (sp.endpoints.length === 0) {
    for (const ip of [sp.clusterIP, ...outside]) into.maps.get('no-endpoint-services')!.set(key(ip), 'goto reject-chain');
    if (sp.nodePort) into.maps.get('no-endpoint-nodeports')!.set(`${sp.protocol} . ${sp.nodePort}`, 'goto reject-chain');
    return;
  }
  const local = sp.endpoints.filter((e) => e.local);
  const needLocal = sp.internalLocal || sp.externalLocal;
  for (const ep of sp.endpoints) {
    const eid = endpointId(sp, ep);
    const rules = [`ip saddr ${ep.ip} jump mark-for-masquerade`];
    if (sp.affinityTimeoutSeconds > 0) {
      into.sets.set(`affinity-${eid}`, `type ipv4_addr ; flags dynamic,timeout ; timeout ${sp.affinityTimeoutSeconds}s ;`);
      rules.push(`update @affinity-${eid} { ip saddr }`);
    }
    rules.push(`meta l4proto ${sp.protocol} dnat to ${ep.ip}:${ep.port}`);
    into.chains.set(`endpoint-${eid}`, rules);
  }
  into.chains.set(`cluster-${id}`, balanceRules(sp, sp.endpoints));
  if (needLocal) into.chains.set(`local-${id}`, balanceRules(sp, local));
  const svcRules: string[] = [];
  if (o.clusterCIDR) svcRules.push(`ip daddr ${sp.clusterIP} ip saddr != ${o.clusterCIDR} jump mark-for-masquerade`);
  svcRules.push(`goto ${sp.internalLocal ? 'local' : 'cluster'}-${id}`);
  into.chains.set(`service-${id}`, svcRules);
  into.maps.get('service-ips')!.set(key(sp.clusterIP), `goto service-${id}`);
  if (outside.length === 0 && !sp.nodePort) return;
  const ext: string[] = [];
  if (sp.externalLocal) {
    // pods and the node itself are not "external": they keep reaching every endpoint (upstream does the same)
    if (o.clusterCIDR) ext.push(`ip saddr ${o.clusterCIDR} goto cluster-${id}`);
    ext.push('fib saddr type local jump mark-for-masquerade', `fib saddr type local goto cluster-${id}`, `goto local-${id}`);
  } else {
    ext.push('jump mark-for-masquerade', `goto cluster-${id}`);
  }
  into.chains.set(`external-${id}`, ext);
  for (const ip of outside) into.maps.get('service-ips')!.set(key(ip), `goto external-${id}`);
  if (sp.nodePort) into.maps.get('service-nodeports')!.set(`${sp.protocol} . ${sp.nodePort}`, `goto external-${id}`);
}

/** The whole desired state for a set of service ports (what a full sync programs). */
export function desiredState(ports: ServicePortInfo[], o: NftOptions): NftState {
  const s = baseState(o);
  for (const sp of ports) addServicePort(s, sp, o);
  return s;
}

/** A state holding only what the given service ports add (no base chains): one service's share. */
export function serviceState(ports: ServicePortInfo[], o: NftOptions): NftState {
  const s = emptyState();
  for (const sp of ports) addServicePort(s, sp, o);
  return s;
}

function sameRules(a: string[] | undefined, b: string[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((r, i) => r === b[i]);
}

/**
 * The nft commands turning `from` into `to` (both within the table). Order matters inside the transaction: sets
 * and chains exist before rules and elements refer to them; elements go before the chains they point at are
 * deleted; chains are flushed before any is deleted, since deleted chains may jump to each other.
 */
export function diffCommands(from: NftState, to: NftState, table: string): string[] {
  const t = `ip ${table}`;
  const out: string[] = [];
  for (const [name, decl] of to.sets) if (from.sets.get(name) !== decl) out.push(`add set ${t} ${name} { ${decl} }`);
  for (const [name, rules] of to.chains) {
    if (sameRules(from.chains.get(name), rules) && from.chainSpecs.get(name) === to.chainSpecs.get(name)) continue;
    const spec = to.chainSpecs.get(name);
    out.push(spec ? `add chain ${t} ${name} { ${spec} }` : `add chain ${t} ${name}`);
    if (from.chains.has(name)) out.push(`flush chain ${t} ${name}`);
  }
  for (const [mapName, decl] of Object.entries(mapDecls)) if (!from.maps.has(mapName)) out.push(`add map ${t} ${mapName} { ${decl} }`);
  for (const [name, rules] of to.chains) {
    if (sameRules(from.chains.get(name), rules) && from.chainSpecs.get(name) === to.chainSpecs.get(name)) continue;
    for (const r of rules) out.push(`add rule ${t} ${name} ${r}`);
  }
  for (const [mapName, want] of to.maps) {
    const had = from.maps.get(mapName) ?? new Map<string, string>();
    const del = [...had].filter(([k, v]) => want.get(k) !== v).map(([k]) => k);
    const add = [...want].filter(([k, v]) => had.get(k) !== v).map(([k, v]) => `${k} : ${v}`);
    if (del.length) out.push(`delete element ${t} ${mapName} { ${del.join(', ')} }`);
    if (add.length) out.push(`add element ${t} ${mapName} { ${add.join(', ')} }`);
  }
  const gone = [...from.chains.keys()].filter((c) => !to.chains.has(c));
  for (const c of gone) out.push(`flush chain ${t} ${c}`);
  for (const c of gone) out.push(`delete chain ${t} ${c}`);
  for (const name of from.sets.keys()) if (!to.sets.has(name)) out.push(`delete set ${t} ${name}`);
  return out;
}

/** A transaction that replaces the whole table atomically (start-up, recovery): stale rules cannot survive it. */
export function fullSyncText(to: NftState, table: string): string {
  const head = [`add table ip ${table}`, `delete table ip ${table}`, `add table ip ${table}`];
  return [...head, ...diffCommands(emptyStateWithoutMaps(), to, table)].join('\n') + '\n';
}

function emptyStateWithoutMaps(): NftState {
  return { chains: new Map(), chainSpecs: new Map(), sets: new Map(), maps: new Map() };
}

/** The ruleset text for services (a pure function for tests and `--dry-run`-like inspection). */
export function renderRuleset(ports: ServicePortInfo[], o: NftOptions): string {
  return fullSyncText(desiredState(ports, o), o.table);
}
