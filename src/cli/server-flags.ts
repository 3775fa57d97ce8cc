// `skiff server` flags (k3s's names, so habits carry over), grouped as its help shows them.
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../server/data-dir.ts';

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
  clusterDns: string;
  nodeName?: string;
  disableAgent: boolean;
  disableScheduler: boolean;
  disableControllerManager: boolean;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
}

export const serverHelp = `Usage: skiff server [flags]

Runs the control plane (kube-apiserver with its store) on this host.

(listener)
  --https-listen-port N        HTTPS port of the API (default 6443)
  --bind-address ADDR          address to listen on (default 127.0.0.1)
  --advertise-address ADDR     address other hosts reach the API on (default: the bind address)
  --max-requests-inflight N    read-only requests served at once, 429 past that (default 400, 0: no limit)
  --max-mutating-requests-inflight N  mutating requests served at once (default 200, 0: no limit)
(data)
  --data-dir DIR               state directory (default /var/lib/skiff as root, ~/.skiff otherwise)
  --token T                    shared secret for agents and admin bearer access (default: generated)
  --write-kubeconfig PATH      also write the admin kubeconfig here
  --write-kubeconfig-mode MODE file mode of that copy (octal, default 600)
(db)
  --datastore-endpoint URL     empty: embedded SQLite; http://host:2379[,...]: etcd
(networking)
  --cluster-cidr CIDR          pod network (default 10.42.0.0/16)
  --service-cidr CIDR          service network (default 10.43.0.0/16)
  --cluster-dns IP             cluster DNS address (default 10.43.0.10)
(components)
  --disable-scheduler          do not run kube-scheduler in this process
  --disable-controller-manager do not run kube-controller-manager in this process
(agent)
  --node-name NAME             this host's node name
  --disable-agent              control plane only (no kubelet/proxy on this host)
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
      'no-install': { type: 'boolean' },
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
