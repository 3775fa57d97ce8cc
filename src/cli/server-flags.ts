// `skiff server` flags (k3s's names, so habits carry over), grouped as its help shows them.
import { controllerManagerSecurePort, parseSecurePort, schedulerSecurePort } from '../control-plane/component-server.ts';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../server/data-dir-lock.ts';
import { parseProxyFlags, type ProxyMode } from '../node/proxy/flags.ts';
import { defaultAdvertiseAddress, defaultBindAddress } from '../server/api-address.ts';

export interface ServerConfig {
  dataDir: string;
  httpsListenPort: number;
  bindAddress: string;
  advertiseAddress: string;
  /** More names and IPs on the serving certificate (where agents reach the API). */
  tlsSan: string[];
  datastoreEndpoint: string;
  token?: string;
  writeKubeconfig?: string;
  writeKubeconfigMode: number;
  clusterCidr: string;
  serviceCidr: string;
  /** Ports NodePort Services get (kube-apiserver's --service-node-port-range, default 30000-32767). */
  serviceNodePortRange: { min: number; max: number };
  /** k3s's --kube-proxy-arg: `skiff proxy` flags (without the dashes) for the hosted kube-proxy, e.g. table=NAME. */
  /** DNS server the kubelet gives ClusterFirst pods. */
  clusterDns: string;
  /** The node name of the server's own kubelet (default: the hostname). */
  nodeName?: string;
  /** Its InternalIP (default: the default route's address). */
  nodeIp?: string;
  containerRuntimeEndpoint?: string;
  cniBridge?: string;
  /** No kubelet in this server (a control-plane-only host). */
  disableAgent: boolean;
  /** Packaged components not to run (k3s's --disable): 'coredns' (cluster DNS). */
  disable: string[];
  disableKubeProxy: boolean;
  /** The hosted kube-proxy's mode and nftables table / iptables chain prefix (--kube-proxy-arg). */
  kubeProxy: { mode: ProxyMode; table: string };
  /** --reset: remove what this server made on the host (skiff uninstall) and exit instead of starting. */
  reset: boolean;
  /** The kubelet API's port (upstream 10250; 0 picks a free one). */
  kubeletPort: number;
  disableScheduler: boolean;
  disableControllerManager: boolean;
  /** The hosted components' secure /metrics and /healthz ports; 0 serves none. */
  schedulerSecurePort: number;
  controllerManagerSecurePort: number;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
}

