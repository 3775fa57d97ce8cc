// Cluster DNS queries/s from a pod: `skiff server` as a process (its hosted kubelet on containerd, kube-proxy on
// nftables and the DNS, on a test bridge address of its own and the isolation run's networks, as the README tour's
// test sets it up), one busybox pod, and the client loop of bench/dns.ts run inside that pod's network namespace
// (`nsenter --net=` the netns holding the pod's IP) against the real cluster DNS at the cluster DNS IP — through
// kube-proxy's DNAT to the DNS server, answering from its informers' view. Same-run baselines from the same netns
// and the same client: UDP echo round-trips to an echo server on the node's address (the pod → bridge → host path
// without DNAT and without DNS work), and the DNS queried at its endpoint directly (without the DNAT). Needs root,
// containerd, busybox-static, CNI plugins and nft. Run alone with `node --import tsx bench/dns-pod.ts`
// (dnsPodRows is what bench/run.ts calls). Cleans up what it made: the pod, its sandbox, the server by PID, the
// kube-proxy table, bridges, CNI state, the namespace, the temp dir.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RestClient, resourceRef } from '../src/client/index.ts';
import { buildTestImageArchive, busyboxImage } from '../src/node/images/busybox.ts';
import { claimRun, serverRunFlags } from '../test/support/isolation.ts';
import { cleanNodeHost, createNodeNamespace, removeSandboxes } from '../test/support/nodes.ts';
import { freePort, skiffBin, startSkiff } from '../test/support/process.ts';
import { waitFor } from '../test/support/wait.ts';
import type { BenchResult } from './store.ts';
import { startChild } from './dns.ts';

const podsRef = resourceRef('v1', 'pods');
const dnsBench = fileURLToPath(new URL('./dns.ts', import.meta.url));
// names the cluster DNS answers from its view (a Service of each kind the server makes)
const names = ['kubernetes.default.svc.cluster.local', 'kube-dns.kube-system.svc.cluster.local'];

export interface Row {
  figure: string;
  value: string;
  baseline: string;
}

export interface DnsPodResult {
  viaClusterIP: BenchResult;
  endpointDirect: BenchResult;
  echo: BenchResult;
}

/** The network namespace (under /var/run/netns, where containerd's CNI puts them) that holds `ip`. */
function netnsOf(ip: string): string {
  const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith('cni-'));
  for (const name of list) {
    try {
      if (execFileSync('ip', ['-n', name, '-o', '-4', 'addr', 'show'], { encoding: 'utf8' }).includes(` ${ip}/`)) return `/var/run/netns/${name}`;
    } catch {
      // removed meanwhile
    }
  }
  throw new Error(`no network namespace holds the pod IP ${ip}`);
}

