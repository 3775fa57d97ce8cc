// Taking a node's pod network off the host (for `skiff uninstall`), after its pods are gone: the Linux bridge each
// of its CNI configs names, libcni's cached results for those networks (/var/lib/cni/results/<net>-<id>-<if>), and
// the host-gw routes to other nodes' podCIDRs (routes.ts leaves them in place when the kubelet stops). Only what
// those configs and the cluster CIDR name is touched. The host-local address files live in the data dir.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseCidr, parseIPv4, prefixMask } from '../../api/net/ipv4.ts';

export interface CniNetwork {
  network: string;
  bridge: string;
}

/** The networks and bridges the conflists in confDir set up (what cni.ts writes). */
export function cniNetworks(confDir: string): CniNetwork[] {
  if (!existsSync(confDir)) return [];
  const out: CniNetwork[] = [];
  for (const f of readdirSync(confDir)) {
    if (!f.endsWith('.conflist')) continue;
    try {
      const conf = JSON.parse(readFileSync(join(confDir, f), 'utf8')) as { name?: string; plugins?: { type?: string; bridge?: string }[] };
      const bridge = conf.plugins?.find((p) => p.type === 'bridge')?.bridge ?? 'cni0';
      if (conf.name) out.push({ network: conf.name, bridge });
    } catch {
      // not ours to judge: a file that does not parse names nothing
    }
  }
  return out;
}

function ip(args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile('ip', args, (err, stdout, stderr) => resolve({ ok: !err, stdout, stderr: stderr || (err ? err.message : '') })));
}

/** Deletes the bridge (its pods' veths went with their sandboxes); false when there was none. */
export async function removeBridge(name: string): Promise<boolean> {
  if (!(await ip(['link', 'show', 'dev', name])).ok) return false;
  const r = await ip(['link', 'del', 'dev', name]);
  if (!r.ok) throw new Error(`ip link del ${name}: ${r.stderr.trim()}`);
  return true;
}

/** libcni's result cache entries of this network (file names `<network>-<64 hex container id>-<ifname>`). */
export function removeCniResults(network: string, dir = '/var/lib/cni/results'): string[] {
  if (!existsSync(dir)) return [];
  const escaped = network.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const mine = new RegExp(`^${escaped}-[0-9a-f]{64}-[^/]+$`);
  const removed = readdirSync(dir).filter((f) => mine.test(f));
  for (const f of removed) rmSync(join(dir, f), { force: true });
  return removed;
}

interface RouteEntry {
  dst?: string;
  gateway?: string;
}

/** Routes via a gateway to blocks inside the cluster CIDR: the host-gw routes of routes.ts. */
export function hostGwRoutes(routes: RouteEntry[], clusterCidr: string): { dst: string; via: string }[] {
  const cluster = parseCidr(clusterCidr);
  if (!cluster) return [];
  const out: { dst: string; via: string }[] = [];
  for (const r of routes) {
    if (!r.gateway || !r.dst || r.dst === 'default') continue;
    const [addr, bits = '32'] = r.dst.split('/');
    const base = parseIPv4(addr);
    if (base === undefined || Number(bits) < cluster.bits) continue;
    if (((base & prefixMask(cluster.bits)) >>> 0) === cluster.base) out.push({ dst: r.dst.includes('/') ? r.dst : `${r.dst}/32`, via: r.gateway });
  }
  return out;
}

/** Deletes the host-gw routes into clusterCidr; returns what it removed. */
export async function removeHostGwRoutes(clusterCidr: string): Promise<{ dst: string; via: string }[]> {
  const listed = await ip(['-4', '-j', 'route', 'show']);
  if (!listed.ok) throw new Error(`ip route show: ${listed.stderr.trim()}`);
  const routes = hostGwRoutes(JSON.parse(listed.stdout || '[]') as RouteEntry[], clusterCidr);
  for (const r of routes) {
    const del = await ip(['route', 'del', r.dst, 'via', r.via]);
    if (!del.ok) throw new Error(`ip route del ${r.dst} via ${r.via}: ${del.stderr.trim()}`);
  }
  return routes;
}
