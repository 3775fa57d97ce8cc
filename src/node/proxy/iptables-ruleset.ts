// The iptables-mode ruleset (for kernels without nftables), as `iptables-restore --noflush` text. Pure:
// ServicePortInfo[] → text. Same structure as the nftables mode, in upstream's iptables-proxier shape:
// <P>-SERVICES dispatches on daddr/proto/dport to per-service chains, which pick an endpoint chain with
// `-m statistic --mode random --probability 1/(n-i)`; ClientIP affinity uses `-m recent`; services without
// endpoints are REJECTed in the filter table. Every sync rewrites Skiff's chains (declaring a chain in --noflush
// mode flushes it) and deletes the ones no longer wanted, in one atomic restore per table.
import { createHash } from 'node:crypto';
import type { EndpointInfo, ServicePortInfo } from './model.ts';

const mark = '0x4000';

/** The chain-name prefix for a table name: iptables chain names are at most 28 characters. */
export function chainPrefix(table: string): string {
  return 'SK' + createHash('sha256').update(table).digest('hex').slice(0, 6).toUpperCase();
}

function h(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12).toUpperCase();
}

export interface IptablesRuleset {
  nat: Map<string, string[]>;
  filter: Map<string, string[]>;
}

function balance(P: string, sp: ServicePortInfo, eps: EndpointInfo[], sep: (ep: EndpointInfo) => string): string[] {
  const rules: string[] = [];
  if (sp.affinityTimeoutSeconds > 0) {
    for (const ep of eps) rules.push(`-m recent --name ${sep(ep)} --rcheck --seconds ${sp.affinityTimeoutSeconds} --reap -j ${sep(ep)}`);
  }
  eps.forEach((ep, i) => {
    const left = eps.length - i;
    rules.push(left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(10)} -j ${sep(ep)}` : `-j ${sep(ep)}`);
  });
  if (eps.length === 0) rules.push(`-j ${P}-MARK-DROP`);
  return rules;
}

/** The rules, chain by chain, for both tables. */
export function iptablesRuleset(ports: ServicePortInfo[], table: string, clusterCIDR?: string): IptablesRuleset {
  const P = chainPrefix(table);
  const nat = new Map<string, string[]>([
    [`${P}-SERVICES`, []], [`${P}-NODEPORTS`, []],
    [`${P}-MARK-MASQ`, [`-j MARK --or-mark ${mark}`]],
    [`${P}-MARK-DROP`, ['-j MARK --or-mark 0x8000']],
    [`${P}-POSTROUTING`, [`-m mark ! --mark ${mark}/${mark} -j RETURN`, `-j MARK --xor-mark ${mark}`, '-j MASQUERADE --random-fully']],
  ]);
  const filter = new Map<string, string[]>([[`${P}-REJECT`, ['-m mark --mark 0x8000/0x8000 -j DROP']]]);
  const services = nat.get(`${P}-SERVICES`)!;
  const nodeports = nat.get(`${P}-NODEPORTS`)!;
  const reject = filter.get(`${P}-REJECT`)!;
  for (const sp of ports) {
    const id = h(sp.id + '/' + sp.protocol);
    const match = (ip: string): string => `-d ${ip}/32 -p ${sp.protocol} -m ${sp.protocol} --dport ${sp.port}`;
    const outside = [...sp.externalIPs, ...sp.loadBalancerIPs];
    if (sp.endpoints.length === 0) {
      for (const ip of [sp.clusterIP, ...outside]) reject.push(`${match(ip)} -j REJECT`);
      if (sp.nodePort) reject.push(`-m addrtype --dst-type LOCAL -p ${sp.protocol} -m ${sp.protocol} --dport ${sp.nodePort} -j REJECT`);
      continue;
    }
    const sep = (ep: EndpointInfo): string => `${P}-SEP-${h(`${sp.id}/${sp.protocol}/${ep.ip}:${ep.port}`)}`;
    for (const ep of sp.endpoints) {
      const rules = [`-s ${ep.ip}/32 -j ${P}-MARK-MASQ`];
      if (sp.affinityTimeoutSeconds > 0) rules.push(`-m recent --name ${sep(ep)} --set`);
      rules.push(`-p ${sp.protocol} -j DNAT --to-destination ${ep.ip}:${ep.port}`);
      nat.set(sep(ep), rules);
    }
    nat.set(`${P}-CLU-${id}`, balance(P, sp, sp.endpoints, sep));
    if (sp.internalLocal || sp.externalLocal) nat.set(`${P}-LOC-${id}`, balance(P, sp, sp.endpoints.filter((e) => e.local), sep));
    const svc = clusterCIDR ? [`! -s ${clusterCIDR} -d ${sp.clusterIP}/32 -j ${P}-MARK-MASQ`] : [];
    svc.push(`-j ${P}-${sp.internalLocal ? 'LOC' : 'CLU'}-${id}`);
    nat.set(`${P}-SVC-${id}`, svc);
    services.push(`${match(sp.clusterIP)} -j ${P}-SVC-${id}`);
    if (outside.length === 0 && !sp.nodePort) continue;
    const ext = sp.externalLocal
      ? [...(clusterCIDR ? [`-s ${clusterCIDR} -j ${P}-CLU-${id}`] : []), `-m addrtype --src-type LOCAL -j ${P}-MARK-MASQ`,
        `-m addrtype --src-type LOCAL -j ${P}-CLU-${id}`, `-j ${P}-LOC-${id}`]
      : [`-j ${P}-MARK-MASQ`, `-j ${P}-CLU-${id}`];
    nat.set(`${P}-EXT-${id}`, ext);
    for (const ip of outside) services.push(`${match(ip)} -j ${P}-EXT-${id}`);
    if (sp.nodePort) nodeports.push(`-p ${sp.protocol} -m ${sp.protocol} --dport ${sp.nodePort} -j ${P}-EXT-${id}`);
  }
  services.push(`-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j ${P}-NODEPORTS`);
  return { nat, filter };
}

/** One table's restore text: declare (and so flush) every wanted chain, fill them, delete stale ones. */
export function restoreText(table: 'nat' | 'filter', chains: Map<string, string[]>, stale: string[]): string {
  const out = [`*${table}`];
  for (const c of chains.keys()) out.push(`:${c} - [0:0]`);
  for (const c of stale) out.push(`:${c} - [0:0]`);
  for (const [c, rules] of chains) for (const r of rules) out.push(`-A ${c} ${r}`);
  for (const c of stale) out.push(`-X ${c}`);
  out.push('COMMIT');
  return out.join('\n') + '\n';
}

/** Where Skiff's entry chains hook into the built-in chains. */
export function hookRules(table: string): { table: 'nat' | 'filter'; chain: string; rule: string[] }[] {
  const P = chainPrefix(table);
  const ctNew = ['-m', 'conntrack', '--ctstate', 'NEW'];
  return [
    { table: 'nat', chain: 'PREROUTING', rule: ['-j', `${P}-SERVICES`] },
    { table: 'nat', chain: 'OUTPUT', rule: ['-j', `${P}-SERVICES`] },
    { table: 'nat', chain: 'POSTROUTING', rule: ['-j', `${P}-POSTROUTING`] },
    { table: 'filter', chain: 'INPUT', rule: [...ctNew, '-j', `${P}-REJECT`] },
    { table: 'filter', chain: 'FORWARD', rule: [...ctNew, '-j', `${P}-REJECT`] },
    { table: 'filter', chain: 'OUTPUT', rule: [...ctNew, '-j', `${P}-REJECT`] },
  ];
}
