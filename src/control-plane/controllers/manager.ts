// kube-controller-manager: runs the registered controllers in one process under ONE leader-election lease
// (kube-system/kube-controller-manager), so of several managers only the leader's controllers act. Each leadership
// term gets a fresh InformerFactory and fresh recorders: losing the lease aborts every controller, and a manager
// that wins it again rebuilds its caches from the API rather than trusting state from a term it did not lead.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { setMaxListeners } from 'node:events';
import type { Clock } from '../../client/clock.ts';
import { EventRecorder } from '../../client/events.ts';
import { InformerFactory } from '../../client/informer.ts';
import { runWithLeaderElection } from '../../client/leader-election.ts';
import { RestClient } from '../../client/rest.ts';
import { type ControllerContext, type ControllerOptions, type StartController, defaultControllerOptions } from './context.ts';
import { startDeploymentController } from './deployment.ts';
import { startReplicaSetController } from './replicaset.ts';
import { startEndpointsController } from './endpoints.ts';
import { startEndpointSliceController } from './endpointslice.ts';
import { startGarbageCollectorController } from './garbage-collector.ts';
import { startNamespaceController } from './namespace.ts';
import { startNodeIpamController } from './node-ipam.ts';
import { startNodeLifecycleController } from './node-lifecycle.ts';
import { startTaintEvictionController } from './node-lifecycle-eviction.ts';
import { startServiceAccountController } from './serviceaccount.ts';

/**
 * The registry: upstream's controller names (kube-controller-manager --controllers) → start functions.
 * Add a row per controller; `--controllers` also accepts the names without the "-controller" suffix.
 */
export const controllerRegistry: Record<string, StartController> = {
  'replicaset-controller': startReplicaSetController,
  'deployment-controller': startDeploymentController,
  'endpoints-controller': startEndpointsController,
  'endpointslice-controller': startEndpointSliceController,
  'garbage-collector-controller': startGarbageCollectorController,
  'namespace-controller': startNamespaceController,
  'node-ipam-controller': startNodeIpamController,
  'node-lifecycle-controller': startNodeLifecycleController,
  'taint-eviction-controller': startTaintEvictionController,
  'serviceaccount-controller': startServiceAccountController,
};

export const controllerManagerLease = { namespace: 'kube-system', name: 'kube-controller-manager' };

export interface ControllerManagerOptions {
  client: RestClient;
  signal: AbortSignal;
  /** Upstream syntax: '*' = all, 'name' enables, '-name' disables (default ['*']). */
  controllers?: string[];
  /** Default true; false runs the controllers at once (tests, single-instance hosting). */
  leaderElection?: boolean;
  /** Lease holder identity (default `<hostname>_<uuid>`, as upstream). */
  identity?: string;
  options?: Partial<ControllerOptions>;
  clock?: Clock;
  /** Lease timings in seconds (defaults 15/10/2, as upstream). */
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Resolve `done` when leadership is lost instead of campaigning again (the command does, as upstream exits). */
  stopOnLostLease?: boolean;
  /** Override the registry (tests). */
  registry?: Record<string, StartController>;
}

export interface ControllerManager {
  readonly identity: string;
  /** True while this instance's controllers are running. */
  isLeading(): boolean;
  /** Resolves once every controller has stopped after signal aborted. */
  readonly done: Promise<void>;
}

function canonical(name: string): string {
  return name.endsWith('-controller') ? name.slice(0, -'-controller'.length) : name;
}

/** Which registry names the --controllers list enables, as upstream's IsControllerEnabled. */
export function enabledControllers(registry: Record<string, StartController>, list: string[] = ['*']): string[] {
  const want = new Set<string>();
  const not = new Set<string>();
  let star = false;
  for (const raw of list.map((s) => s.trim()).filter(Boolean)) {
    if (raw === '*') star = true;
    else if (raw.startsWith('-')) not.add(canonical(raw.slice(1)));
    else want.add(canonical(raw));
  }
  const known = new Set(Object.keys(registry).map(canonical));
  for (const n of [...want, ...not]) if (!known.has(n)) throw new Error(`unknown controller "${n}"`);
  return Object.keys(registry).filter((n) => !not.has(canonical(n)) && (want.has(canonical(n)) || star));
}

/** Runs the enabled controllers with one shared informer factory until signal aborts. */
async function runControllers(o: ControllerManagerOptions, names: string[], signal: AbortSignal): Promise<void> {
  const registry = o.registry ?? controllerRegistry;
  // every in-flight request of every controller listens on this signal; hundreds at once are normal here
  setMaxListeners(0, signal);
  const informers = new InformerFactory(o.client, { clock: o.clock });
  const recorders = new Map<string, EventRecorder>();
  const ctx: ControllerContext = {
    client: o.client,
    informers,
    recorder(component) {
      let r = recorders.get(component);
      if (!r) {
        r = new EventRecorder({ client: o.client, component, clock: o.clock });
        recorders.set(component, r);
      }
      return r;
    },
    signal,
    clock: o.clock,
    options: { ...defaultControllerOptions, ...o.options },
  };
  const running = names.map((name) =>
    registry[name]!(ctx).catch((err: unknown) => {
      console.error(`controller-manager: ${name} failed:`, err instanceof Error ? err.message : err);
    }),
  );
  informers.start(signal); // after every controller asked for its informers, so all share one start
  await Promise.all(running);
  // Stopping: Events still queued are dropped rather than written one by one while the user waits.
  if (signal.aborted) for (const r of recorders.values()) r.discardPending();
  await Promise.all([...recorders.values()].map((r) => r.flush()));
}

