// `skiff agent --server https://HOST:6443 --token TOKEN`: joins this host to a cluster as a worker node, k3s's way.
// It fetches the cluster CA (pinned against the hash in a K10… node token), trades the token for a node client
// certificate (CN system:node:<name>, O system:nodes) at the server's join endpoint (src/server/node-join.ts),
// keeps that identity under <data-dir>/agent, then runs the kubelet with it until SIGTERM/SIGINT. Like k3s's agent it
// also runs kube-proxy for this host (in a worker thread, as the server hosts its own), with a system:kube-proxy
// certificate traded for the same token. The cluster DNS is not run here: the server's DNS is the kube-dns
// Service's endpoint, and this host's kube-proxy sends the pods' 10.43.0.10:53 to it over the host-gw routes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../server/data-dir-lock.ts';
import { writeKubeProxyIdentity, writeKubeletIdentity } from '../server/data-dir.ts';
import { HostedComponent } from '../server/hosted-component.ts';
import { siblingModule } from '../server/hosted-main.ts';
import type { ProxyMainOptions } from '../server/component-mains.ts';
import { parseCidr } from '../api/net/ipv4.ts';
import { caCertsPath, clientKubeProxyPath, clientKubeletPath, nodeNameHeader, type NodeCertificate } from '../server/node-join.ts';
import { parseJoinToken } from '../server/join-token.ts';
import { hostedMirrorComponent } from '../server/mirror-components.ts';
import { hostedSource, startMirrorPods } from '../server/mirror-pods.ts';
import { componentLogDir } from '../node/kubelet/component-log-paths.ts';

export const agentHelp = `Usage: skiff agent --server https://HOST:6443 --token TOKEN [flags]

Joins this host to a cluster as a worker node: trades the server's node token for a node certificate, then runs
the kubelet (with its own containerd under --data-dir unless --container-runtime-endpoint is given) and kube-proxy
(nftables). Cluster DNS is served by the server's node; pods here reach it through the kube-dns Service.

Flags:
  -s, --server URL                      the server's API (https://HOST:6443)
  -t, --token TOKEN                     the server's node token (<data-dir>/server/node-token on the server); a
                                        K10<hash>::server:<secret> token also pins the server's CA
  --token-file PATH                     read the token from this file
  --node-name NAME                      node name (default: the hostname)
  -d, --data-dir DIR                    node state (default /var/lib/skiff as root, ~/.skiff otherwise)
  --container-runtime-endpoint URL      use this CRI runtime instead of starting containerd
  --node-ip IP                          the node's InternalIP (default: the default route's address)
  --cni-bridge NAME                     Linux bridge for pods (default skiff0)
  --cluster-dns IP                      DNS server for ClusterFirst pods (default 10.43.0.10)
  --node-labels k=v,…                   extra labels on the Node
  --cluster-cidr CIDR                   the server's --cluster-cidr: kube-proxy masquerades traffic to cluster IPs
                                        from outside it (default 10.42.0.0/16)
  --disable-kube-proxy                  do not run kube-proxy on this host
`;

interface Answer {
  status: number;
  body: string;
}

