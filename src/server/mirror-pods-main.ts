// The mirror-pod publisher as a hosted component (a HostedMain, run in a worker thread of `skiff server` by
// mirror-pods-host.ts): an API client with the node's identity, off the API server's event loop like every other
// component. Its sources come as data (MirrorSourceSpec); the supervised components' states, which live in the main
// thread, arrive as snapshots over the thread's port (HostedContext.onInput) and the sources read the latest.
import { RestClient } from '../client/index.ts';
import type { HostedMain } from './hosted-main.ts';
import { type MirrorSource, publishMirrorPods, steadySource } from './mirror-pods.ts';
import { startNodeLabels } from './node-role-labels.ts';
import { LatestStates, type MirrorSourceSpec, type StateSnapshot } from './mirror-states.ts';

export interface MirrorPodsMainOptions {
  /** The node's kubeconfig (system:node:<name>). */
  kubeconfig: string;
  nodeName: string;
  /** kubernetes.io/config.source of the pods (skiff-server). */
  source: string;
  sources: MirrorSourceSpec[];
  /**
   * The node's role labels, kept by the server as the admin (node-role-labels.ts: NodeRestriction refuses them to
   * the node itself). In this thread because it too is an API client that must stay off the API server's loop.
   */
  roleLabels?: { kubeconfig: string; labels: Record<string, string> };
}

export const mirrorPods: HostedMain<MirrorPodsMainOptions> = async (o, ctx) => {
  const states = new LatestStates();
  ctx.onInput((data) => states.update(data as StateSnapshot));
  // the supervisor sends a snapshot first thing: without it every component would show stopped for a moment
  const stopped = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([states.first, stopped]);
  if (ctx.signal.aborted) return;
  const sources = o.sources.map((s): MirrorSource => {
    if ('steadySince' in s) return steadySource(s.component, s.steadySince);
    const name = s.hosted;
    return { component: s.component, state: () => states.state(name), onChange: (fn) => states.onChange(name, fn) };
  });
  const client = RestClient.fromKubeconfig(o.kubeconfig, { userAgent: `skiff-mirror-pods/${o.nodeName}`, qps: 0 });
  const labels = o.roleLabels ? startNodeLabels({ kubeconfig: o.roleLabels.kubeconfig, nodeName: o.nodeName, labels: o.roleLabels.labels }) : undefined;
  try {
    const { done } = publishMirrorPods({ client, nodeName: o.nodeName, source: o.source, sources, signal: ctx.signal });
    ctx.ready();
    await done;
  } finally {
    await labels?.stop();
    client.close();
  }
};
