// The controller pipeline figure: from creating a Deployment of N replicas to all N pods created (by the
// Deployment and ReplicaSet controllers, in this process, as API clients of a `skiff server` process) and, when a
// scheduler is passed in, to all N bound. Counting uses one raw watch on the pods, so the figure is what a user
// would see. Run alone with `node --import tsx bench/controllers.ts [replicas] [--schedule]`.
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { RestClient } from '../src/client/index.ts';
import { startControllerManager } from '../src/control-plane/controllers/manager.ts';
import { deploymentsRef } from '../src/control-plane/controllers/deployment.ts';
import { podsRef } from '../src/control-plane/controllers/replicaset.ts';
import { buildNode, defaultCapacity } from '../src/sim/objects.ts';
import { nodesRef } from '../src/sim/nodes.ts';
import { forEachLimit } from '../src/sim/limit.ts';
import { startBenchServer } from './apiserver.ts';

export interface DeploymentPipelineOptions {
  replicas: number;
  /** Use this cluster instead of starting a `skiff server` process. */
  kubeconfig?: string;
  /** Starts a scheduler (e.g. startScheduler from src/control-plane/scheduler); then binding is timed as well. */
  scheduler?: (o: { client: RestClient; signal: AbortSignal }) => Promise<unknown>;
  /** Nodes registered for the scheduler (default replicas/100 + 10, at 110 pods each). */
  nodes?: number;
  timeoutMs?: number;
}

export interface DeploymentPipelineResult {
  replicas: number;
  /** Seconds from the Deployment's create call until all its pods existed (seen by a watch or in its status). */
  createdSeconds: number;
  podsCreatedPerSecond: number;
  /** Seconds to the last pod bound (only with a scheduler). */
  boundSeconds?: number;
  podsBoundPerSecond?: number;
  /** Seconds until the Deployment's status reported all replicas (updated and counted by the ReplicaSet). */
  statusSeconds: number;
  /** CPU time of this process (controllers, plus the scheduler when given) during the run. */
  clientCpuSeconds: number;
}

export async function benchDeploymentPipeline(o: DeploymentPipelineOptions): Promise<DeploymentPipelineResult> {
  const server = o.kubeconfig ? undefined : await startBenchServer();
  const kubeconfig = o.kubeconfig ?? server!.kubeconfig;
  const client = RestClient.fromKubeconfig(kubeconfig, { qps: 0, userAgent: 'skiff-bench-controllers' });
  const ctl = new AbortController();
  const name = `pipeline-${Date.now().toString(36)}`;
  const deadline = Date.now() + (o.timeoutMs ?? 600_000);
  try {
    if (o.scheduler) {
      const nodes = o.nodes ?? Math.ceil(o.replicas / 100) + 10;
      await forEachLimit(Array.from({ length: nodes }, (_, i) => i), 64, async (i) => {
        await client.create(nodesRef, buildNode({ name: `${name}-node-${i}`, index: i, capacity: defaultCapacity, labels: {}, taints: [] }, Date.now()));
      });
      await o.scheduler({ client, signal: ctl.signal });
    }
    const cm = await startControllerManager({ client, signal: ctl.signal, controllers: ['replicaset', 'deployment'], leaderElection: false });

    let created = 0;
    let bound = 0;
    let lastCreated = 0;
    let lastBound = 0;
    const seenBound = new Set<string>();
    let started = 0;
    const watching = (async () => {
      for await (const ev of client.watch<Pod>(podsRef, { namespace: 'default', labelSelector: `app=${name}`, signal: ctl.signal })) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
        const pod = ev.object as Pod;
        if (ev.type === 'ADDED') {
          created++;
          lastCreated = performance.now();
        }
        if (pod.spec?.nodeName && !seenBound.has(pod.metadata?.uid ?? '')) {
          seenBound.add(pod.metadata?.uid ?? '');
          bound++;
          lastBound = performance.now();
        }
      }
    })().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500)); // the watch and the controllers' informers are up

    const cpu0 = process.cpuUsage();
    started = performance.now();
    const deployment: Deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
      spec: {
        replicas: o.replicas, selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } },
      },
    };
    await client.create(deploymentsRef, deployment, { namespace: 'default' });
    const wait = async (done: () => boolean | Promise<boolean>, what: string): Promise<void> => {
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`benchmark timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    // all pods exist once either our watch or the Deployment's status (the controllers' own caches) says so:
    // in a busy process the watch consumer can fall behind what the server already holds
    let statusAt = 0;
    let createdAt = 0;
    await wait(async () => {
      if (created >= o.replicas) createdAt ||= lastCreated;
      if (!statusAt) {
        const d = await client.get<Deployment>(deploymentsRef, name, { namespace: 'default' });
        if (d.status?.replicas === o.replicas && d.status.updatedReplicas === o.replicas) statusAt = performance.now();
      }
      createdAt ||= statusAt;
      return createdAt > 0 && statusAt > 0;
    }, 'pods created');
    if (o.scheduler) await wait(() => bound >= o.replicas, 'pods bound');
    const cpu = process.cpuUsage(cpu0);
    const createdSeconds = (createdAt - started) / 1000;
    const result: DeploymentPipelineResult = {
      replicas: o.replicas,
      createdSeconds,
      podsCreatedPerSecond: Math.round(o.replicas / createdSeconds),
      statusSeconds: (statusAt - started) / 1000,
      clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
    if (o.scheduler) {
      result.boundSeconds = (lastBound - started) / 1000;
      result.podsBoundPerSecond = Math.round(o.replicas / result.boundSeconds);
    }
    ctl.abort();
    await cm.done;
    await watching;
    return result;
  } finally {
    ctl.abort();
    client.close();
    await server?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const replicas = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
  let scheduler: DeploymentPipelineOptions['scheduler'];
  if (args.includes('--schedule')) {
    const { startScheduler } = await import('../src/control-plane/scheduler/index.ts');
    scheduler = ({ client, signal }) => startScheduler({ client, signal, leaderElect: false, scheduledEvents: false });
  }
  const r = await benchDeploymentPipeline({ replicas, scheduler });
  console.log(`Deployment of ${r.replicas} replicas: all pods created in ${r.createdSeconds.toFixed(1)} s (${r.podsCreatedPerSecond} pods/s), ` +
    `status complete at ${r.statusSeconds.toFixed(1)} s` +
    (r.boundSeconds !== undefined ? `, all bound in ${r.boundSeconds.toFixed(1)} s (${r.podsBoundPerSecond} pods/s)` : '') +
    `; controller-side CPU ${r.clientCpuSeconds.toFixed(1)} s`);
}