function call(url: URL, o: { method: string; ca?: string; headers?: Record<string, string> }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Without a CA yet (fetching /cacerts) the server is not verified: the CA hash in the token checks it instead.
    const req = request(url, { method: o.method, headers: o.headers, ca: o.ca, rejectUnauthorized: o.ca !== undefined, timeout: 15_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within 15 s`)));
    req.on('error', (err) => reject(new Error(`cannot reach the server at ${url.origin}: ${err.message}`)));
    req.end();
  });
}

/** The CA hash a K10 token carries, if any. */
export function tokenCAHash(token: string): string | undefined {
  return /^K10([0-9a-f]{64})::/.exec(token)?.[1];
}

/** The cluster CA from the server, checked against the token's hash when it has one. */
async function clusterCA(server: string, token: string): Promise<string> {
  const r = await call(new URL(caCertsPath, server), { method: 'GET' });
  if (r.status !== 200) throw new Error(`the server at ${server} did not hand out its CA (${caCertsPath} answered ${r.status})`);
  const want = tokenCAHash(token);
  if (want && createHash('sha256').update(r.body).digest('hex') !== want) {
    throw new Error(`the server at ${server} presented a CA that does not match the token's hash: refusing to join`);
  }
  return r.body;
}

function statusMessage(body: string): string {
  try {
    const s = JSON.parse(body) as { message?: string; reason?: string };
    return s.message ?? s.reason ?? body;
  } catch {
    return body.trim();
  }
}

/** Trades the join token for a client certificate at one of the join endpoints (node-join.ts). */
async function joinFor(server: string, token: string, path: string, headers: Record<string, string> = {}): Promise<NodeCertificate> {
  const ca = await clusterCA(server, token);
  const r = await call(new URL(path, server), { method: 'POST', ca, headers: { authorization: `Bearer ${token}`, ...headers } });
  if (r.status === 401) {
    throw new Error(`the server at ${server} refused the join token (401 Unauthorized: ${statusMessage(r.body)}); use the content of <data-dir>/server/node-token on the server`);
  }
  if (r.status !== 200) throw new Error(`joining ${server} failed (${r.status}): ${statusMessage(r.body)}`);
  return JSON.parse(r.body) as NodeCertificate;
}

/** Trades the join token for this node's client certificate. */
export function joinCluster(server: string, token: string, nodeName: string): Promise<NodeCertificate> {
  return joinFor(server, token, clientKubeletPath, { [nodeNameHeader]: nodeName });
}

/** Trades the join token for a system:kube-proxy client certificate, for this host's kube-proxy. */
export function joinKubeProxy(server: string, token: string): Promise<NodeCertificate> {
  return joinFor(server, token, clientKubeProxyPath);
}

/** This host's kube-proxy, off the kubelet's event loop in a worker thread (as `skiff server` hosts its own). */
function hostedKubeProxy(options: ProxyMainOptions, dataDir: string): HostedComponent {
  const mains = siblingModule(import.meta.url, '../server/component-mains');
  // its output also goes where the kubelet serves the kube-proxy mirror pod's log from
  const logFile = { dir: componentLogDir(dataDir), container: 'kube-proxy' };
  return new HostedComponent({ name: 'kube-proxy', logFile, module: mains, export: 'proxy', options, stopTimeoutMs: 1_000 });
}

/** kube-proxy-<node> in kube-system, as the server shows its own components (mirror-pods.ts), with the node's identity. */
function publishKubeProxyMirrorPod(kubeconfig: string, nodeName: string, proxy: HostedComponent): { stop(): Promise<void> } {
  const component = hostedMirrorComponent('kube-proxy', 'worker thread of skiff agent', ['skiff', 'agent']);
  if (!component) throw new Error('no mirror pod shape for kube-proxy');
  return startMirrorPods({ kubeconfig, nodeName, source: 'skiff-agent', sources: [hostedSource(component, proxy)] });
}

export async function agentCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string', short: 's' },
      token: { type: 'string', short: 't' },
      'token-file': { type: 'string' },
      'node-name': { type: 'string' },
      'data-dir': { type: 'string', short: 'd' },
      'container-runtime-endpoint': { type: 'string' },
      'node-ip': { type: 'string' },
      'cni-bridge': { type: 'string' },
      'cluster-dns': { type: 'string' },
      'node-labels': { type: 'string' },
      'cluster-cidr': { type: 'string', default: '10.42.0.0/16' },
      'disable-kube-proxy': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(agentHelp);
    return 0;
  }
  const server = values.server;
  const token = (values.token ?? (values['token-file'] ? readFileSync(values['token-file'], 'utf8') : '')).trim();
  if (!server || !/^https:\/\//.test(server)) throw new Error('--server https://HOST:PORT is required (the server to join)');
  if (!token) throw new Error('--token (or --token-file) is required: the content of <data-dir>/server/node-token on the server');
  parseJoinToken(token); // a malformed token is refused here, before the server is asked
  const nodeName = (values['node-name'] ?? hostname()).toLowerCase();
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const clusterCidr = values['cluster-cidr'];
  if (!parseCidr(clusterCidr)) throw new Error(`--cluster-cidr: want an IPv4 CIDR such as 10.42.0.0/16, got "${clusterCidr}"`);
  const cert = await joinCluster(server, token, nodeName);
  const kubeconfig = writeKubeletIdentity(dataDir, server, cert.ca, { certPem: cert.certificate, keyPem: cert.key });
  console.log(`agent: joined ${server} as system:node:${nodeName}; identity in ${kubeconfig}`);
  let proxy: HostedComponent | undefined;
  if (!values['disable-kube-proxy']) {
    const p = await joinKubeProxy(server, token);
    const proxyKubeconfig = writeKubeProxyIdentity(dataDir, server, p.ca, { certPem: p.certificate, keyPem: p.key });
    proxy = hostedKubeProxy({ kubeconfig: proxyKubeconfig, nodeName, clusterCidr }, dataDir);
    // resolves once the first full sync is in the kernel; a proxy that cannot program this host fails the agent here
    await proxy.start();
  }
  const mirror = proxy ? publishKubeProxyMirrorPod(kubeconfig, nodeName, proxy) : undefined;
  const pass = (flag: 'container-runtime-endpoint' | 'node-ip' | 'cni-bridge' | 'cluster-dns' | 'node-labels'): string[] => (values[flag] ? [`--${flag}`, values[flag]] : []);
  const { kubeletCommand } = await import('../node/kubelet/command.ts');
  try {
    return await kubeletCommand([
      '--kubeconfig', kubeconfig, '--node-name', nodeName, '--data-dir', dataDir,
      ...pass('container-runtime-endpoint'), ...pass('node-ip'), ...pass('cni-bridge'), ...pass('cluster-dns'), ...pass('node-labels'),
    ]);
  } finally {
    // the rules stay in the kernel (traffic keeps flowing); the next agent's kube-proxy re-syncs them
    await mirror?.stop();
    await proxy?.stop();
  }
}
