// `skiff sim-nodes --count N --kubeconfig K`: runs N simulated nodes until SIGTERM/SIGINT. Flags apart from the
// behaviour (nodes.ts). The client is not rate limited: 5,000 nodes renew 500 leases a second.
import { parseArgs } from 'node:util';
import type { Taint } from 'kubernetes-types/core/v1.js';
import { RestClient } from '../client/index.ts';
import { startSimNodes } from './nodes.ts';

export const simNodesHelp = `Usage: skiff sim-nodes [flags]

Registers simulated (kwok-style) nodes, renews their leases and runs the pods bound to them (no containers).

Flags:
  --kubeconfig PATH       kubeconfig of the cluster (default $KUBECONFIG or ~/.kube/config)
  --count N               number of nodes (default 1)
  --prefix P              node names are P-0, P-1, ... (default sim-node)
  --cpu Q --memory Q --pods N   capacity of each node (default 32, 256Gi, 110)
  --label k=v             extra node label (repeatable)
  --taint k=v:Effect      node taint (repeatable)
  --heartbeat-interval S  lease renewal period in seconds (default 10)
  --concurrency N         concurrent API writes (default 32)
`;

export function parseTaint(s: string): Taint {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(s);
  if (!m) throw new Error(`invalid taint "${s}": want key[=value]:Effect`);
  return m[2] !== undefined ? { key: m[1], value: m[2], effect: m[3] } : { key: m[1], effect: m[3] };
}

export async function simNodesCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      count: { type: 'string', default: '1' },
      prefix: { type: 'string', default: 'sim-node' },
      cpu: { type: 'string' },
      memory: { type: 'string' },
      pods: { type: 'string' },
      label: { type: 'string', multiple: true, default: [] },
      taint: { type: 'string', multiple: true, default: [] },
      'heartbeat-interval': { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '32' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(simNodesHelp);
    return 0;
  }
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 0) {
    process.stderr.write(`skiff sim-nodes: --count must be a non-negative integer\n`);
    return 2;
  }
  const capacity: Record<string, string> = {};
  if (values.cpu) capacity.cpu = values.cpu;
  if (values.memory) capacity.memory = values.memory;
  if (values.pods) capacity.pods = values.pods;
  const labels: Record<string, string> = {};
  for (const l of values.label) {
    const i = l.indexOf('=');
    if (i <= 0) throw new Error(`invalid label "${l}": want key=value`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  const taints = values.taint.map(parseTaint);
  const client = RestClient.fromKubeconfig(values.kubeconfig, { qps: 0, userAgent: 'skiff-sim-nodes' });
  const ctl = new AbortController();
  const onSignal = (): void => ctl.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const sim = await startSimNodes({
      client, count, prefix: values.prefix, capacity, labels, taints, signal: ctl.signal,
      heartbeatIntervalMs: Number(values['heartbeat-interval']) * 1000, concurrency: Number(values.concurrency),
    });
    console.log(`skiff sim-nodes: ${count} simulated nodes registered (${values.prefix}-0 …)`);
    await new Promise<void>((resolve) => (ctl.signal.aborted ? resolve() : ctl.signal.addEventListener('abort', () => resolve(), { once: true })));
    await sim.stop();
    return 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    client.close();
  }
}
