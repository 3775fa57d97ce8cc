// `skiff server`: locks the data dir, opens the store (embedded SQLite or etcd), makes or reuses the PKI, starts
// kube-apiserver (with the node join endpoints, node-join.ts), writes the kubeconfigs and the join token, bootstraps
// the system objects and starts the hosted components (scheduler and controller-manager each in a worker thread,
// the kubelet of this host in a child process, see hosted-component.ts) and publishes them as mirror pods in
// kube-system (mirror-components.ts; the publisher in a worker thread too, mirror-pods-host.ts), their output kept
// in log files the kubelet serves. Returns a handle whose stop() shuts down in reverse order; a start that fails
// half-way undoes what it did.
import { mkdirSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { ServerConfig } from '../cli/server-flags.ts';
import { ApiServer } from '../control-plane/apiserver/server.ts';
import { bootstrap } from '../control-plane/apiserver/bootstrap.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { withWatchCache } from '../store/watch-cache.ts';
import type { Store } from '../store/interface.ts';
import {
  componentKubeconfig, ensureCredentials, ensureServerKubelet, writeAdminKubeconfig, writeKubeconfigCopy, type ServerCredentials,
} from './data-dir.ts';
import { nodeJoinHandlers } from './node-join.ts';
import { formatJoinToken } from './join-token.ts';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { missingPackages, nodePackages } from './host-packages.ts';
import { addToHostRecord } from './host-record.ts';
import { HostedComponent } from './hosted-component.ts';
import { siblingModule } from './hosted-main.ts';
import type {
  ClusterDnsMainOptions, ControllerManagerMainOptions, KubeletMainOptions, ProxyMainOptions, SchedulerMainOptions,
} from './component-mains.ts';
import { primaryIPv4 } from '../node/kubelet/host.ts';
import { componentLogDir } from '../node/kubelet/component-log-paths.ts';
import { hostedContainers, serverMirrorSources } from './mirror-components.ts';
import { hostMirrorPods } from './mirror-pods-host.ts';
import { firstAddress, parseIPv4 } from '../api/net/ipv4.ts';
import { apiUrl, listensEverywhere, localApiHost } from './api-address.ts';
import { embeddedSqliteFile, startServerLogs } from './server-log.ts';

/**
 * How long the hosted scheduler and controller-manager get to stop before they are killed and the API server stops
 * under them: bounded, so Ctrl-C is prompt. What a component has not finished by then (say, a backlog of Events
 * being written) is dropped, as upstream's components drop their queued Events when they exit.
 */
const componentStopGraceMs = 1_000;
/** The kubelet stops its pod workers and its containerd (the containers keep running): a little longer. */
const kubeletStopGraceMs = 10_000;

/** k3s labels a server's node with the control-plane role (kubectl's ROLES column), as the admin: NodeRestriction
 *  refuses the kubelet itself a node-role.kubernetes.io label (node-role-labels.ts). */
const controlPlaneLabels = { 'node-role.kubernetes.io/control-plane': 'true' };

export interface RunningServer {
  port: number;
  /** What the server's own kubeconfigs say (loopback unless it listens on one specific address). */
  url: string;
  /** Where pods and other hosts reach it: the advertise address (the kubernetes Service's endpoint). */
  advertiseUrl: string;
  kubeconfig: string;
  /** The join token (K10 form): joins agents, authenticates nothing else. */
  joinToken: string;
  /** <data-dir>/server/node-token: what `skiff agent --token` takes. */
  nodeTokenFile: string;
  /** This host's node name, when the server runs a kubelet (no --disable-agent). */
  nodeName?: string;
  /** The components hosted off the API server's event loop, by name. */
  hosted: ReadonlyMap<string, HostedComponent>;
  /** The mirror-pod publisher's supervisor (a worker thread too), when the server runs a node. */
  mirrorPods?: HostedComponent;
  /** Stops the hosted components, then the API server (which closes the store), then frees the data dir. */
  stop(): Promise<void>;
}

export async function openStore(cfg: Pick<ServerConfig, 'dataDir' | 'datastoreEndpoint'>): Promise<Store> {
  const endpoint = cfg.datastoreEndpoint;
  if (!endpoint || endpoint.startsWith('sqlite://')) {
    const file = embeddedSqliteFile(cfg.dataDir, endpoint)!;
    mkdirSync(join(file, '..'), { recursive: true });
    return openSqliteStore(file);
  }
  if (/^https?:\/\//.test(endpoint)) {
    // loaded only for etcd: its client (etcd3, gRPC) costs the server ~250 ms of CPU at start and ~5 MiB of heap
    const { openEtcdStore } = await import('../store/etcd.ts');
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
    hosted.push(new HostedComponent({ name: 'scheduler', logFile: logFileOf(cfg, 'scheduler'), module: mains, export: 'scheduler', options, stopTimeoutMs: componentStopGraceMs }));
  }
  if (!cfg.disableControllerManager) {
    const options: ControllerManagerMainOptions = {
      kubeconfig: componentKubeconfig(creds, 'controller-manager'),
      identity,
      clusterCidr: cfg.clusterCidr,
      serviceCidr: cfg.serviceCidr,
      securePort: cfg.controllerManagerSecurePort,
    };
    hosted.push(new HostedComponent({ name: 'controller-manager', logFile: logFileOf(cfg, 'controller-manager'), module: mains, export: 'controllerManager', options, stopTimeoutMs: componentStopGraceMs }));
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
      // the control-plane role label is the server's to set (node-role-labels.ts, in the mirror-pods worker), not the kubelet's
      nodeLabels: {},
      kubeletServer: { port: cfg.kubeletPort, clientCA: creds.ca.certPem },
    };
    // A child process: it supervises a detached containerd and must be killable without taking the server along.
    hosted.push(new HostedComponent({ name: 'kubelet', logFile: logFileOf(cfg, 'kubelet'), module: mains, export: 'kubelet', options, isolation: 'process', stopTimeoutMs: kubeletStopGraceMs }));
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
  if (listensEverywhere(cfg.bindAddress)) for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4') ips.add(a.address);
  const dns: string[] = [];
  for (const san of cfg.tlsSan) {
    if (parseIPv4(san) === undefined) dns.push(san);
    else ips.add(san);
  }
  ips.delete('127.0.0.1'); // always on the certificate
  return { dns, ips: [...ips] };
}

/** Each hosted component's output is also kept in its log file, which the kubelet serves for its mirror pod. */
function logFileOf(cfg: ServerConfig, name: string): { dir: string; container: string } {
  return { dir: componentLogDir(cfg.dataDir), container: hostedContainers[name] ?? name };
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
    const options: ProxyMainOptions = {
      kubeconfig: componentKubeconfig(creds, 'kube-proxy'), nodeName, clusterCidr: cfg.clusterCidr, mode: cfg.kubeProxy.mode, table: cfg.kubeProxy.table,
    };
    out.push(new HostedComponent({ name: 'kube-proxy', logFile: logFileOf(cfg, 'kube-proxy'), module: mains, export: 'proxy', options, stopTimeoutMs: componentStopGraceMs }));
  }
  if (hostsClusterDns(cfg)) {
    const address = cfg.nodeIp ?? primaryIPv4();
    const options: ClusterDnsMainOptions = {
      kubeconfig: componentKubeconfig(creds, 'dns'), host: address, port: 53, clusterDomain: 'cluster.local', upstreams: [],
      publish: { address, nodeName },
    };
    out.push(new HostedComponent({ name: 'dns', logFile: logFileOf(cfg, 'dns'), module: mains, export: 'clusterDns', options, stopTimeoutMs: componentStopGraceMs }));
  }
  return out;
}

