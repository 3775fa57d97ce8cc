// What Skiff put on this host outside its data dir, recorded in <data-dir>/host-record.json so that `skiff uninstall`
// removes exactly that and nothing else: the kubeconfig files it wrote or merged into (--write-kubeconfig, and the
// directory it had to make for one), kube-proxy's nftables table or iptables chain prefix, and the cluster CIDR whose
// host-gw routes it added. Entries accumulate across runs (a later start with other flags adds, never forgets).
// The CNI bridge and network are not recorded: the CNI config under <data-dir>/agent names them.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HostRecord {
  kubeconfigs: { path: string; /** the top directory made for it, removed again when empty */ madeDir?: string }[];
  /** kube-proxy's rules; without a mode, whichever of the two exists. */
  proxies: { mode?: 'nftables' | 'iptables'; table: string }[];
  clusterCidrs: string[];
}

export function hostRecordPath(dataDir: string): string {
  return join(dataDir, 'host-record.json');
}

/** The record of an earlier run; undefined when there is none (a data dir from before records, or an agent's). */
export function readHostRecord(dataDir: string): HostRecord | undefined {
  const path = hostRecordPath(dataDir);
  if (!existsSync(path)) return undefined;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<HostRecord>;
    return { kubeconfigs: r.kubeconfigs ?? [], proxies: r.proxies ?? [], clusterCidrs: r.clusterCidrs ?? [] };
  } catch (err) {
    throw new Error(`${path} is damaged (${err instanceof Error ? err.message : String(err)}); remove it to fall back to the defaults`);
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Adds to the record (what is there already stays); written atomically. */
export function addToHostRecord(dataDir: string, add: Partial<HostRecord>): void {
  const r = readHostRecord(dataDir) ?? { kubeconfigs: [], proxies: [], clusterCidrs: [] };
  for (const k of add.kubeconfigs ?? []) {
    const old = r.kubeconfigs.find((e) => e.path === k.path);
    if (!old) r.kubeconfigs.push(k);
    else old.madeDir ??= k.madeDir; // the first run that made the directory is the one that counts
  }
  for (const p of add.proxies ?? []) if (!r.proxies.some((e) => same(e, p))) r.proxies.push(p);
  for (const c of add.clusterCidrs ?? []) if (!r.clusterCidrs.includes(c)) r.clusterCidrs.push(c);
  const path = hostRecordPath(dataDir);
  writeFileSync(`${path}.tmp`, JSON.stringify(r, null, 1) + '\n', { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
