// kube-scheduler entry points. startScheduler hosts the scheduler in any process (skiff server calls it); by default
// it campaigns for the kube-system/kube-scheduler Lease and schedules only while leading, so two schedulers never
// both act. schedulerCommand is `skiff scheduler --kubeconfig K`.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { RestClient, runWithLeaderElection } from '../../client/index.ts';
import { parseSecurePort, schedulerSecurePort, startComponentEndpoint } from '../component-server.ts';
import { schedulerRegistry } from './metrics.ts';
import { Scheduler, type SchedulerOptions } from './scheduler.ts';

export { Scheduler, type SchedulerOptions, type SchedulerStats } from './scheduler.ts';
export { Algorithm, FitError, numFeasibleNodesToFind } from './algorithm.ts';
export { defaultProfile } from './plugins/index.ts';

export interface StartSchedulerOptions extends SchedulerOptions {
  signal: AbortSignal;
  /** Run under leader election on kube-system/kube-scheduler (default true). */
  leaderElect?: boolean;
  /** Leader election identity (default hostname_uuid, as upstream). */
  identity?: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
}

export interface RunningScheduler {
  /** Resolves when the scheduler has stopped (signal aborted, or leadership lost for good). */
  done: Promise<void>;
  /** The scheduler instance of the current leadership term, if leading. */
  current(): Scheduler | undefined;
}

export async function startScheduler(o: StartSchedulerOptions): Promise<RunningScheduler> {
  let current: Scheduler | undefined;
  const lead = async (signal: AbortSignal): Promise<void> => {
    current = new Scheduler(o);
    try {
      await current.run(signal);
    } finally {
      current = undefined;
    }
  };
  let done: Promise<void>;
  if (o.leaderElect ?? true) {
    done = runWithLeaderElection({
      client: o.client,
      lease: { namespace: 'kube-system', name: 'kube-scheduler' },
      identity: o.identity ?? `${hostname()}_${randomUUID()}`,
      leaseDurationSeconds: o.leaseDurationSeconds,
      renewDeadlineSeconds: o.renewDeadlineSeconds,
      retryPeriodSeconds: o.retryPeriodSeconds,
      signal: o.signal,
      onStartedLeading: lead,
    });
  } else done = lead(o.signal);
  return { done, current: () => current };
}

export const schedulerHelp = `Usage: skiff scheduler [flags]

Runs kube-scheduler against a cluster: places pending pods on nodes.

Flags:
  --kubeconfig PATH                 kubeconfig of the cluster (default $KUBECONFIG or ~/.kube/config)
  --scheduler-name NAME             pods with this spec.schedulerName are ours (default default-scheduler)
  --percentage-of-nodes-to-score N  0 = adaptive, as upstream (default 0)
  --leader-elect BOOL               campaign for kube-system/kube-scheduler (default true)
  --kube-api-qps N --kube-api-burst N   client rate limit (default 0 = unlimited, 0)
  --secure-port N                   HTTPS /metrics (cluster-CA client certificates) and /healthz; 0 disables (default 10259)
`;

export async function schedulerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      'scheduler-name': { type: 'string', default: 'default-scheduler' },
      'percentage-of-nodes-to-score': { type: 'string', default: '0' },
      'leader-elect': { type: 'string', default: 'true' },
      'kube-api-qps': { type: 'string', default: '0' },
      'kube-api-burst': { type: 'string', default: '0' },
      'secure-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(schedulerHelp);
    return 0;
  }
  const client = RestClient.fromKubeconfig(values.kubeconfig, {
    userAgent: 'skiff-scheduler', qps: Number(values['kube-api-qps']), burst: Number(values['kube-api-burst']),
  });
  const ctl = new AbortController();
  const onSignal = (): void => ctl.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let running: RunningScheduler | undefined;
  const endpoint = await startComponentEndpoint({
    name: 'scheduler', port: parseSecurePort(values['secure-port'], schedulerSecurePort), kubeconfig: values.kubeconfig,
    registry: schedulerRegistry(values['scheduler-name'], () => running?.current()?.stats),
  });
  try {
    running = await startScheduler({
      client,
      signal: ctl.signal,
      schedulerName: values['scheduler-name'],
      percentageOfNodesToScore: Number(values['percentage-of-nodes-to-score']),
      leaderElect: values['leader-elect'] !== 'false',
    });
    console.log('skiff scheduler: started');
    await running.done;
    if (ctl.signal.aborted) return 0;
    console.error('skiff scheduler: leadership lost, exiting');
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await endpoint?.close();
    client.close();
  }
}
