// API server benchmarks: pod creates through HTTPS against `skiff server` (a separate process, so the load
// generator does not share its CPU time), paced writes for latency under a steady rate, a 10k-pod list and
// watch fan-out. Each returns figures; bench/run.ts prints them beside their baselines.
import { Agent, request } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminClient } from '../test/support/http.ts';
import { freePort, startSkiff, type SkiffProcess } from '../test/support/process.ts';
import { drive, summarize, type BenchResult } from './store.ts';

export interface BenchServer {
  port: number;
  /** The server process, for reading its CPU time. */
  pid: number;
  kubeconfig: string;
  post(path: string, body: unknown): Promise<number>;
  get(path: string): Promise<{ status: number; bytes: number; body: Buffer }>;
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  /** Baseline for the typed-decode figure only: the server skips the schema type check of request bodies. */
  skipTypedDecode?: boolean;
}

export async function startBenchServer(datastoreEndpoint = '', opts: BenchServerOptions = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-api-'));
  const port = await freePort();
  // API server only: each benchmark starts exactly the components it measures.
  const args = ['server', '--data-dir', dataDir, '--https-listen-port', String(port), '--disable-scheduler', '--disable-controller-manager'];
  if (datastoreEndpoint) args.push('--datastore-endpoint', datastoreEndpoint);
  // The child copies the environment when spawned; the switch is set only around that spawn.
  if (opts.skipTypedDecode) process.env.SKIFF_BENCH_SKIP_TYPED_DECODE = '1';
  let proc: SkiffProcess;
  try {
    proc = await startSkiff(args, /API server listening/);
  } finally {
    delete process.env.SKIFF_BENCH_SKIP_TYPED_DECODE;
  }
  const kubeconfig = join(dataDir, 'server', 'cred', 'admin.kubeconfig');
  const c = adminClient(kubeconfig);
  const agent = new Agent({ keepAlive: true, maxSockets: 256, ca: c.ca, cert: c.cert, key: c.key });
  const call = (method: string, path: string, body?: string) => new Promise<{ status: number; bytes: number; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, bytes: all.length, body: all });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  return {
    port,
    pid: proc.child.pid ?? 0,
    kubeconfig,
    post: async (path, body) => (await call('POST', path, JSON.stringify(body))).status,
    get: (path) => call('GET', path),
    async stop() {
      agent.destroy();
      proc.child.kill('SIGTERM');
      await proc.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
});

async function createPods(s: BenchServer, prefix: string, n: number, concurrency: number): Promise<BenchResult> {
  return drive(n, concurrency, async (i) => {
    const code = await s.post('/api/v1/namespaces/default/pods', pod(`${prefix}-${i}`));
    if (code !== 201) throw new Error(`create returned ${code}`);
  });
}

