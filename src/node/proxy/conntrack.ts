// Stale UDP (and SCTP) conntrack entries, cleared after a sync as upstream kube-proxy does: connectionless flows
// keep their NAT decision as long as packets keep coming, so (1) flows DNATed to an endpoint that left would keep
// going to it, and (2) flows created while a service had no endpoints (rejected, never DNATed) would keep missing
// the new endpoints — for DNS that is 30 s of failed lookups right after the DNS pods come up. TCP needs none of
// this: a reset or timeout ends the flow. Pure planning plus a runner of `conntrack -D`.
import { runCommand } from './exec.ts';
import type { ServicePortInfo } from './model.ts';

/** One `conntrack -D` filter. */
export interface FlowFilter {
  protocol: 'udp' | 'sctp';
  /** Original destination address; absent for node ports (any local address). */
  dst?: string;
  dport: number;
  /** Only flows DNATed to this endpoint address. */
  dnatTo?: string;
}

function addresses(sp: ServicePortInfo): string[] {
  return [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs];
}

/** The flows to delete when a service's ports go from `before` to `after` (either may be empty). */
export function staleFlows(before: ServicePortInfo[], after: ServicePortInfo[]): FlowFilter[] {
  const out: FlowFilter[] = [];
  const next = new Map(after.map((sp) => [`${sp.protocol}/${sp.portName}`, sp]));
  for (const old of before) {
    if (old.protocol === 'tcp') continue;
    const protocol = old.protocol;
    const now = next.get(`${old.protocol}/${old.portName}`);
    const kept = new Set((now?.endpoints ?? []).map((e) => e.ip));
    for (const ep of old.endpoints) {
      if (kept.has(ep.ip)) continue;
      for (const dst of addresses(old)) out.push({ protocol, dst, dport: old.port, dnatTo: ep.ip });
      if (old.nodePort) out.push({ protocol, dport: old.nodePort, dnatTo: ep.ip });
    }
  }
  const had = new Map(before.map((sp) => [`${sp.protocol}/${sp.portName}`, sp.endpoints.length]));
  for (const sp of after) {
    if (sp.protocol === 'tcp' || sp.endpoints.length === 0 || (had.get(`${sp.protocol}/${sp.portName}`) ?? 0) > 0) continue;
    const protocol = sp.protocol;
    for (const dst of addresses(sp)) out.push({ protocol, dst, dport: sp.port });
    if (sp.nodePort) out.push({ protocol, dport: sp.nodePort });
  }
  return out;
}

export function conntrackArgs(f: FlowFilter): string[] {
  const args = ['-D', '-p', f.protocol];
  if (f.dst) args.push('--orig-dst', f.dst);
  args.push('--orig-port-dst', String(f.dport));
  if (f.dnatTo) args.push('--dst-nat', f.dnatTo);
  return args;
}

/** Deletes the flows; "0 entries deleted" is not an error. Throws only when conntrack cannot run at all. */
export async function clearFlows(filters: FlowFilter[]): Promise<void> {
  for (const f of filters) {
    const r = await runCommand('conntrack', conntrackArgs(f));
    if (r.code !== 0 && !/flow entries have been deleted/.test(r.stderr)) throw new Error(`conntrack ${conntrackArgs(f).join(' ')}: ${r.stderr.trim()}`);
  }
}
