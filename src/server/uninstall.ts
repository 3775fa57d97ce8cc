// `skiff uninstall` and `skiff server --reset`: removes what Skiff made on this host for one data dir, as k3s's
// k3s-uninstall.sh does for k3s, saying each thing as it goes — the pods (sandboxes, containers, their network
// namespaces and addresses, through the node's own containerd), mounts left under the data dir, the CNI bridge and
// libcni's cache of the node's network, the host-gw routes into the cluster CIDR, kube-proxy's nftables table or
// iptables chains, Skiff's entry in the kubeconfig files it wrote (a file left with nothing else goes), and the data
// dir itself. What it removes comes from the data dir (host-record.json, the CNI config); without a record the
// defaults a server uses are assumed. It refuses while a server holds the data dir or a kubelet (an agent's) runs
// its containerd, and never deletes a directory that does not look like a Skiff data dir.
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { DataDirLockedError, lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { readHostRecord, type HostRecord } from './host-record.ts';
import { removeFromKubeconfig } from './kubeconfig-merge.ts';
import { containerdLayout } from '../node/cri/containerd-config.ts';
import { mountsUnder } from '../node/cri/containerd.ts';
import { containerdSupervisor, teardownContainerd } from '../node/cri/teardown.ts';
import { cniLayout } from '../node/network/cni.ts';
import { cniNetworks, removeBridge, removeCniResults, removeHostGwRoutes } from '../node/network/teardown.ts';
import { cleanupProxy, defaultTable } from '../node/proxy/index.ts';

export interface UninstallOptions {
  dataDir: string;
  /** Kubeconfig files to take Skiff's entry out of besides the recorded ones (--write-kubeconfig). */
  kubeconfigs?: string[];
  say: (msg: string) => void;
  /** libcni's result cache (default /var/lib/cni/results). */
  cniResultsDir?: string;
}

export interface UninstallResult {
  /** Steps that failed, each with its reason; empty when everything went. */
  failures: string[];
}

/** Where the server and agents keep what is theirs: a directory with none of these is not a Skiff data dir. */
const dataDirMarks = ['server', 'agent', 'host-record.json'];

function looksLikeDataDir(dir: string): boolean {
  return resolve(dir) !== '/' && dataDirMarks.some((m) => existsSync(join(dir, m)));
}

/** The defaults a server uses, for a data dir without a record (made before records were kept, or an agent's). */
function assumedRecord(dataDir: string): HostRecord {
  const node = existsSync(join(dataDir, 'agent'));
  return {
    kubeconfigs: [],
    proxies: node ? [{ table: defaultTable }] : [],
    clusterCidrs: node ? ['10.42.0.0/16'] : [],
  };
}

/** Skiff's entry out of a kubeconfig; the file goes when nothing else is in it, then the directories made for it. */
function removeKubeconfig(path: string, madeDir: string | undefined, say: (m: string) => void): void {
  if (!existsSync(path)) return;
  const r = removeFromKubeconfig(readFileSync(path, 'utf8'), path);
  if (r.empty) {
    rmSync(path);
    say(`removed kubeconfig ${path}`);
    // the directories this kubeconfig needed (say /etc/skiff), innermost first, while empty
    for (let dir = dirname(path); madeDir && !relative(madeDir, dir).startsWith('..'); dir = dirname(dir)) {
      if (readdirSync(dir).length) break;
      rmdirSync(dir);
      say(`removed directory ${dir}`);
      if (dir === madeDir) break;
    }
  } else if (r.removed) {
    const tmp = `${path}.skiff-${process.pid}.tmp`;
    writeFileSync(tmp, r.text, { mode: statSync(path).mode & 0o777 });
    renameSync(tmp, path);
    say(`removed the skiff cluster, user and context from ${path} (its other entries are kept)`);
  } else {
    say(`${path} holds no skiff entry: left as it is`);
  }
}

function unmount(point: string): void {
  try {
    execFileSync('umount', [point], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    execFileSync('umount', ['-l', point], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

export async function uninstall(o: UninstallOptions): Promise<UninstallResult> {
  const { say } = o;
  const failures: string[] = [];
  const step = async (what: string, fn: () => Promise<void> | void): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      const msg = `${what}: ${err instanceof Error ? err.message : String(err)}`;
      failures.push(msg);
      say(`FAILED ${msg}`);
    }
  };
  const dataDir = resolve(o.dataDir);
  if (!existsSync(dataDir)) {
    say(`${dataDir} does not exist: no cluster state to remove there`);
    for (const k of o.kubeconfigs ?? []) await step(`kubeconfig ${k}`, () => removeKubeconfig(k, undefined, say));
    return { failures };
  }
  if (!looksLikeDataDir(dataDir)) {
    throw new Error(`${dataDir} does not look like a Skiff data dir (it has none of ${dataDirMarks.join(', ')}); nothing was removed`);
  }
  let lock: DataDirLock;
  try {
    lock = lockDataDir(dataDir);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      throw new Error(`a Skiff server (PID ${err.pid}) is running on ${dataDir}: stop it first (Ctrl-C, or kill ${err.pid}); nothing was removed`);
    }
    throw err;
  }
  try {
    // an agent's or `skiff kubelet`'s node takes no lock, but its kubelet would restart the containerd stopped here
    const kubelet = containerdSupervisor(containerdLayout(dataDir));
    if (kubelet !== undefined) {
      throw new Error(`a kubelet (PID ${kubelet}) runs the containerd of ${dataDir}: stop it first (Ctrl-C the skiff agent or skiff kubelet, or kill ${kubelet}); nothing was removed`);
    }
    const record = readHostRecord(dataDir) ?? assumedRecord(dataDir);
    const podsFailed = (): boolean => failures.some((f) => f.startsWith('pods:'));
    await step('pods', async () => {
      const r = await teardownContainerd(containerdLayout(dataDir), say);
      if (r) say(`removed ${r.sandboxes} pod sandbox(es) and ${r.containers} other container(s)`);
    });
    await step('mounts', () => {
      const points = mountsUnder(dataDir).sort((a, b) => b.length - a.length);
      for (const p of points) unmount(p);
      if (points.length) say(`unmounted ${points.length} mount(s) under ${dataDir}`);
    });
    for (const net of cniNetworks(cniLayout(dataDir).confDir)) {
      await step(`bridge ${net.bridge}`, async () => {
        if (await removeBridge(net.bridge)) say(`removed bridge ${net.bridge}`);
      });
      await step(`CNI cache of ${net.network}`, () => {
        const files = removeCniResults(net.network, o.cniResultsDir);
        if (files.length) say(`removed ${files.length} cached CNI result(s) of network ${net.network}`);
      });
    }
    for (const cidr of record.clusterCidrs) {
      await step(`routes into ${cidr}`, async () => {
        for (const r of await removeHostGwRoutes(cidr)) say(`removed route ${r.dst} via ${r.via}`);
      });
    }
    for (const p of record.proxies) {
      await step(`kube-proxy rules ${p.table}`, async () => {
        if (!(await cleanupProxy(p.table, p.mode))) return;
        say(p.mode === 'nftables' ? `removed nftables table ip ${p.table}` : p.mode === 'iptables' ? `removed kube-proxy's iptables chains (${p.table})` : `removed kube-proxy's rules (${p.table})`);
      });
    }
    const kubeconfigs = new Map(record.kubeconfigs.map((k) => [resolve(k.path), k.madeDir]));
    for (const k of o.kubeconfigs ?? []) if (!kubeconfigs.has(resolve(k))) kubeconfigs.set(resolve(k), undefined);
    for (const [path, madeDir] of kubeconfigs) await step(`kubeconfig ${path}`, () => removeKubeconfig(path, madeDir, say));
    await step(`data dir ${dataDir}`, () => {
      // containerd's state there is what a retry needs to find the pods still running
      if (podsFailed()) throw new Error('kept: the pods could not be removed (see above); run skiff uninstall again once that is fixed');
      const left = mountsUnder(dataDir);
      if (left.length) throw new Error(`still mounted under it: ${left.join(', ')}; not removing it`);
      rmSync(dataDir, { recursive: true, force: true });
      say(`removed ${dataDir}`);
    });
  } finally {
    lock.release(); // the lock file went with the data dir; release() only forgets it then
  }
  return { failures };
}