export const serverHelp = `Usage: skiff server [flags]

Runs the control plane on this host: kube-apiserver with its store, kube-scheduler and kube-controller-manager
(each in a worker thread of its own) and, like k3s, for this host a kubelet (a child process), kube-proxy and the
cluster DNS, so the server is also a node that runs containers and Services. It installs nothing: OS packages the
node lacks are named and it exits (scripts/up.sh installs them; up.sh --no-install only names them). Ctrl-C stops
it; the pods keep running and the next start adopts them. Flags take k3s's names; the (group) says what each concerns.

(listener)
  --https-listen-port N          HTTPS port of the API (default 6443; 0 picks a free one)
  --bind-address ADDR            address to listen on (default 0.0.0.0: every address, as k3s); the kubeconfigs
                                 the server writes say https://127.0.0.1:PORT unless this is a specific non-loopback IP
  --advertise-address ADDR       address pods and other hosts reach the API on, the kubernetes Service's endpoint
                                 (default: the bind address, or when that is 0.0.0.0 or loopback, --node-ip or the
                                 default route's address, as kube-apiserver)
  --tls-san NAME|IP              also put this on the serving certificate (repeatable, or comma-separated)
  --max-requests-inflight N      read-only requests served at once, 429 past that (default 400, 0: no limit)
  --max-mutating-requests-inflight N
                                 mutating requests served at once (default 200, 0: no limit)
(data)
  -d, --data-dir DIR             state: certificates, token, SQLite database (default /var/lib/skiff as root,
                                 ~/.skiff otherwise); one server per data dir
  --reset                        remove everything this server made on the host, as skiff uninstall does (pods
                                 and their containers, CNI bridge and state, kube-proxy's rules, host-gw routes,
                                 its entry in the --write-kubeconfig file, the data dir), then exit without
                                 starting; run skiff server again for a new, empty cluster. Refused while a server
                                 runs on the data dir. (k3s's --cluster-reset, which resets etcd membership, has
                                 no counterpart: there is no embedded etcd cluster to reset.)
(cluster)
  -t, --token T                  shared secret agents join with, not an API credential (default: generated once
                                 and kept in <data-dir>/server/token); agents join with the node token made of
                                 it, <data-dir>/server/node-token (skiff agent --server URL --token …)
(client)
  -o, --write-kubeconfig PATH    also write the admin kubeconfig here; a kubeconfig already there (~/.kube/config)
                                 keeps its other clusters and contexts: Skiff's cluster, user and context, named
                                 skiff, are merged in and made current
  --write-kubeconfig-mode MODE   file mode of that file (octal, default 600)
(db)
  --datastore-endpoint URL       empty: embedded SQLite in the data dir; http://host:2379[,...]: etcd
(networking)
  --cluster-cidr CIDR            pod network, split into node podCIDRs (default 10.42.0.0/16)
  --service-cidr CIDR            service ClusterIP range (default 10.43.0.0/16)
  --service-node-port-range A-B  ports for NodePort Services (default 30000-32767)
(components)
  --disable-scheduler            do not host kube-scheduler
  --disable-controller-manager   do not host kube-controller-manager
  --kube-scheduler-secure-port N           its HTTPS /metrics and /healthz; 0 disables (default 10259)
  --kube-controller-manager-secure-port N  its HTTPS /metrics and /healthz; 0 disables (default 10257)
(agent)
  --disable-agent                run no kubelet, kube-proxy or DNS here (a control-plane-only server)
  --disable-kube-proxy           run no kube-proxy (Services are not programmed into nftables on this host)
  --kube-proxy-arg KEY=VALUE     a flag for the hosted kube-proxy: proxy-mode=nftables|iptables, table=NAME
                                 (default skiff-proxy); repeatable
  --disable COMPONENT            do not run a packaged component: coredns (the cluster DNS); repeatable
  --node-name NAME               this host's node name (default: the hostname)
  --node-ip IP                   its InternalIP (default: the default route's address)
  --container-runtime-endpoint URL
                                 use this CRI runtime instead of starting containerd under <data-dir>/agent
  --cni-bridge NAME              Linux bridge for pods (default skiff0)
  --kubelet-port N               the kubelet API (logs, exec, port-forward) port (default 10250; 0 picks one)
  --cluster-dns IP               DNS server for ClusterFirst pods (default 10.43.0.10)
`;

