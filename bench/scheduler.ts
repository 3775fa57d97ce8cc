// scheduler_perf's SchedulingBasic shape against a real `skiff server` process (started with --disable-scheduler
// and --disable-controller-manager, so the scheduler measured is the only one): N nodes created directly through
// the API (no heartbeats), M pods already bound, then P pending pods; the scheduler (in this process, as its own
// API client) is started once they exist and the figure is pods bound per second from its cache sync to the last
// successful bind. Run alone with `node --import tsx bench/scheduler.ts [nodes existing pods]`.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { RestClient } from '../src/client/index.ts';
import { buildNode, defaultCapacity } from '../src/sim/objects.ts';
import { forEachLimit } from '../src/sim/limit.ts';
import { nodesRef, podsRef } from '../src/sim/nodes.ts';
import { startScheduler, type Scheduler } from '../src/control-plane/scheduler/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startSkiff } from '../test/support/process.ts';

/** A `skiff server` process without its own scheduler and controller-manager: the one measured runs here. */
async function startControlPlaneOnly(): Promise<{ kubeconfig: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-sched-'));
  const port = await freePort();
  const proc = await startSkiff(['server', '--disable-agent', '--data-dir', dataDir, '--https-listen-port', String(port), '--disable-scheduler', '--disable-controller-manager'], /API server listening/);
  return {
    kubeconfig: join(dataDir, 'server', 'cred', 'admin.kubeconfig'),
    async stop() {
      proc.child.kill('SIGTERM');
      await proc.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SchedulingBasicOptions {
  nodes: number;
  existingPods: number;
  pods: number;
  /** Use this cluster instead of starting a `skiff server` process. */
  kubeconfig?: string;
  concurrency?: number;
  /** Record a Scheduled event per pod, as upstream does (default true). */
  scheduledEvents?: boolean;
  bindConcurrency?: number;
}

export interface SchedulingBasicResult {
  podsPerSecond: number;
  seconds: number;
  scheduled: number;
  bindErrors: number;
  setupSeconds: number;
  /** CPU time of this (scheduler) process while scheduling: what the figure costs on the client side. */
  schedulerCpuSeconds: number;
}

// scheduler_perf's pod-default.yaml requests 100m cpu and 500Mi memory
const benchPod = (name: string, nodeName?: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'sched-bench' } },
  spec: {
    ...(nodeName ? { nodeName } : {}),
    containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } } }],
  },
});

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

async function waitFor(cond: () => boolean, signal: AbortSignal, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (signal.aborted || Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function benchSchedulingBasic(o: SchedulingBasicOptions): Promise<SchedulingBasicResult> {
  const server = o.kubeconfig ? undefined : await startControlPlaneOnly();
  const kubeconfig = o.kubeconfig ?? server!.kubeconfig;
  const client = RestClient.fromKubeconfig(kubeconfig, { qps: 0, userAgent: 'skiff-bench-scheduler' });
  const ctl = new AbortController();
  const conc = o.concurrency ?? 64;
  const tag = Date.now().toString(36);
  try {
    const setupStart = performance.now();
    await forEachLimit(range(o.nodes), conc, async (i) => {
      await client.create(nodesRef, buildNode({ name: `bench-${tag}-${i}`, index: i, capacity: defaultCapacity, labels: {}, taints: [] }, Date.now()));
    });
    await forEachLimit(range(o.existingPods), conc, async (i) => {
      await client.create(podsRef, benchPod(`existing-${tag}-${i}`, `bench-${tag}-${i % o.nodes}`));
    });
    await forEachLimit(range(o.pods), conc, async (i) => {
      await client.create(podsRef, benchPod(`pending-${tag}-${i}`));
    });
    const setupSeconds = (performance.now() - setupStart) / 1000;

    const running = await startScheduler({ client, signal: ctl.signal, leaderElect: false, scheduledEvents: o.scheduledEvents, bindConcurrency: o.bindConcurrency });
    let sched: Scheduler | undefined;
    await waitFor(() => (sched = running.current()) !== undefined && sched.stats.syncedAt !== undefined, ctl.signal, 120_000);
    const s = sched!;
    const cpu0 = process.cpuUsage();
    await waitFor(() => s.stats.scheduled + s.queue.unschedulableCount >= o.pods, ctl.signal, 600_000);
    const seconds = (s.stats.lastBindAt! - s.stats.syncedAt!) / 1000;
    const scheduled = s.stats.scheduled;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    ctl.abort();
    await running.done;
    return { podsPerSecond: Math.round(scheduled / seconds), seconds, scheduled, bindErrors: s.stats.bindErrors, setupSeconds, schedulerCpuSeconds: cpuSeconds };
  } finally {
    ctl.abort();
    client.close();
    await server?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [nodes = 5000, existingPods = 1000, pods = 10000] = process.argv.slice(2).map(Number);
  const r = await benchSchedulingBasic({
    nodes, existingPods, pods, scheduledEvents: process.env.SCHED_EVENTS !== '0', bindConcurrency: Number(process.env.SCHED_BIND_CONCURRENCY ?? 64),
  });
  console.log(`SchedulingBasic ${nodes} nodes / ${existingPods} existing / ${pods} pods: ${r.podsPerSecond} pods/s ` +
    `(${r.scheduled} bound in ${r.seconds.toFixed(1)} s, ${r.bindErrors} bind errors; setup ${r.setupSeconds.toFixed(1)} s; scheduler CPU ${r.schedulerCpuSeconds.toFixed(1)} s). ` +
    'Upstream threshold 270 pods/s, target >= 1000.');
}
