// `skiff controller-manager` flags (kube-controller-manager's names) and their parsing into the manager's
// options: what the command accepts, apart from what it runs (manager.ts).
import { parseArgs } from 'node:util';
import type { ControllerOptions } from './context.ts';
import type { ControllerManagerOptions } from './manager.ts';

export const controllerManagerHelp = `Usage: skiff controller-manager [flags]

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
  --terminated-pod-gc-threshold N   terminated pods kept before the oldest are deleted; 0 never (default 12500)
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

export interface ControllerManagerFlags {
  help: boolean;
  kubeconfig?: string;
  manager: Omit<ControllerManagerOptions, 'client' | 'signal'>;
}

const flagOptions = {
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
  'terminated-pod-gc-threshold': { type: 'string' },
  'cluster-cidr': { type: 'string' },
  'node-cidr-mask-size': { type: 'string' },
  'service-cluster-ip-range': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type FlagValues = ReturnType<typeof parseArgs<{ args: string[]; options: typeof flagOptions }>>['values'];

/** Throws with the flag's name on a malformed value. */
export function parseControllerManagerFlags(argv: string[]): ControllerManagerFlags {
  const { values } = parseArgs({ args: argv, options: flagOptions });
  return {
    help: values.help === true,
    kubeconfig: values.kubeconfig,
    manager: {
      controllers: values.controllers?.split(','),
      leaderElection: values['leader-elect'] === undefined ? true : values['leader-elect'] !== 'false',
      identity: values['leader-elect-identity'],
      stopOnLostLease: true,
      leaseDurationSeconds: seconds(values['leader-elect-lease-duration']),
      renewDeadlineSeconds: seconds(values['leader-elect-renew-deadline']),
      retryPeriodSeconds: seconds(values['leader-elect-retry-period']),
      options: controllerOptions(values),
    },
  };
}

function controllerOptions(values: FlagValues): Partial<ControllerOptions> {
  const options: Partial<ControllerOptions> = {};
  const rs = positiveInt('concurrent-replicaset-syncs', values['concurrent-replicaset-syncs']);
  if (rs) options.concurrentReplicaSetSyncs = rs;
  const dep = positiveInt('concurrent-deployment-syncs', values['concurrent-deployment-syncs']);
  if (dep) options.concurrentDeploymentSyncs = dep;
  if (values['node-monitor-grace-period']) options.nodeMonitorGracePeriodMs = durationMs(values['node-monitor-grace-period']);
  const gcThreshold = values['terminated-pod-gc-threshold'];
  if (gcThreshold !== undefined) {
    if (!/^-?\d+$/.test(gcThreshold)) throw new Error(`--terminated-pod-gc-threshold: want an integer, got "${gcThreshold}"`);
    options.terminatedPodGcThreshold = Number(gcThreshold);
  }
  if (values['cluster-cidr'] !== undefined) options.clusterCidr = values['cluster-cidr'];
  const mask = positiveInt('node-cidr-mask-size', values['node-cidr-mask-size']);
  if (mask) options.nodeCidrMaskSize = mask;
  if (values['service-cluster-ip-range']) options.serviceCidr = values['service-cluster-ip-range'];
  return options;
}
