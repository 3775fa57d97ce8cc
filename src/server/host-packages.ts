// The OS packages a node needs (Debian/Ubuntu names) and which of them this host lacks: the one list `skiff server`
// checks before it starts its kubelet, and that scripts/up.sh installs (its list is kept equal by a test). Each is
// found as the node uses it: a program on PATH (containerd, runc, nft, iptables, conntrack are run by name), the
// CNI plugins in their directory, busybox where the pause image is built from.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProxyMode } from '../node/proxy/flags.ts';

export interface HostPackage {
  /** The package to install. */
  name: string;
  /** Programs it must put on PATH. */
  programs?: string[];
  /** Files it must put in place. */
  files?: string[];
}

export interface NodeNeeds {
  /** Whether this node runs kube-proxy, and in which mode. */
  proxy?: ProxyMode;
  /** Where the CNI plugins are looked for (default /usr/lib/cni). */
  cniBinDir?: string;
}

export function nodePackages(o: NodeNeeds = {}): HostPackage[] {
  const cni = o.cniBinDir ?? '/usr/lib/cni';
  const list: HostPackage[] = [
    { name: 'containerd', programs: ['containerd', 'containerd-shim-runc-v2'] },
    { name: 'runc', programs: ['runc'] },
    { name: 'containernetworking-plugins', files: ['bridge', 'host-local', 'portmap', 'loopback'].map((p) => join(cni, p)) },
    { name: 'busybox-static', files: ['/bin/busybox'] },
  ];
  if (o.proxy === 'nftables') list.push({ name: 'nftables', programs: ['nft'] });
  if (o.proxy === 'iptables') list.push({ name: 'iptables', programs: ['iptables', 'iptables-restore'] });
  if (o.proxy) list.push({ name: 'conntrack', programs: ['conntrack'] });
  return list;
}

/** On PATH, as spawn looks it up. */
export function onPath(program: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => dir && existsSync(join(dir, program)));
}

/** The names of the packages whose programs or files are missing here. */
export function missingPackages(packages: HostPackage[], path = process.env.PATH ?? ''): string[] {
  return packages
    .filter((p) => (p.programs ?? []).some((prog) => !onPath(prog, path)) || (p.files ?? []).some((f) => !existsSync(f)))
    .map((p) => p.name);
}
