// Node throughput (upstream's node-throughput/density test on one node): 100 pods created at 5 pods/s, bound by
// the scheduler to one real kubelet with containerd; reports creation -> Running (seen by a watch) p50/p90/p99,
// beside the raw CRI sandbox + container start measured on the same containerd in the same run, and the kubelet's
// RSS with the pods running. Needs root, containerd, busybox-static and the CNI plugins. Run alone with
// `node --import tsx bench/node.ts`; benchNodeThroughput is what bench/run.ts calls.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../src/client/index.ts';
import { startScheduler } from '../src/control-plane/scheduler/index.ts';
import { CriClient } from '../src/node/cri/client.ts';
import { containerdLayout } from '../src/node/cri/containerd-config.ts';
import { mountsUnder } from '../src/node/cri/containerd.ts';
import { buildTestImageArchive, busyboxImage } from '../src/node/images/busybox.ts';
import { importArchive } from '../src/node/images/import.ts';
import { startSkiff } from '../test/support/process.ts';
import { nodeKubeconfig } from '../test/support/node-identity.ts';
import { waitFor } from '../test/support/wait.ts';
import { startControllerManager } from '../src/control-plane/controllers/manager.ts';
import { startBenchServer } from './apiserver.ts';

const podsRef = resourceRef('v1', 'pods');

export interface NodeThroughputResult {
  pods: number;
  running: number;
  /** creation -> spec.nodeName seen (the scheduler's share). */
  boundP50Ms: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  rawP50Ms: number;
  rawP99Ms: number;
  kubeletRssMiB: number;
  /** CPU seconds used while the pods were created and started: the kubelet process, and containerd (no shims). */
  kubeletCpuS: number;
  containerdCpuS: number;
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** Sandbox + create + start of one container, straight through CRI, n times in a row. */
async function rawCriStarts(cri: CriClient, n: number, logDir: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const config = { metadata: { name: `raw-${i}`, uid: `raw-${randomBytes(4).toString('hex')}`, namespace: 'bench', attempt: 0 }, hostname: `raw-${i}`, logDirectory: logDir };
    const t0 = performance.now();
    const sb = await cri.runPodSandbox(config);
    const id = await cri.createContainer(sb, { metadata: { name: 'c' }, image: { image: busyboxImage }, command: ['sleep', '3600'], logPath: `raw-${i}.log` }, config);
    await cri.startContainer(id);
    times.push(performance.now() - t0);
    await cri.stopPodSandbox(sb);
    await cri.removePodSandbox(sb);
  }
  return times.sort((a, b) => a - b);
}

function benchPod(i: number): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `tp-${i}`, namespace: 'default' },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: busyboxImage, command: ['sleep', '3600'] }] },
  };
}

