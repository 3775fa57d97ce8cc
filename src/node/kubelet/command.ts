// `skiff kubelet`: runs the kubelet for one node against a cluster (--kubeconfig), with its own containerd under
// --data-dir unless --container-runtime-endpoint names a running CRI runtime. SIGTERM/SIGINT stop it in order.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { RestClient, loadKubeconfig } from '../../client/index.ts';
import { startKubelet } from './kubelet.ts';
import { parseEvictionHard } from './pressure.ts';
import { kubeletLabelKeys, kubeletLabelNamespaces, nodeForbiddenLabels } from '../../api/node-labels.ts';

export const kubeletHelp = `Usage: skiff kubelet [flags]

Runs the kubelet for one node: registers the Node, renews its Lease, and runs the pods bound to it through
containerd's CRI.

Flags:
  --kubeconfig PATH                     kubeconfig of the cluster (default $KUBECONFIG or ~/.kube/config)
  --node-name NAME                      node name (default: the hostname)
  --data-dir DIR                        node state: containerd, CNI, pod logs (default /var/lib/skiff)
  --container-runtime-endpoint URL      use this CRI runtime (unix:///run/containerd/containerd.sock) instead
                                        of starting containerd under --data-dir
  --node-ip IP                          the node's InternalIP (default: the default route's address)
  --pod-cidr CIDR                       use this podCIDR instead of waiting for node-ipam
  --cluster-dns IP                      DNS server for ClusterFirst pods (default 10.43.0.10)
  --cluster-domain DOMAIN               cluster domain (default cluster.local)
  --resolv-conf PATH                    the node's resolver config for pods' DNS ('' for none; default /etc/resolv.conf)
  --cni-bridge NAME                     Linux bridge for pods (default skiff0)
  --node-labels k=v,…                   extra labels on the Node
  --private-registry FILE               registries.yaml: mirrors, auth, TLS (default <data-dir>/agent/etc/registries.yaml)
  --port N                              port of the kubelet's HTTPS API: logs, exec, attach, port-forward (default 10250; 0 = any free port)
  --client-ca-file FILE                 CA whose client certificates the kubelet API accepts (default: the kubeconfig's cluster CA)
  --eviction-hard SIGNAL<VALUE,…        thresholds of the pressure conditions, e.g. memory.available<100Mi,nodefs.available<10%
                                        (default: memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,
                                        imagefs.available<15%,imagefs.inodesFree<5%; pid.available has none)
`;

/** --node-labels, refusing labels NodeRestriction would refuse the node, as upstream's kubelet does at start. */
function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    out[i < 0 ? part : part.slice(0, i)] = i < 0 ? '' : part.slice(i + 1);
  }
  const refused = nodeForbiddenLabels(Object.keys(out));
  if (refused.length) {
    throw new Error(`unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: [${refused.join(' ')}]\n` +
      `--node-labels in the 'kubernetes.io' namespace must begin with an allowed prefix (${kubeletLabelNamespaces.join(', ')}) ` +
      `or be in the specifically allowed set (${kubeletLabelKeys().join(', ')})`);
  }
  return out;
}

/** The kubelet API's port and client CA; without a CA (a kubeconfig without one) the API is off. */
function kubeletServerFlags(port: string | undefined, caFile: string | undefined, kubeconfig: string | undefined): { port: number; clientCA: string } | undefined {
  const n = Number(port ?? '10250');
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port: invalid port "${port}"`);
  const ca = caFile ? readFileSync(caFile, 'utf8') : loadKubeconfig(kubeconfig).ca?.toString('utf8');
  return ca ? { port: n, clientCA: ca } : undefined;
}

export async function kubeletCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      'node-name': { type: 'string' },
      'data-dir': { type: 'string' },
      'container-runtime-endpoint': { type: 'string' },
      'node-ip': { type: 'string' },
      'pod-cidr': { type: 'string' },
      'cluster-dns': { type: 'string', default: '10.43.0.10' },
      'cluster-domain': { type: 'string', default: 'cluster.local' },
      'resolv-conf': { type: 'string', default: '/etc/resolv.conf' },
      'cni-bridge': { type: 'string' },
      'node-labels': { type: 'string' },
      'private-registry': { type: 'string' },
      port: { type: 'string', default: '10250' },
      'client-ca-file': { type: 'string' },
      'eviction-hard': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(kubeletHelp);
    return 0;
  }
  const evictionHard = values['eviction-hard'] === undefined ? undefined : parseEvictionHard(values['eviction-hard']);
  const nodeLabels = parseLabels(values['node-labels']);
  const nodeName = (values['node-name'] ?? hostname()).toLowerCase();
  const dataDir = values['data-dir'] ?? (process.getuid?.() === 0 ? '/var/lib/skiff' : join(process.env.HOME ?? '.', '.skiff'));
  const client = RestClient.fromKubeconfig(values.kubeconfig, { userAgent: `skiff-kubelet/${nodeName}`, qps: 50, burst: 100 });
  const ac = new AbortController();
  const kubelet = await startKubelet({
    client,
    nodeName,
    dataDir,
    runtimeEndpoint: values['container-runtime-endpoint'],
    nodeIP: values['node-ip'],
    podCIDR: values['pod-cidr'],
    clusterDNS: values['cluster-dns'] ? values['cluster-dns'].split(',') : [],
    clusterDomain: values['cluster-domain'],
    resolvConf: values['resolv-conf'],
    cniBridge: values['cni-bridge'],
    nodeLabels,
    privateRegistry: values['private-registry'],
    kubeletServer: kubeletServerFlags(values.port, values['client-ca-file'], values.kubeconfig),
    evictionHard,
    signal: ac.signal,
  });
  console.log(`kubelet: node ${nodeName} running (runtime ${kubelet.runtimeEndpoint})`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  console.log('kubelet: shutting down');
  await kubelet.stop();
  client.close();
  console.log('kubelet: stopped');
  return 0;
}
