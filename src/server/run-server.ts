// `skiff server`: locks the data dir, opens the store (embedded SQLite or etcd), makes or reuses the PKI, starts
// kube-apiserver (with the node join endpoints, node-join.ts), writes the kubeconfigs and the node token, bootstraps
// the system objects and starts the hosted components (scheduler and controller-manager each in a worker thread,
// the kubelet of this host in a child process, see hosted-component.ts). Returns a handle whose stop() shuts down
// in reverse order; a start that fails half-way undoes what it did.
import { existsSync, mkdirSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { randomUUID } from 'node:crypto';
import { delimiter, join } from 'node:path';
import type { ServerConfig } from '../cli/server-flags.ts';
import { ApiServer } from '../control-plane/apiserver/server.ts';
import { TokenFile } from '../control-plane/apiserver/authn.ts';
import { bootstrap } from '../control-plane/apiserver/bootstrap.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { openEtcdStore } from '../store/etcd.ts';
import { withWatchCache } from '../store/watch-cache.ts';
import type { Store } from '../store/interface.ts';
import {
  componentKubeconfig, ensureCredentials, ensureServerKubelet, writeAdminKubeconfig, writeKubeconfigCopy, writeNodeToken, type ServerCredentials,
} from './data-dir.ts';
import { nodeJoinHandlers } from './node-join.ts';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { HostedComponent } from './hosted-component.ts';
import { siblingModule } from './hosted-main.ts';
import type {
  ClusterDnsMainOptions, ControllerManagerMainOptions, KubeletMainOptions, ProxyMainOptions, SchedulerMainOptions,
} from './component-mains.ts';
import { primaryIPv4 } from '../node/kubelet/host.ts';
import { parseProxyFlags } from '../node/proxy/flags.ts';
import { firstAddress, parseIPv4 } from '../api/net/ipv4.ts';

/**
 * How long the hosted scheduler and controller-manager get to stop before they are killed and the API server stops
 * under them: bounded, so Ctrl-C is prompt. What a component has not finished by then (say, a backlog of Events
 * being written) is dropped, as upstream's components drop their queued Events when they exit.
 */
const componentStopGraceMs = 1_000;
/** The kubelet stops its pod workers and its containerd (the containers keep running): a little longer. */
const kubeletStopGraceMs = 10_000;

/** k3s labels a server's node with the control-plane role (kubectl's ROLES column). */
const controlPlaneLabels = { 'node-role.kubernetes.io/control-plane': 'true' };

export interface RunningServer {
  port: number;
  url: string;
  kubeconfig: string;
  token: string;
  /** <data-dir>/server/node-token: what `skiff agent --token` takes. */
  nodeTokenFile: string;
  /** This host's node name, when the server runs a kubelet (no --disable-agent). */
  nodeName?: string;
  /** The components hosted off the API server's event loop, by name. */
  hosted: ReadonlyMap<string, HostedComponent>;
  /** Stops the hosted components, then the API server (which closes the store), then frees the data dir. */
  stop(): Promise<void>;
}

export async function openStore(cfg: Pick<ServerConfig, 'dataDir' | 'datastoreEndpoint'>): Promise<Store> {
  const endpoint = cfg.datastoreEndpoint;
  if (!endpoint || endpoint.startsWith('sqlite://')) {
    const file = endpoint ? endpoint.slice('sqlite://'.length) : join(cfg.dataDir, 'server', 'db', 'state.db');
    mkdirSync(join(file, '..'), { recursive: true });
    return openSqliteStore(file);
  }
  if (/^https?:\/\//.test(endpoint)) {
    return openEtcdStore({ endpoints: endpoint.split(',').map((s) => s.trim()).filter(Boolean) });
  }
  throw new Error(`unsupported --datastore-endpoint ${endpoint}: use http(s)://host:2379 for etcd, or leave it empty for SQLite`);
}

/**
 * The components this server hosts, each an API client with its own kubeconfig: the scheduler and the
 * controller-manager in worker threads, the kubelet (unless --disable-agent) in a child process.
 */
function hostedComponents(cfg: ServerConfig, creds: ServerCredentials, kubeletKubeconfig: string | undefined): HostedComponent[] {
  const mains = siblingModule(import.meta.url, './component-mains');
  // one instance of each runs at a time (the supervisor starts the next after the last has exited), so restarts
  // may share the identity; a new server run gets a new one, as upstream's hostname_uuid
  const identity = `${hostname()}_${randomUUID()}`;
  const hosted: HostedComponent[] = [];
  if (!cfg.disableScheduler) {
    const options: SchedulerMainOptions = { kubeconfig: componentKubeconfig(creds, 'scheduler'), identity, securePort: cfg.schedulerSecurePort };
    hosted.push(new HostedComponent({ name: 'scheduler', module: mains, export: 'scheduler', options, stopTimeoutMs: componentStopGraceMs }));
  }
  if (!cfg.disableControllerManager) {
    const options: ControllerManagerMainOptions = {
      kubeconfig: componentKubeconfig(creds, 'controller-manager'),
      identity,
      clusterCidr: cfg.clusterCidr,
      serviceCidr: cfg.serviceCidr,
      securePort: cfg.controllerManagerSecurePort,
    };
    hosted.push(new HostedComponent({ name: 'controller-manager', module: mains, export: 'controllerManager', options, stopTimeoutMs: componentStopGraceMs }));
  }
  if (kubeletKubeconfig) {
    const options: KubeletMainOptions = {
      kubeconfig: kubeletKubeconfig,
      nodeName: serverNodeName(cfg),
      dataDir: cfg.dataDir,
      runtimeEndpoint: cfg.containerRuntimeEndpoint,
      nodeIP: cfg.nodeIp,
      clusterDNS: cfg.clusterDns.split(',').filter(Boolean),
      cniBridge: cfg.cniBridge,
      nodeLabels: controlPlaneLabels,
      kubeletServer: { port: cfg.kubeletPort, clientCA: creds.ca.certPem },
    };
    // A child process: it supervises a detached containerd and must be killable without taking the server along.
    hosted.push(new HostedComponent({ name: 'kubelet', module: mains, export: 'kubelet', options, isolation: 'process', stopTimeoutMs: kubeletStopGraceMs }));
    hosted.push(...serviceComponents(cfg, creds, mains));
  }
  return hosted;
}

/**
 * Names and addresses agents may reach the API on, for the serving certificate: the advertise address, the
 * kubernetes Service IP, --node-ip, --tls-san entries and, listening on every address, each of the host's IPv4s
 * (as k3s adds its node IPs).
 */
export function servingSans(cfg: Pick<ServerConfig, 'advertiseAddress' | 'serviceCidr' | 'nodeIp' | 'tlsSan' | 'bindAddress'>): { dns: string[]; ips: string[] } {
  const ips = new Set([cfg.advertiseAddress, firstAddress(cfg.serviceCidr), ...(cfg.nodeIp ? [cfg.nodeIp] : [])]);
  if (cfg.bindAddress === '0.0.0.0') for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4') ips.add(a.address);
  const dns: string[] = [];
  for (const san of cfg.tlsSan) {
    if (parseIPv4(san) === undefined) dns.push(san);
    else ips.add(san);
  }
  ips.delete('127.0.0.1'); // always on the certificate
  return { dns, ips: [...ips] };
}

function serverNodeName(cfg: ServerConfig): string {
  return (cfg.nodeName ?? hostname()).toLowerCase();
}

/** Whether this server runs the cluster DNS (it then also creates the kube-dns Service at --cluster-dns). */
function hostsClusterDns(cfg: ServerConfig): boolean {
  return !cfg.disableAgent && !cfg.disable.includes('coredns');
}

/**
 * The node's Service plumbing, as k3s packages it with its agent: kube-proxy programs this host's nftables, and the
 * cluster DNS listens on the node address, publishing itself as the kube-dns Service's endpoint so that kube-proxy
 * sends --cluster-dns:53 to it. Both are API clients in worker threads of their own.
 */
function serviceComponents(cfg: ServerConfig, creds: ServerCredentials, mains: string): HostedComponent[] {
  const nodeName = serverNodeName(cfg);
  const out: HostedComponent[] = [];
  if (!cfg.disableKubeProxy) {
    // --kube-proxy-arg flags over the server's own (k3s passes them to its kube-proxy the same way)
    const flags = parseProxyFlags([`--cluster-cidr=${cfg.clusterCidr}`, ...cfg.kubeProxyArgs]);
    const options: ProxyMainOptions = {
      kubeconfig: componentKubeconfig(creds, 'kube-proxy'), nodeName, clusterCidr: flags.clusterCIDR, table: flags.table, mode: flags.mode,
      minSyncPeriodMs: flags.minSyncPeriodMs,
    };
    out.push(new HostedComponent({ name: 'kube-proxy', module: mains, export: 'proxy', options, stopTimeoutMs: componentStopGraceMs }));
  }
  if (hostsClusterDns(cfg)) {
    const address = cfg.nodeIp ?? primaryIPv4();
    const options: ClusterDnsMainOptions = {
      kubeconfig: componentKubeconfig(creds, 'dns'), host: address, port: 53, clusterDomain: 'cluster.local', upstreams: [],
      publish: { address, nodeName },
    };
    out.push(new HostedComponent({ name: 'dns', module: mains, export: 'clusterDns', options, stopTimeoutMs: componentStopGraceMs }));
  }
  return out;
}

export interface RunServerOptions {
  /** The data dir's lock, when the caller took it already; released by stop(). */
  lock?: DataDirLock;
}

/** On PATH, as spawn looks it up. */
function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, binary)));
}