/** bench/dns.ts's client loop, run in `netns`. */
function driveIn(netns: string, address: string, port: number, n: number, concurrency: number): Promise<BenchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netns}`, '--', process.execPath, '--import', 'tsx', dnsBench, 'drive', address, String(port), String(n), String(concurrency), names.join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as BenchResult) : reject(new Error(`client in ${netns} exited ${code}: ${out}`))));
  });
}

export async function benchDnsFromPod(n = 20_000, concurrency = 32): Promise<DnsPodResult> {
  const run = await claimRun();
  const root = mkdtempSync(join(tmpdir(), 'skiff-dnspod-'));
  const dataDir = join(root, 'server');
  const bridge = run.name('skd');
  const proxyTable = run.name('skiff-p');
  const ns = createNodeNamespace(run.name('skiff-bd-'), run.name('sdn'), run.net(0));
  let server: Awaited<ReturnType<typeof startSkiff>> | undefined;
  let client: RestClient | undefined;
  let echo: Awaited<ReturnType<typeof startChild>> | undefined;
  try {
    server = await startSkiff([
      'server', '--data-dir', dataDir, '--https-listen-port', String(await freePort()), '--bind-address', ns.hostIP,
      '--node-name', run.name('dnsb-'), '--node-ip', ns.hostIP, '--cni-bridge', bridge, ...serverRunFlags(run),
    ], /API server listening/, 90_000);
    client = RestClient.fromKubeconfig(join(dataDir, 'server', 'cred', 'admin.kubeconfig'), { userAgent: 'dns-pod-bench', qps: 0 });
    const archive = join(root, 'busybox.tar');
    writeFileSync(archive, buildTestImageArchive());
    await waitFor('the node\'s containerd', () => existsSync(join(dataDir, 'agent', 'containerd', 'containerd.sock')), 60_000, 250);
    execFileSync(process.execPath, [skiffBin, 'image', 'import', '--data-dir', dataDir, archive], { stdio: 'ignore' });
    await client.create(podsRef, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dns-client' }, spec: { containers: [{ name: 'c', image: busyboxImage, command: ['sleep', '3600'] }] } }, { namespace: 'default' });
    const pod = await waitFor('dns-client Running', async () => {
      const p = await client!.get<Pod>(podsRef, 'dns-client', { namespace: 'default' });
      return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
    }, 90_000, 250);
    const netns = netnsOf(pod.status!.podIP!);
    const endpoint = await waitFor('kube-dns endpoint', async () => {
      // the DNS publishes itself as the selector-less kube-dns Service's EndpointSlice (src/node/dns/publish.ts)
      const slices = await client!.list<EndpointSlice>(resourceRef('discovery.k8s.io/v1', 'endpointslices'), { namespace: 'kube-system', labelSelector: 'kubernetes.io/service-name=kube-dns' });
      for (const slice of slices.items) {
        const port = slice.ports?.find((p) => p.protocol === 'UDP' && p.name === 'dns')?.port ?? slice.ports?.find((p) => p.protocol === 'UDP')?.port;
        const ip = slice.endpoints?.[0]?.addresses?.[0];
        if (ip && port) return { ip, port };
      }
      return undefined;
    }, 60_000, 250);
    // kube-proxy has programmed the DNAT once a query through the cluster DNS IP is answered from the pod
    await waitFor('cluster DNS answers from the pod', () => driveIn(netns, run.clusterDns, 53, 10, 1).then(() => true, () => false), 60_000, 500);
    echo = await startChild('echo', 0, ns.hostIP);
    return {
      echo: await driveIn(netns, ns.hostIP, echo.port, n, concurrency),
      endpointDirect: await driveIn(netns, endpoint.ip, endpoint.port, n, concurrency),
      viaClusterIP: await driveIn(netns, run.clusterDns, 53, n, concurrency),
    };
  } finally {
    echo?.child.kill('SIGTERM');
    if (client) {
      await client.delete(podsRef, 'dns-client', { namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined);
      await waitFor('the pod gone', async () => !(await client!.list<Pod>(podsRef, { namespace: 'default' })).items.length, 60_000, 250).catch(() => undefined);
      client.close();
    }
    await removeSandboxes(dataDir);
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
    await server?.exited;
    cleanNodeHost(dataDir, bridge);
    try {
      execFileSync('nft', ['delete', 'table', 'ip', proxyTable], { stdio: 'ignore' });
    } catch {
      // not made
    }
    ns.destroy();
    rmSync(root, { recursive: true, force: true });
    await run.release();
  }
}

const fmt = (r: BenchResult): string => `${r.opsPerSec}/s (p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms)`;

export async function dnsPodRows(): Promise<Row[]> {
  if (process.getuid?.() !== 0) return [{ figure: 'cluster DNS queries from a pod', value: 'not measured', baseline: 'needs root (a real node)' }];
  const r = await benchDnsFromPod();
  return [
    { figure: 'cluster DNS A queries from a pod, via the cluster DNS IP (kube-proxy DNAT)', value: fmt(r.viaClusterIP), baseline: `UDP echo round-trips pod -> node address ${fmt(r.echo)}` },
    { figure: 'cluster DNS A queries from a pod, at its endpoint (no DNAT)', value: fmt(r.endpointDirect), baseline: `same echo baseline ${fmt(r.echo)}` },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await dnsPodRows()) console.log(`${row.figure}: ${row.value} | ${row.baseline}`);
}