export async function startControllerManager(o: ControllerManagerOptions): Promise<ControllerManager> {
  const names = enabledControllers(o.registry ?? controllerRegistry, o.controllers);
  const identity = o.identity ?? `${hostname()}_${randomUUID()}`;
  let leading = false;
  const body = async (signal: AbortSignal): Promise<void> => {
    leading = true;
    try {
      await runControllers(o, names, signal);
    } finally {
      leading = false;
    }
  };
  const campaign = async (): Promise<void> => {
    for (;;) {
      await runWithLeaderElection({
        client: o.client,
        lease: controllerManagerLease,
        identity,
        signal: o.signal,
        clock: o.clock,
        leaseDurationSeconds: o.leaseDurationSeconds,
        renewDeadlineSeconds: o.renewDeadlineSeconds,
        retryPeriodSeconds: o.retryPeriodSeconds,
        onStartedLeading: body,
      });
      if (o.signal.aborted || o.stopOnLostLease) return;
      // the term's caches and queues are gone with it; campaigning again starts from the API afresh
      console.error(`controller-manager ${identity}: lost the lease, campaigning again`);
    }
  };
  const done = o.leaderElection === false ? body(o.signal) : campaign();
  return { identity, isLeading: () => leading, done };
}

const help = `Usage: skiff controller-manager [flags]

  --kubeconfig PATH                 kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)
  --controllers LIST                comma list: '*' all, 'name' enable, '-name' disable (default '*')
  --leader-elect BOOL               run under the kube-system/kube-controller-manager lease (default true)
  --leader-elect-identity ID        lease holder identity (default <hostname>_<uuid>)
  --leader-elect-lease-duration DUR (default 15s)
  --leader-elect-renew-deadline DUR (default 10s)
  --leader-elect-retry-period DUR   (default 2s)
  --concurrent-replicaset-syncs N   (default 5)
  --concurrent-deployment-syncs N   (default 5)
  --node-monitor-grace-period DUR   (default 40s)
  --cluster-cidr CIDR               node-ipam allocation range (default 10.42.0.0/16)
  --node-cidr-mask-size N           (default 24)
  --service-cluster-ip-range CIDR   (default 10.43.0.0/16)
`;

function durationMs(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) throw new Error(`invalid duration "${s}"`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Number(m[1]) * mult;
}

const seconds = (s: string | undefined): number | undefined => (s === undefined ? undefined : durationMs(s) / 1000);

function positiveInt(name: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: want a positive integer, got "${s}"`);
  return n;
}

export async function controllerManagerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      controllers: { type: 'string' },
      'leader-elect': { type: 'string' },
      'leader-elect-identity': { type: 'string' },
      'leader-elect-lease-duration': { type: 'string' },
      'leader-elect-renew-deadline': { type: 'string' },
      'leader-elect-retry-period': { type: 'string' },
      'concurrent-replicaset-syncs': { type: 'string' },
      'concurrent-deployment-syncs': { type: 'string' },
      'node-monitor-grace-period': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'node-cidr-mask-size': { type: 'string' },
      'service-cluster-ip-range': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const options: Partial<ControllerOptions> = {};
  const rs = positiveInt('concurrent-replicaset-syncs', values['concurrent-replicaset-syncs']);
  if (rs) options.concurrentReplicaSetSyncs = rs;
  const dep = positiveInt('concurrent-deployment-syncs', values['concurrent-deployment-syncs']);
  if (dep) options.concurrentDeploymentSyncs = dep;
  if (values['node-monitor-grace-period']) options.nodeMonitorGracePeriodMs = durationMs(values['node-monitor-grace-period']);
  if (values['cluster-cidr'] !== undefined) options.clusterCidr = values['cluster-cidr'];
  const mask = positiveInt('node-cidr-mask-size', values['node-cidr-mask-size']);
  if (mask) options.nodeCidrMaskSize = mask;
  if (values['service-cluster-ip-range']) options.serviceCidr = values['service-cluster-ip-range'];

  const client = RestClient.fromKubeconfig(values.kubeconfig, { userAgent: 'skiff-controller-manager' });
  const ac = new AbortController();
  const stop = (sig: string): void => {
    console.log(`controller-manager: ${sig} received, shutting down`);
    ac.abort();
  };
  const onTerm = (): void => stop('SIGTERM');
  const onInt = (): void => stop('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  try {
    const cm = await startControllerManager({
      client,
      signal: ac.signal,
      controllers: values.controllers?.split(','),
      leaderElection: values['leader-elect'] === undefined ? true : values['leader-elect'] !== 'false',
      identity: values['leader-elect-identity'],
      stopOnLostLease: true,
      leaseDurationSeconds: seconds(values['leader-elect-lease-duration']),
      renewDeadlineSeconds: seconds(values['leader-elect-renew-deadline']),
      retryPeriodSeconds: seconds(values['leader-elect-retry-period']),
      options,
    });
    console.log(`controller-manager: running as ${cm.identity}`);
    await cm.done;
    // leadership lost without a signal: exit non-zero, as upstream does, so a supervisor restarts us
    return ac.signal.aborted ? 0 : 1;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    client.close();
  }
}