/**
 * What the server's own kubelet needs to start containerd, checked before anything starts so the answer is
 * prompt and says what to do (rather than containerd failing deep inside the kubelet).
 */
export function agentPreflight(cfg: Pick<ServerConfig, 'disableAgent' | 'containerRuntimeEndpoint'>): void {
  if (cfg.disableAgent || cfg.containerRuntimeEndpoint) return;
  const fix = 'or pass --disable-agent for a control-plane-only server, or --container-runtime-endpoint for a running CRI runtime';
  if (process.getuid?.() !== 0) throw new Error(`the kubelet of skiff server runs containerd and needs root: run it as root, ${fix}`);
  if (!onPath('containerd')) {
    throw new Error(`containerd is not installed: apt-get install -y containerd runc containernetworking-plugins, ${fix}`);
  }
}

export async function runServer(cfg: ServerConfig, opts: RunServerOptions = {}): Promise<RunningServer> {
  agentPreflight(cfg);
  // Before anything else touches the data dir: a second server on it is refused at once, naming the first.
  const lock = opts.lock ?? lockDataDir(cfg.dataDir);
  const undo: (() => Promise<void> | void)[] = [() => lock.release()];
  const unwind = async (): Promise<void> => {
    // every step runs even if one before it failed: the data dir must not stay locked by a failed stop
    const failures: unknown[] = [];
    for (const step of undo.splice(0).reverse()) await Promise.resolve().then(step).catch((err: unknown) => failures.push(err));
    if (failures.length) throw failures[0];
  };
  try {
    const store = withWatchCache(await openStore(cfg));
    undo.push(() => store.close());
    const host = cfg.advertiseAddress;
    const creds = await ensureCredentials({
      dataDir: cfg.dataDir,
      sans: servingSans(cfg),
      token: cfg.token,
    });
    const server = new ApiServer({
      store,
      ca: creds.ca,
      serving: creds.serving,
      tokens: TokenFile.load(creds.tokenFile),
      bindAddress: cfg.bindAddress,
      port: cfg.httpsListenPort,
      serviceCidr: cfg.serviceCidr,
      nodePortRange: cfg.serviceNodePortRange,
      maxRequestsInflight: cfg.maxRequestsInflight,
      maxMutatingRequestsInflight: cfg.maxMutatingRequestsInflight,
      publicHandlers: nodeJoinHandlers(creds.ca, creds.token),
      kubeletClient: creds.kubeletClient,
    });
    // A port of 0 (tests) is only known after listening, so the kubeconfig is written now.
    const port = await server.start();
    undo.pop(); // the server closes the store when it stops
    undo.push(() => server.stop());
    writeAdminKubeconfig(creds, `https://${host}:${port}`);
    await bootstrap(server, {
      kubernetesServiceIP: firstAddress(cfg.serviceCidr), advertiseAddress: host, securePort: port, storageDir: join(cfg.dataDir, 'storage'),
      clusterDNSIP: hostsClusterDns(cfg) ? cfg.clusterDns.split(',')[0] : undefined,
    });
    if (cfg.writeKubeconfig) writeKubeconfigCopy(creds.adminKubeconfig, cfg.writeKubeconfig, cfg.writeKubeconfigMode);
    const nodeTokenFile = writeNodeToken(cfg.dataDir, creds.ca.certPem, creds.token);
    const kubeletKubeconfig = cfg.disableAgent ? undefined : await ensureServerKubelet(cfg.dataDir, creds.ca, serverNodeName(cfg), `https://${host}:${port}`);
    // Like k3s, the server hosts the scheduler, the controller-manager, and for this host a kubelet, kube-proxy and the cluster DNS; unlike k3s's
    // goroutines, each runs off this event loop, which serves requests only.
    const hosted = hostedComponents(cfg, creds, kubeletKubeconfig);
    undo.push(() => Promise.all(hosted.map((h) => h.stop())).then(() => undefined));
    await Promise.all(hosted.map((h) => h.start()));
    return {
      port,
      url: `https://${host}:${port}`,
      kubeconfig: creds.adminKubeconfig,
      token: creds.token,
      nodeTokenFile,
      nodeName: cfg.disableAgent ? undefined : serverNodeName(cfg),
      hosted: new Map(hosted.map((h) => [h.name, h])),
      stop: unwind,
    };
  } catch (err) {
    await unwind().catch(() => undefined); // the start's own error is the one to report
    throw err;
  }
}
