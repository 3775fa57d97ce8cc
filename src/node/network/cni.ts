// The pod network of one node: a CNI conflist (bridge + host-local + portmap; containerd's CRI sets up loopback itself) built
// from the node's podCIDR, written into containerd's CNI conf dir before the first pod (containerd refuses
// RunPodSandbox with "cni plugin not initialized" until a config exists). The gateway is the first address of the
// podCIDR, on the node's bridge; host-local keeps its allocations under the node's data dir.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CniLayout {
  confDir: string;
  binDir: string;
  ipamDir: string;
}

export function cniLayout(dataDir: string, binDir = '/usr/lib/cni'): CniLayout {
  return { confDir: join(dataDir, 'agent', 'cni', 'net.d'), binDir, ipamDir: join(dataDir, 'agent', 'cni', 'ipam') };
}

export interface CniOptions {
  podCIDR: string;
  /** Linux bridge name (at most 15 characters; default skiff0). */
  bridge?: string;
  /** The network's name; libcni keys its cache (/var/lib/cni/results) by it (default skiff). */
  network?: string;
  ipamDir: string;
  mtu?: number;
}

/** The first usable address of an IPv4 CIDR (the bridge's gateway address). */
export function gatewayOf(cidr: string): string {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255)) || !(bits >= 8 && bits <= 30)) throw new Error(`invalid IPv4 podCIDR ${cidr}`);
  const n = (((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0) & ((~0 << (32 - bits)) >>> 0);
  const g = (n + 1) >>> 0;
  return [g >>> 24, (g >>> 16) & 255, (g >>> 8) & 255, g & 255].join('.');
}

export function bridgeConflist(o: CniOptions): object {
  const bridge = o.bridge ?? 'skiff0';
  if (bridge.length > 15) throw new Error(`bridge name ${bridge} is longer than 15 characters`);
  return {
    cniVersion: '1.0.0',
    name: o.network ?? 'skiff',
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        // Pod traffic leaving the node keeps its source address (routes to other nodes' podCIDRs do the rest);
        // hairpin lets a pod reach itself through a Service.
        ipMasq: false,
        hairpinMode: true,
        ...(o.mtu ? { mtu: o.mtu } : {}),
        ipam: {
          type: 'host-local',
          dataDir: o.ipamDir,
          ranges: [[{ subnet: o.podCIDR, gateway: gatewayOf(o.podCIDR) }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
}

const confName = '10-skiff.conflist';

/** Writes the conflist atomically (containerd watches the dir); returns whether the content changed. */
export function writeCniConfig(layout: CniLayout, o: Omit<CniOptions, 'ipamDir'>): boolean {
  mkdirSync(layout.confDir, { recursive: true });
  mkdirSync(layout.ipamDir, { recursive: true });
  const file = join(layout.confDir, confName);
  const text = JSON.stringify(bridgeConflist({ ...o, ipamDir: layout.ipamDir }), null, 1) + '\n';
  let old = '';
  try {
    old = readFileSync(file, 'utf8');
  } catch {
    // first write
  }
  if (old === text) return false;
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
  return true;
}

/**
 * Removes an old podCIDR's gateway address from the bridge: the bridge plugin refuses to add a new gateway to a
 * bridge that has a different one ("already has an IP address different from …"), so a node whose podCIDR
 * changed (its Node deleted and registered again) must drop the old one first. Pods still on the old range lose
 * their gateway; they belonged to the deleted Node and are being removed.
 */
export function dropBridgeGateway(bridge: string, oldCIDR: string): void {
  try {
    execFileSync('ip', ['addr', 'del', `${gatewayOf(oldCIDR)}/${oldCIDR.split('/')[1]}`, 'dev', bridge], { stdio: 'ignore' });
  } catch {
    // not there (the bridge is made with the first pod)
  }
}