/** User + system CPU seconds a process has used (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

export async function benchNodeThroughput(o: { pods?: number; perSecond?: number; raw?: number } = {}): Promise<NodeThroughputResult> {
  const total = o.pods ?? 100;
  const perSecond = o.perSecond ?? 5;
  const suffix = randomBytes(2).toString('hex');
  const bridge = `skb${suffix}`;
  const podCIDR = `10.${200 + (randomBytes(1)[0] % 50)}.${randomBytes(1)[0]}.0/24`;
  const server = await startBenchServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-node-'));
  const client = RestClient.fromKubeconfig(server.kubeconfig, { userAgent: 'bench-node', qps: 0 });
  const ac = new AbortController();
  const sched = await startScheduler({ client, signal: ac.signal, leaderElect: false });
  // what every pod needs before a kubelet can start it, as in the product: its ServiceAccount (admission gives it the
  // kube-api-access token volume) and the kube-root-ca.crt ConfigMap that volume projects
  const manager = await startControllerManager({ client, signal: ac.signal, leaderElection: false, controllers: ['serviceaccount', 'root-ca-certificate-publisher'] });
  await waitFor('default ServiceAccount and kube-root-ca.crt', async () =>
    (await client.get(resourceRef('v1', 'serviceaccounts'), 'default', { namespace: 'default' }).catch(() => undefined)) &&
    (await client.get(resourceRef('v1', 'configmaps'), 'kube-root-ca.crt', { namespace: 'default' }).catch(() => undefined)), 30_000, 100);
  // the kubelet runs as its node (system:node:<name>), so the Node authorizer's cost is in the figures as in the product
  const nodeName = `bench-${suffix}`;
  const serverDataDir = join(server.kubeconfig, '..', '..', '..');
  const nodeToken = readFileSync(join(serverDataDir, 'server', 'node-token'), 'utf8').trim();
  const kubeletKubeconfig = await nodeKubeconfig({ url: `https://127.0.0.1:${server.port}`, joinToken: nodeToken, dataDir: serverDataDir }, nodeName);
  const kubelet = await startSkiff(['kubelet', '--kubeconfig', kubeletKubeconfig, '--node-name', nodeName, '--data-dir', dataDir,
    '--pod-cidr', podCIDR, '--cni-bridge', bridge], /kubelet: node \S+ running/);
  const endpoint = `unix://${containerdLayout(dataDir).socket}`;
  const cri = new CriClient(endpoint);
  try {
    const archive = join(dataDir, 'busybox.tar');
    writeFileSync(archive, buildTestImageArchive());
    await importArchive(endpoint, archive);
    const raw = await rawCriStarts(cri, o.raw ?? 20, join(dataDir, 'raw-logs'));

    const created = new Map<string, number>();
    const runningAt = new Map<string, number>();
    const boundAt = new Map<string, number>();
    const watchAc = new AbortController();
    const watching = (async () => {
      for await (const ev of client.watch<Pod>(podsRef, { namespace: 'default', signal: watchAc.signal })) {
        if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') continue;
        const name = ev.object.metadata?.name ?? '';
        if (ev.object.spec?.nodeName && !boundAt.has(name)) boundAt.set(name, performance.now());
        if (ev.object.status?.phase === 'Running' && !runningAt.has(name)) runningAt.set(name, performance.now());
        if (runningAt.size === total) return;
      }
    })().catch(() => undefined);
    const containerdPid = Number(readFileSync(containerdLayout(dataDir).pidFile, 'utf8'));
    const cpu0 = [cpuSeconds(kubelet.child.pid!), cpuSeconds(containerdPid)];
    const start = performance.now();
    await Promise.all(Array.from({ length: total }, async (_, i) => {
      const due = start + (i * 1000) / perSecond;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      created.set(`tp-${i}`, performance.now());
      await client.create(podsRef, benchPod(i), { namespace: 'default' });
    }));
    const deadline = Date.now() + 120_000;
    while (runningAt.size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const kubeletRssMiB = rssMiB(kubelet.child.pid!);
    const kubeletCpuS = cpuSeconds(kubelet.child.pid!) - cpu0[0];
    const containerdCpuS = cpuSeconds(containerdPid) - cpu0[1];
    if (runningAt.size < total) console.error(`bench/node: only ${runningAt.size}/${total} Running; kubelet said:\n${kubelet.output().split('\n').slice(-30).join('\n')}`);
    watchAc.abort();
    await watching;
    const lat = [...runningAt].map(([name, t]) => t - (created.get(name) ?? t)).sort((a, b) => a - b);
    const bound = [...boundAt].map(([name, t]) => t - (created.get(name) ?? t)).sort((a, b) => a - b);
    return {
      pods: total, running: runningAt.size, boundP50Ms: pct(bound, 50), p50Ms: pct(lat, 50), p90Ms: pct(lat, 90), p99Ms: pct(lat, 99),
      rawP50Ms: pct(raw, 50), rawP99Ms: pct(raw, 99), kubeletRssMiB, kubeletCpuS, containerdCpuS,
    };
  } finally {
    // Pods go through the API first (grace 0: at once), so the kubelet tears their sandboxes down and has nothing
    // left to re-create; then whatever the runtime still holds is removed through CRI, then the kubelet stops.
    const pods = await client.list<Pod>(podsRef, { namespace: 'default' }).catch(() => ({ items: [] as Pod[] }));
    await Promise.all(pods.items.map((p) => client.delete(podsRef, p.metadata!.name!, { namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined)));
    const until = Date.now() + 120_000;
    while (Date.now() < until && (await cri.listPodSandbox().catch(() => [])).length > 0) await new Promise((r) => setTimeout(r, 250));
    for (const sb of await cri.listPodSandbox().catch(() => [])) {
      await cri.stopPodSandbox(sb.id).catch(() => undefined);
      await cri.removePodSandbox(sb.id).catch(() => undefined);
    }
    cri.close();
    kubelet.child.kill('SIGTERM');
    await kubelet.exited;
    ac.abort();
    await sched.done;
    await manager.done;
    client.close();
    await server.stop();
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    } catch {
      // no bridge was made
    }
    const results = '/var/lib/cni/results';
    if (existsSync(results)) for (const f of readdirSync(results)) if (f.startsWith(`${bridge}-`)) rmSync(join(results, f), { force: true });
    const mounts = mountsUnder(dataDir);
    if (mounts.length) console.error(`bench/node: ${mounts.length} mounts left under ${dataDir}; not removing it`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

const ms = (v: number): string => `${v.toFixed(0)} ms`;

export function formatNodeThroughput(r: NodeThroughputResult): { value: string; baseline: string } {
  return {
    value: `${r.running}/${r.pods} Running; creation->Running p50 ${ms(r.p50Ms)}, p90 ${ms(r.p90Ms)}, p99 ${ms(r.p99Ms)} ` +
      `(bound p50 ${ms(r.boundP50Ms)}); kubelet RSS ${r.kubeletRssMiB} MiB, CPU ${r.kubeletCpuS.toFixed(1)} s ` +
      `(containerd ${r.containerdCpuS.toFixed(1)} s)`,
    baseline: `raw CRI sandbox+container start p50 ${ms(r.rawP50Ms)}, p99 ${ms(r.rawP99Ms)} ` +
      '(targets: p99 <= 1 s, p50 <= 2x raw; upstream SLO p99 <= 5 s)',
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchNodeThroughput();
  const f = formatNodeThroughput(r);
  console.log(`node throughput, 100 pods at 5/s on one kubelet: ${f.value} | ${f.baseline}`);
}
