// The server's node gets its role label (node-role.kubernetes.io/control-plane, kubectl's ROLES column) from the
// server, as the admin, the way k3s's server labels its node: upstream's NodeRestriction refuses a kubelet any label
// under kubernetes.io / k8s.io outside the kubelet's own set, so that a node cannot steer workloads meant for control
// planes to itself. It watches that one Node and merge-patches the labels whenever the Node is (re)registered
// without them; it never removes a label.
import type { Node } from 'kubernetes-types/core/v1.js';
import { type Action, InformerFactory, RestClient, WorkQueue, isNotFound, resourceRef, runController } from '../client/index.ts';

const nodesRef = resourceRef('v1', 'nodes', false);

export interface NodeLabelerOptions {
  client: RestClient;
  nodeName: string;
  labels: Record<string, string>;
  signal: AbortSignal;
  log?: (line: string) => void;
}

const missing = (node: Node | undefined, labels: Record<string, string>): boolean =>
  !!node && Object.entries(labels).some(([k, v]) => node.metadata?.labels?.[k] !== v);

/** Runs until signal aborts. */
export async function keepNodeLabels(o: NodeLabelerOptions): Promise<void> {
  const factory = new InformerFactory(o.client);
  const nodes = factory.informerFor<Node>(nodesRef, { fieldSelector: `metadata.name=${o.nodeName}` });
  const queue = new WorkQueue<string>();
  const check = (n: Node): void => {
    if (missing(n, o.labels)) queue.add(o.nodeName);
  };
  nodes.addEventHandler({ onAdd: check, onUpdate: (_, n) => check(n) });
  factory.start(o.signal);
  await runController({
    name: 'node-role-labels', queue, workers: 1, signal: o.signal, synced: [nodes.synced],
    reconcile: async (name, signal): Promise<Action> => {
      if (!missing(nodes.lister.get(undefined, name), o.labels)) return;
      try {
        await o.client.patch(nodesRef, name, { metadata: { labels: o.labels } }, 'merge', { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    onError: (_, err) => o.log?.(`labelling node ${o.nodeName}: ${err instanceof Error ? err.message : String(err)}`),
  });
}

export function startNodeLabels(o: Omit<NodeLabelerOptions, 'client' | 'signal'> & { kubeconfig: string }): { stop(): Promise<void> } {
  const client = RestClient.fromKubeconfig(o.kubeconfig, { userAgent: 'skiff-server/node-labels', qps: 0 });
  const ac = new AbortController();
  const done = keepNodeLabels({ ...o, client, signal: ac.signal, log: o.log ?? ((line) => console.error(`skiff server: ${line}`)) });
  return {
    async stop() {
      ac.abort();
      await done.catch(() => undefined);
      client.close();
    },
  };
}
