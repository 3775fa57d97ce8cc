// kube-controller-manager: runs the registered controllers in one process under ONE leader-election lease
// (kube-system/kube-controller-manager), so of several managers only the leader's controllers act. Each leadership
// term gets a fresh InformerFactory and fresh recorders: losing the lease aborts every controller, and a manager
// that wins it again rebuilds its caches from the API rather than trusting state from a term it did not lead.
// A controller that fails is restarted with backoff and counted (supervisor.ts), never silently dropped.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Clock } from '../../client/clock.ts';
import { EventRecorder } from '../../client/events.ts';
import { InformerFactory } from '../../client/informer.ts';
import { runWithLeaderElection } from '../../client/leader-election.ts';
import { RestClient } from '../../client/rest.ts';
import { startComponentEndpoint } from '../component-server.ts';
import { controllerManagerRegistry } from './metrics.ts';
import { type ControllerContext, type ControllerOptions, type StartController, defaultControllerOptions } from './context.ts';
import { controllerManagerHelp, parseControllerManagerFlags } from './manager-flags.ts';
import { startDeploymentController } from './deployment.ts';
import { startReplicaSetController, startReplicationControllerController } from './replicaset.ts';
import { startDaemonSetController } from './daemonset.ts';
import { startEndpointsController } from './endpoints.ts';
import { startEndpointSliceController } from './endpointslice.ts';
import { startGarbageCollectorController } from './garbage-collector.ts';
import { startNamespaceController } from './namespace.ts';
import { startNodeIpamController } from './node-ipam.ts';
import { startNodeLifecycleController } from './node-lifecycle.ts';
import { startTaintEvictionController } from './node-lifecycle-eviction.ts';
import { startPodGcController } from './podgc.ts';
import { startServiceAccountController } from './serviceaccount.ts';
import { startRootCAPublisher } from './root-ca-publisher.ts';
import { type SuperviseOptions, superviseController } from './supervisor.ts';
import { startJobController } from './job.ts';
import { startCronJobController } from './cronjob.ts';
import { startTtlAfterFinishedController } from './ttl-after-finished.ts';
import { startStatefulSetController } from './statefulset.ts';
import { startPersistentVolumeBinderController } from './persistentvolume.ts';
import { startLocalPathProvisioner } from './local-path-provisioner.ts';
import { startPvcProtectionController } from './pvc-protection.ts';
import { startPvProtectionController } from './pv-protection.ts';

/**
 * The registry: upstream's controller names (kube-controller-manager --controllers) → start functions.
 * Add a row per controller; `--controllers` also accepts the names without the "-controller" suffix.
 */
export const controllerRegistry: Record<string, StartController> = {
  'replicaset-controller': startReplicaSetController,
  'deployment-controller': startDeploymentController,
  'replicationcontroller-controller': startReplicationControllerController,
  'daemonset-controller': startDaemonSetController,
  'endpoints-controller': startEndpointsController,
  'endpointslice-controller': startEndpointSliceController,
  'garbage-collector-controller': startGarbageCollectorController,
  'namespace-controller': startNamespaceController,
  'node-ipam-controller': startNodeIpamController,
  'node-lifecycle-controller': startNodeLifecycleController,
  'taint-eviction-controller': startTaintEvictionController,
  'pod-garbage-collector-controller': startPodGcController,
  'serviceaccount-controller': startServiceAccountController,
  'root-ca-certificate-publisher-controller': startRootCAPublisher,
  'service-lb-controller': (ctx) => import('./servicelb.ts').then((m) => m.startServiceLBController(ctx)),
  'job-controller': startJobController,
  'cronjob-controller': startCronJobController,
  'ttl-after-finished-controller': startTtlAfterFinishedController,
  'statefulset-controller': startStatefulSetController,
  'persistentvolume-binder-controller': startPersistentVolumeBinderController,
  'local-path-provisioner-controller': startLocalPathProvisioner,
  'persistentvolumeclaim-protection-controller': startPvcProtectionController,
  'persistentvolume-protection-controller': startPvProtectionController,
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
  /** Restart backoff of failed controllers (defaults 1 s doubling to 60 s) and a failure hook (tests). */
  supervision?: Pick<SuperviseOptions, 'initialBackoffMs' | 'maxBackoffMs' | 'onFailure'>;
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
  // a controller that fails is restarted (loudly, with backoff and a metric), never silently dropped
  const running = names.map((name) => superviseController({ name, start: registry[name]!, ctx, ...o.supervision }));
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

export async function controllerManagerCommand(argv: string[]): Promise<number> {
  const flags = parseControllerManagerFlags(argv);
  if (flags.help) {
    process.stdout.write(controllerManagerHelp);
    return 0;
  }
  const client = RestClient.fromKubeconfig(flags.kubeconfig, { userAgent: 'skiff-controller-manager' });
  const ac = new AbortController();
  const stop = (sig: string): void => {
    console.log(`controller-manager: ${sig} received, shutting down`);
    ac.abort();
  };
  const onTerm = (): void => stop('SIGTERM');
  const onInt = (): void => stop('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  const endpoint = await startComponentEndpoint({
    name: 'controller-manager', port: flags.securePort, kubeconfig: flags.kubeconfig, registry: controllerManagerRegistry,
  });
  try {
    const cm = await startControllerManager({ ...flags.manager, client, signal: ac.signal });
    console.log(`controller-manager: running as ${cm.identity}`);
    await cm.done;
    // leadership lost without a signal: exit non-zero, as upstream does, so a supervisor restarts us
    return ac.signal.aborted ? 0 : 1;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    await endpoint?.close();
    client.close();
  }
}