/** Pod creates/s and latency with `concurrency` clients in flight. */
export async function benchPodCreates(s: BenchServer, n: number, concurrency: number): Promise<BenchResult> {
  return createPods(s, `c${concurrency}-${Date.now()}`, n, concurrency);
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface DecodeCost {
  typed: BenchResult;
  skipped: BenchResult;
  /** Server CPU milliseconds per create: robust to other load on the machine, unlike throughput. */
  typedCpuMs: number;
  skippedCpuMs: number;
}

/**
 * What the typed decode (every body field checked against the served schema) costs creates: two servers in the
 * same run, one skipping the check, measured in alternating rounds so machine noise hits both alike. Throughput
 * is the best round of each; CPU per create is summed over all rounds.
 */
export async function benchTypedDecodeCost(n: number, concurrency: number, rounds = 3): Promise<DecodeCost> {
  const typedServer = await startBenchServer();
  const skippedServer = await startBenchServer('', { skipTypedDecode: true });
  try {
    let typed: BenchResult | undefined;
    let skipped: BenchResult | undefined;
    let typedCpu = 0;
    let skippedCpu = 0;
    for (let r = 0; r < rounds; r++) {
      let cpu = cpuSeconds(skippedServer.pid);
      const a = await createPods(skippedServer, `s${r}`, n, concurrency);
      skippedCpu += cpuSeconds(skippedServer.pid) - cpu;
      cpu = cpuSeconds(typedServer.pid);
      const b = await createPods(typedServer, `t${r}`, n, concurrency);
      typedCpu += cpuSeconds(typedServer.pid) - cpu;
      if (!skipped || a.opsPerSec > skipped.opsPerSec) skipped = a;
      if (!typed || b.opsPerSec > typed.opsPerSec) typed = b;
    }
    const perCreate = (seconds: number) => (seconds * 1000) / (n * rounds);
    return { typed: typed!, skipped: skipped!, typedCpuMs: perCreate(typedCpu), skippedCpuMs: perCreate(skippedCpu) };
  } finally {
    await typedServer.stop();
    await skippedServer.stop();
  }
}

/** Latency of creates issued at a steady `rate` per second (open loop), as an SLO check. */
export async function benchPacedCreates(s: BenchServer, rate: number, seconds: number): Promise<BenchResult> {
  const latencies: number[] = [];
  const total = rate * seconds;
  const start = performance.now();
  const prefix = `paced-${Date.now()}`;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push((async () => {
      const t = performance.now();
      const code = await s.post('/api/v1/namespaces/default/pods', pod(`${prefix}-${i}`));
      if (code !== 201) throw new Error(`create returned ${code}`);
      latencies.push(performance.now() - t);
    })());
  }
  await Promise.all(inflight);
  return summarize(latencies, performance.now() - start);
}

/** Time to list `count` pods in one response, and paged at limit=500 (kubectl's page size). */
export async function benchListPods(s: BenchServer, count: number): Promise<{ fullMs: number; pagedMs: number; bytes: number }> {
  await createPods(s, `list-${Date.now()}`, count, 64);
  const t0 = performance.now();
  const full = await s.get('/api/v1/namespaces/default/pods');
  const fullMs = performance.now() - t0;
  const t1 = performance.now();
  let token = '';
  do {
    const page = await s.get(`/api/v1/namespaces/default/pods?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    const r = JSON.parse(page.body.toString('utf8')) as { metadata?: { continue?: string } };
    token = r.metadata?.continue ?? '';
  } while (token);
  return { fullMs: Math.round(fullMs), pagedMs: Math.round(performance.now() - t1), bytes: full.bytes };
}

/** `watchers` watches on one namespace, then `events` creates: events delivered per second across all watchers. */
export async function benchWatchFanout(s: BenchServer, watchers: number, events: number): Promise<{ deliveredPerSec: number; lastDeliveryMs: number }> {
  const c = adminClient(s.kubeconfig);
  await s.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fanout' } });
  const rv = (await c.send('GET', '/api/v1/namespaces/fanout/configmaps')).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
  let delivered = 0;
  let done = 0;
  let finish: () => void = () => {};
  const allDone = new Promise<void>((r) => (finish = r));
  const reqs = Array.from({ length: watchers }, () => {
    let seen = 0;
    let tail = '';
    const req = request({ host: '127.0.0.1', port: s.port, path: `/api/v1/namespaces/fanout/configmaps?watch=true&resourceVersion=${rv}`, ca: c.ca, cert: c.cert, key: c.key, agent: false }, (res) => {
      res.on('data', (d: Buffer) => {
        const text = tail + d.toString();
        const lines = text.split('\n');
        tail = lines.pop() ?? '';
        seen += lines.length;
        delivered += lines.length;
        if (seen >= events && seen - lines.length < events && ++done === watchers) finish();
      });
    });
    req.on('error', () => {});
    req.end();
    return req;
  });
  await new Promise((r) => setTimeout(r, 500));
  const start = performance.now();
  await drive(events, 16, (i) => s.post('/api/v1/namespaces/fanout/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` } }));
  await allDone;
  const ms = performance.now() - start;
  for (const r of reqs) r.destroy();
  return { deliveredPerSec: Math.round(delivered / (ms / 1000)), lastDeliveryMs: Math.round(ms) };
}