export function parseServerFlags(argv: string[]): ServerConfig {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'data-dir': { type: 'string', short: 'd' },
      'https-listen-port': { type: 'string' },
      'bind-address': { type: 'string' },
      'advertise-address': { type: 'string' },
      'tls-san': { type: 'string', multiple: true },
      'datastore-endpoint': { type: 'string' },
      token: { type: 'string', short: 't' },
      'write-kubeconfig': { type: 'string', short: 'o' },
      'write-kubeconfig-mode': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'service-cidr': { type: 'string' },
      'service-node-port-range': { type: 'string' },
      'cluster-dns': { type: 'string' },
      'node-name': { type: 'string' },
      'node-ip': { type: 'string' },
      'container-runtime-endpoint': { type: 'string' },
      'cni-bridge': { type: 'string' },
      'disable-agent': { type: 'boolean' },
      'disable-kube-proxy': { type: 'boolean' },
      'kube-proxy-arg': { type: 'string', multiple: true },
      reset: { type: 'boolean' },
      'kubelet-port': { type: 'string' },
      disable: { type: 'string', multiple: true },
      'disable-scheduler': { type: 'boolean' },
      'disable-controller-manager': { type: 'boolean' },
      'kube-scheduler-secure-port': { type: 'string' },
      'kube-controller-manager-secure-port': { type: 'string' },
      'max-requests-inflight': { type: 'string' },
      'max-mutating-requests-inflight': { type: 'string' },
    },
  });
  const port = Number(values['https-listen-port'] ?? '6443');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --https-listen-port: ${values['https-listen-port']}`);
  const mode = parseInt(values['write-kubeconfig-mode'] ?? '600', 8);
  if (Number.isNaN(mode)) throw new Error(`invalid --write-kubeconfig-mode: ${values['write-kubeconfig-mode']}`);
  const bindAddress = values['bind-address'] ?? defaultBindAddress;
  const count = (flag: 'max-requests-inflight' | 'max-mutating-requests-inflight', dflt: number): number => {
    const n = Number(values[flag] ?? dflt);
    if (!Number.isInteger(n) || n < 0) throw new Error(`invalid --${flag}: ${values[flag]}`);
    return n;
  };
  return {
    dataDir: values['data-dir'] ?? defaultDataDir(),
    httpsListenPort: port,
    bindAddress,
    advertiseAddress: values['advertise-address'] ?? defaultAdvertiseAddress(bindAddress, values['node-ip']),
    tlsSan: (values['tls-san'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean),
    datastoreEndpoint: values['datastore-endpoint'] ?? '',
    token: values.token,
    writeKubeconfig: values['write-kubeconfig'],
    writeKubeconfigMode: mode,
    clusterCidr: values['cluster-cidr'] ?? '10.42.0.0/16',
    serviceCidr: values['service-cidr'] ?? '10.43.0.0/16',
    serviceNodePortRange: parsePortRange(values['service-node-port-range'] ?? '30000-32767'),
    clusterDns: values['cluster-dns'] ?? '10.43.0.10',
    nodeName: values['node-name'],
    nodeIp: values['node-ip'],
    containerRuntimeEndpoint: values['container-runtime-endpoint'],
    cniBridge: values['cni-bridge'],
    disableAgent: values['disable-agent'] ?? false,
    disable: parseDisable(values.disable ?? []),
    disableKubeProxy: values['disable-kube-proxy'] ?? false,
    kubeProxy: parseKubeProxyArgs(values['kube-proxy-arg'] ?? []),
    reset: values.reset ?? false,
    kubeletPort: parsePort(values['kubelet-port'], 10250, 'kubelet-port'),
    disableScheduler: values['disable-scheduler'] ?? false,
    disableControllerManager: values['disable-controller-manager'] ?? false,
    schedulerSecurePort: parseSecurePort(values['kube-scheduler-secure-port'], schedulerSecurePort, 'kube-scheduler-secure-port'),
    controllerManagerSecurePort: parseSecurePort(values['kube-controller-manager-secure-port'], controllerManagerSecurePort, 'kube-controller-manager-secure-port'),
    maxRequestsInflight: count('max-requests-inflight', 400),
    maxMutatingRequestsInflight: count('max-mutating-requests-inflight', 200),
  };
}

/** k3s's --disable: a comma list or repeated flag of packaged components; only those Skiff packages are accepted. */
function parseDisable(values: string[]): string[] {
  const known = ['coredns'];
  const items = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const unknown = items.filter((i) => !known.includes(i));
  if (unknown.length) throw new Error(`invalid --disable ${unknown.join(',')}: valid items are ${known.join(', ')}`);
  return items;
}

/** kube-apiserver's "min-max" (inclusive); a clear error otherwise. */
export function parsePortRange(text: string): { min: number; max: number } {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min < 1 || max > 65535 || min > max) throw new Error(`invalid --service-node-port-range "${text}": want MIN-MAX, e.g. 30000-32767`);
  return { min, max };
}

/** k3s's --kube-proxy-arg KEY=VALUE, for the kube-proxy flags the hosted one takes (validated as `skiff proxy` does). */
function parseKubeProxyArgs(values: string[]): { mode: ProxyMode; table: string } {
  const known = ['proxy-mode', 'table'];
  const argv: string[] = [];
  for (const v of values) {
    const i = v.indexOf('=');
    const key = (i < 0 ? v : v.slice(0, i)).replace(/^--/, '');
    if (i < 0 || !known.includes(key)) throw new Error(`invalid --kube-proxy-arg ${v}: want KEY=VALUE with KEY one of ${known.join(', ')}`);
    argv.push(`--${key}`, v.slice(i + 1));
  }
  const flags = parseProxyFlags(argv);
  return { mode: flags.mode, table: flags.table };
}

/** A port flag where 0 means "pick a free one". */
function parsePort(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error(`--${flag}: want a port number (0 picks a free one), got "${value}"`);
  return Number(value);
}