/**
 * The publisher of this node's components' mirror pods (mirror-pods.ts), written as the node (system:node:<name>),
 * as upstream's kubelet writes them, from a worker thread of its own (mirror-pods-host.ts). Stopping it leaves the
 * pods, as they stay when a kubelet stops.
 */
function serverMirrorPods(cfg: ServerConfig, kubeconfig: string, adminKubeconfig: string, hosted: HostedComponent[], since: Date): HostedComponent {
  const sqlite = !cfg.datastoreEndpoint || cfg.datastoreEndpoint.startsWith('sqlite://');
  return hostMirrorPods({
    kubeconfig, nodeName: serverNodeName(cfg), source: 'skiff-server', sources: serverMirrorSources({ hosted, since, sqlite }), hosted, stopTimeoutMs: componentStopGraceMs,
    roleLabels: { kubeconfig: adminKubeconfig, labels: controlPlaneLabels },
  });
}

export interface RunServerOptions {
  /** The data dir's lock, when the caller took it already; released by stop(). */
  lock?: DataDirLock;
}

/**
 * What the server's own kubelet (and kube-proxy) need of this host, checked before anything starts so the answer
 * is prompt and names what to install (rather than containerd failing deep inside the kubelet).
 */
export function agentPreflight(cfg: Pick<ServerConfig, 'disableAgent' | 'containerRuntimeEndpoint'> & Partial<Pick<ServerConfig, 'disableKubeProxy' | 'kubeProxy'>>): void {
  if (cfg.disableAgent || cfg.containerRuntimeEndpoint) return;
  const fix = 'or pass --disable-agent for a control-plane-only server, or --container-runtime-endpoint for a running CRI runtime';
  if (process.getuid?.() !== 0) throw new Error(`the kubelet of skiff server runs containerd and needs root: run it as root, ${fix}`);
  const missing = missingPackages(nodePackages({ proxy: cfg.disableKubeProxy ? undefined : (cfg.kubeProxy?.mode ?? 'nftables') }));
  if (missing.length) {
    throw new Error(`this node lacks the OS packages ${missing.join(' ')}: install them (apt-get install -y ${missing.join(' ')}, or run sudo ./scripts/up.sh, which does), ${fix}`);
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
    // with a node here, the process's own output is the kube-apiserver mirror pod's log (server-log.ts)
    if (!cfg.disableAgent) undo.push(startServerLogs({ dataDir: cfg.dataDir, sqliteFile: embeddedSqliteFile(cfg.dataDir, cfg.datastoreEndpoint) }));
    const store = withWatchCache(await openStore(cfg));
    undo.push(() => store.close());
    // the server's own kubeconfigs say loopback when it listens there (as k3s's); pods get the advertise address
    const host = localApiHost(cfg.bindAddress);
    const creds = await ensureCredentials({
      dataDir: cfg.dataDir,
      sans: servingSans(cfg),
      token: cfg.token,
    });
    for (const notice of creds.join.notices) console.warn(`skiff: ${notice}`);
    const server = new ApiServer({
      store,
      ca: creds.ca,
      serving: creds.serving,
      bindAddress: cfg.bindAddress,
      port: cfg.httpsListenPort,
      serviceCidr: cfg.serviceCidr,
      nodePortRange: cfg.serviceNodePortRange,
      maxRequestsInflight: cfg.maxRequestsInflight,
      maxMutatingRequestsInflight: cfg.maxMutatingRequestsInflight,
      publicHandlers: nodeJoinHandlers(creds.ca, creds.join.secret),
      kubeletClient: creds.kubeletClient,
      serviceAccountKey: creds.serviceAccountKey,
    });
    // A port of 0 (tests) is only known after listening, so the kubeconfig is written now.
    const port = await server.start();
    const startedAt = new Date();
    undo.pop(); // the server closes the store when it stops
    undo.push(() => server.stop());
    writeAdminKubeconfig(creds, apiUrl(host, port));
    await bootstrap(server, {
      kubernetesServiceIP: firstAddress(cfg.serviceCidr), advertiseAddress: cfg.advertiseAddress, securePort: port, storageDir: join(cfg.dataDir, 'storage'),
      clusterDNSIP: hostsClusterDns(cfg) ? cfg.clusterDns.split(',')[0] : undefined,
    });
    // what `skiff uninstall` must take off this host again, recorded before it is made
    const runsNode = !cfg.disableAgent;
    addToHostRecord(cfg.dataDir, {
      proxies: runsNode && !cfg.disableKubeProxy ? [cfg.kubeProxy] : [],
      clusterCidrs: runsNode ? [cfg.clusterCidr] : [],
    });
    if (cfg.writeKubeconfig) {
      const { madeDir } = writeKubeconfigCopy(creds.adminKubeconfig, cfg.writeKubeconfig, cfg.writeKubeconfigMode);
      addToHostRecord(cfg.dataDir, { kubeconfigs: [{ path: resolve(cfg.writeKubeconfig), madeDir }] });
    }
    const kubeletKubeconfig = cfg.disableAgent ? undefined : await ensureServerKubelet(cfg.dataDir, creds.ca, serverNodeName(cfg), apiUrl(host, port));
    // Like k3s, the server hosts the scheduler, the controller-manager, and for this host a kubelet, kube-proxy and the cluster DNS; unlike k3s's
    // goroutines, each runs off this event loop, which serves requests only.
    const hosted = hostedComponents(cfg, creds, kubeletKubeconfig);
    undo.push(() => Promise.all(hosted.map((h) => h.stop())).then(() => undefined));
    // started beside them: it shows each one starting, then running; it also keeps this node's role label
    const mirrorPods = kubeletKubeconfig ? serverMirrorPods(cfg, kubeletKubeconfig, creds.adminKubeconfig, hosted, startedAt) : undefined;
    if (mirrorPods) undo.push(() => mirrorPods.stop());
    await Promise.all([...hosted, ...(mirrorPods ? [mirrorPods] : [])].map((h) => h.start()));
    return {
      port,
      url: apiUrl(host, port),
      advertiseUrl: apiUrl(cfg.advertiseAddress, port),
      kubeconfig: creds.adminKubeconfig,
      joinToken: formatJoinToken(creds.ca.certPem, creds.join.secret),
      nodeTokenFile: creds.join.nodeTokenFile,
      nodeName: cfg.disableAgent ? undefined : serverNodeName(cfg),
      hosted: new Map(hosted.map((h) => [h.name, h])),
      mirrorPods,
      stop: unwind,
    };
  } catch (err) {
    await unwind().catch(() => undefined); // the start's own error is the one to report
    throw err;
  }
}
