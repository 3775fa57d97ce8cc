// What every controller in the controller-manager receives. A controller is `start<Name>Controller(ctx)`, which
// runs a Controller class (base.ts): its constructor asks ctx.informers for the informers it needs (shared with
// every other controller in the process, so one watch per resource) and registers handlers that queue keys; run()
// resolves once its workers have stopped after ctx.signal aborted. It must not call start() on the factory; the
// manager starts it after every controller has registered. A controller that throws or returns early is
// restarted by the manager's supervisor (supervisor.ts).
import type { Clock } from '../../client/clock.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { SharedInformers } from '../../client/informer.ts';
import type { RestClient } from '../../client/rest.ts';

/** Tunables, named after kube-controller-manager's flags; every field has a default (see defaultControllerOptions). */
export interface ControllerOptions {
  /** --concurrent-replicaset-syncs (5). */
  concurrentReplicaSetSyncs: number;
  /** --concurrent-rc-syncs (5) and --concurrent-daemonset-syncs (2). */
  concurrentRcSyncs: number;
  concurrentDaemonSetSyncs: number;
  /** --concurrent-deployment-syncs (5). */
  concurrentDeploymentSyncs: number;
  /** --concurrent-endpoint-syncs (5). */
  concurrentEndpointSyncs: number;
  /** --concurrent-service-endpoint-syncs, for EndpointSlices (5). */
  concurrentEndpointSliceSyncs: number;
  /** --concurrent-namespace-syncs (10). */
  concurrentNamespaceSyncs: number;
  /** --concurrent-gc-syncs (20). */
  concurrentGcSyncs: number;
  /** --concurrent-serviceaccount-token-syncs (5). */
  concurrentServiceAccountSyncs: number;
  /** --node-monitor-period in ms (5 s). */
  nodeMonitorPeriodMs: number;
  /** --node-monitor-grace-period in ms: 40 s, the long-standing upstream default (1.32 raised it to 50 s). */
  nodeMonitorGracePeriodMs: number;
  /** --node-startup-grace-period in ms (60 s). */
  nodeStartupGracePeriodMs: number;
  /** --cluster-cidr for node-ipam ('' = allocation off), and --node-cidr-mask-size (24). */
  clusterCidr: string;
  nodeCidrMaskSize: number;
  /** --service-cluster-ip-range (informational for controllers that need it). */
  serviceCidr: string;
  /** Burst of pod creations per ReplicaSet sync (upstream burstReplicas, 500). */
  burstReplicas: number;
  /** --terminated-pod-gc-threshold: terminated pods kept before the oldest are collected (12500; 0 = never). */
  terminatedPodGcThreshold: number;
  /** Pod GC pass period (upstream gcCheckPeriod, 20 s) and how long a node must be missing before its pods are
   *  orphans (upstream quarantineTime, 40 s); not flags upstream either. */
  podGcPeriodMs: number;
  podGcQuarantineMs: number;
  /** The Job controller's first pod-failure backoff, doubling per failure (upstream DefaultJobPodFailureBackOff,
   *  10 s; not a flag upstream either: tests shorten it). */
  jobPodFailureBackoffMs: number;
}

export const defaultControllerOptions: ControllerOptions = {
  concurrentReplicaSetSyncs: 5,
  concurrentDeploymentSyncs: 5,
  concurrentRcSyncs: 5,
  concurrentDaemonSetSyncs: 2,
  concurrentEndpointSyncs: 5,
  concurrentEndpointSliceSyncs: 5,
  concurrentNamespaceSyncs: 10,
  concurrentGcSyncs: 20,
  concurrentServiceAccountSyncs: 5,
  nodeMonitorPeriodMs: 5_000,
  nodeMonitorGracePeriodMs: 40_000,
  nodeStartupGracePeriodMs: 60_000,
  clusterCidr: '10.42.0.0/16',
  nodeCidrMaskSize: 24,
  serviceCidr: '10.43.0.0/16',
  burstReplicas: 500,
  terminatedPodGcThreshold: 12_500,
  podGcPeriodMs: 20_000,
  podGcQuarantineMs: 40_000,
  jobPodFailureBackoffMs: 10_000,
};

export interface ControllerContext {
  client: RestClient;
  /** Shared by every controller in this manager (a view whose handlers end with this run of the controller);
   *  started by the manager after all controllers registered. */
  informers: SharedInformers;
  /** An EventRecorder whose source.component is `component` (e.g. "replicaset-controller"); one per component. */
  recorder(component: string): EventRecorder;
  /** Aborts when the manager stops or loses leadership; controllers finish their current work and resolve. */
  signal: AbortSignal;
  /** Injected time for tests; realClock when absent. */
  clock?: Clock;
  options: ControllerOptions;
}

/** A registered controller: resolves when it has stopped (after ctx.signal aborted). */
export type StartController = (ctx: ControllerContext) => Promise<void>;
