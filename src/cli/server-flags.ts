// `skiff server` flags (k3s's names, so habits carry over), grouped as its help shows them.
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../server/data-dir-lock.ts';

export interface ServerConfig {
  dataDir: string;
  httpsListenPort: number;
  bindAddress: string;
  advertiseAddress: string;
  datastoreEndpoint: string;
  token?: string;
  writeKubeconfig?: string;
  writeKubeconfigMode: number;
  clusterCidr: string;
  serviceCidr: string;
  /** Not used yet: no agent runs in skiff server (see the help). */
  clusterDns: string;
  nodeName?: string;
  disableAgent: boolean;
  disableScheduler: boolean;
  disableControllerManager: boolean;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
}

export const serverHelp = `Usage: skiff server [flags]

Runs the control plane on this host: kube-apiserver with its store, and (each in a worker thread of its own)
kube-scheduler and kube-controller-manager. Flags take k3s's names; the (group) says what each concerns.

(listener)
  --https-listen-port N          HTTPS port of the API (default 6443; 0 picks a free one)
  --bind-address ADDR            address to listen on (default 127.0.0.1)
  --advertise-address ADDR       address other hosts reach the API on (default: the bind address)
  --max-requests-inflight N      read-only requests served at once, 429 past that (default 400, 0: no limit)
  --max-mutating-requests-inflight N
                                 mutating requests served at once (default 200, 0: no limit)
(data)
  -d, --data-dir DIR             state: certificates, token, SQLite database (default /var/lib/skiff as root,
                                 ~/.skiff otherwise); one server per data dir
(cluster)
  -t, --token T                  shared secret, accepted as an admin bearer token (default: generated once and
                                 kept in <data-dir>/server/token)
(client)
  -o, --write-kubeconfig PATH    also write the admin kubeconfig here
  --write-kubeconfig-mode MODE   file mode of that copy (octal, default 600)
(db)
  --datastore-endpoint URL       empty: embedded SQLite in the data dir; http://host:2379[,...]: etcd
(networking)
  --cluster-cidr CIDR            pod network, split into node podCIDRs (default 10.42.0.0/16)
  --service-cidr CIDR            service ClusterIP range (default 10.43.0.0/16)
(components)
  --disable-scheduler            do not host kube-scheduler
  --disable-controller-manager   do not host kube-controller-manager
(agent: not implemented yet; no kubelet runs in skiff server, these are accepted and ignored)
  --node-name NAME
  --cluster-dns IP
  --disable-agent
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
      'datastore-endpoint': { type: 'string' },
      token: { type: 'string', short: 't' },
      'write-kubeconfig': { type: 'string', short: 'o' },
      'write-kubeconfig-mode': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'service-cidr': { type: 'string' },
      'cluster-dns': { type: 'string' },
      'node-name': { type: 'string' },
      'disable-agent': { type: 'boolean' },
      'disable-scheduler': { type: 'boolean' },
      'disable-controller-manager': { type: 'boolean' },
      'max-requests-inflight': { type: 'string' },
      'max-mutating-requests-inflight': { type: 'string' },
    },
  });
  const port = Number(values['https-listen-port'] ?? '6443');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --https-listen-port: ${values['https-listen-port']}`);
  const mode = parseInt(values['write-kubeconfig-mode'] ?? '600', 8);
  if (Number.isNaN(mode)) throw new Error(`invalid --write-kubeconfig-mode: ${values['write-kubeconfig-mode']}`);
  const bindAddress = values['bind-address'] ?? '127.0.0.1';
  const count = (flag: 'max-requests-inflight' | 'max-mutating-requests-inflight', dflt: number): number => {
    const n = Number(values[flag] ?? dflt);
    if (!Number.isInteger(n) || n < 0) throw new Error(`invalid --${flag}: ${values[flag]}`);
    return n;
  };
  return {
    dataDir: values['data-dir'] ?? defaultDataDir(),
    httpsListenPort: port,
    bindAddress,
    advertiseAddress: values['advertise-address'] ?? (bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress),
    datastoreEndpoint: values['datastore-endpoint'] ?? '',
    token: values.token,
    writeKubeconfig: values['write-kubeconfig'],
    writeKubeconfigMode: mode,
    clusterCidr: values['cluster-cidr'] ?? '10.42.0.0/16',
    serviceCidr: values['service-cidr'] ?? '10.43.0.0/16',
    clusterDns: values['cluster-dns'] ?? '10.43.0.10',
    nodeName: values['node-name'],
    disableAgent: values['disable-agent'] ?? false,
    disableScheduler: values['disable-scheduler'] ?? false,
    disableControllerManager: values['disable-controller-manager'] ?? false,
    maxRequestsInflight: count('max-requests-inflight', 400),
    maxMutatingRequestsInflight: count('max-mutating-requests-inflight', 200),
  };
}
