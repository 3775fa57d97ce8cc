// The kubelet: owns one node. Start-up order matters and is upstream's: the container runtime (containerd started
// under the data dir unless an endpoint is given) and its pause image first; then the Node is registered and its
// Lease renewed; once node-ipam has given the node a podCIDR the CNI config is written and the node turns Ready;
// pods bound to this node (a spec.nodeName field-selected informer) are reconciled by pod workers, woken by API
// changes and by the PLEG's view of the runtime; other nodes' podCIDRs are routed via their addresses (routes.ts).
// stop() ends the workers, then stops the containerd it started (the containers keep running in their shims and
// are re-adopted on the next start).
import { join } from 'node:path';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { EventRecorder, type RestClient, realClock, sleep } from '../../client/index.ts';
import type { CriClient } from '../cri/client.ts';
import type { RunningContainerd } from '../cri/containerd.ts';
import { cniLayout, dropBridgeGateway, writeCniConfig } from '../network/cni.ts';
import { runRouteController } from '../network/routes.ts';
import { type ResolvConf, parseResolvConf } from '../dns/resolv-conf.ts';
import { hostResources, nodeSystemInfo, primaryIPv4 } from './host.ts';
import { NodeAgent } from './node-agent.ts';
import { PressureHold, type Thresholds, imagefsDir, pressureFor, readSignals } from './pressure.ts';
import { runPodWorkers } from './pod-workers.ts';
import { startKubeletServer } from './server-start.ts';
import { componentLogDir } from './component-log-paths.ts';
import { startRuntime, watchRuntimeState } from './runtime.ts';

export interface KubeletOptions {
  client: RestClient;
  nodeName: string;
  dataDir: string;
  /** unix:///… of an existing CRI runtime; absent: run containerd under the data dir. */
  runtimeEndpoint?: string;
  /** Use this podCIDR instead of waiting for node-ipam (standalone nodes). */
  podCIDR?: string;
  nodeIP?: string;
  clusterDNS?: string[];
  clusterDomain?: string;
  /** The node's resolv.conf, passed on to Default pods and appended to ClusterFirst ones (default /etc/resolv.conf;
   *  "" for none, as upstream's --resolv-conf=""). */
  resolvConf?: string;
  /** CNI bridge (default skiff0), also the network's name when given; distinct per node sharing one host. */
  cniBridge?: string;
  cniBinDir?: string;
  nodeLabels?: Record<string, string>;
  /** k3s-style registries.yaml (default <data-dir>/agent/etc/registries.yaml when it exists). */
  privateRegistry?: string;
  /** Route other nodes' podCIDRs via their InternalIPs (host-gw; default true). */
  routes?: boolean;
  /** The kubelet's HTTPS API (logs, exec, attach, port-forward): its port (10250; 0 = a free one) and the CA
   *  whose client certificates it accepts (the cluster CA); no CA, no API. */
  /** Hard eviction thresholds for the pressure conditions (default: upstream's). */
  evictionHard?: Thresholds;
  kubeletServer?: { port: number; clientCA: string; address?: string };
  /** Concurrent pod workers (default 16). */
  workers?: number;
  signal: AbortSignal;
  log?: (msg: string) => void;
}

export interface RunningKubelet {
  nodeName: string;
  runtimeEndpoint: string;
  /** The containerd this kubelet started or adopted (undefined with --container-runtime-endpoint). */
  containerd?: RunningContainerd;
  cri: CriClient;
  /** The port the kubelet's HTTPS API listens on (undefined without one). */
  serverPort?: number;
  /** Resolves when the pod workers have stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** How often the Node's podCIDR is compared with the CNI config (the Node itself is read every status round). */
const podCIDRCheckMs = 2_000;

const networkNotReady = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

export async function startKubelet(o: KubeletOptions): Promise<RunningKubelet> {
  const log = o.log ?? ((m: string) => console.log(`kubelet: ${m}`));
  const ac = new AbortController();
  const signal = AbortSignal.any([o.signal, ac.signal]);
  setMaxListeners(0, signal);
  const agentDir = join(o.dataDir, 'agent');
  mkdirSync(agentDir, { recursive: true });
  const cni = cniLayout(o.dataDir, o.cniBinDir);
  const runtime = await startRuntime({ dataDir: o.dataDir, endpoint: o.runtimeEndpoint, privateRegistry: o.privateRegistry, cni, signal, log });
  const { cri, version } = runtime;

  const server = await o.client.request<{ gitVersion?: string }>({ method: 'GET', path: '/version', signal });
  const hostIP = o.nodeIP ?? primaryIPv4();
  const api = o.kubeletServer && await startKubeletServer({
    ...o.kubeletServer, cri, endpoint: runtime.endpoint, client: o.client, dir: join(agentDir, 'pki'), nodeName: o.nodeName, hostIP, log,
    componentLogDir: componentLogDir(o.dataDir),
  });
  let networkReady = false;
  let runtimeProblem: string | undefined;
  const pressureHold = new PressureHold();
  const agent = new NodeAgent({
    client: o.client,
    facts: {
      name: o.nodeName,
      address: hostIP,
      resources: hostResources(o.dataDir),
      info: nodeSystemInfo(version, server.gitVersion ?? 'v0.0.0'),
      labels: o.nodeLabels,
      port: api?.port,
    },
    notReady: () => runtimeProblem ?? (networkReady ? undefined : networkNotReady),
    // imagefs: containerd's root when the kubelet runs it, else the node's default containerd root if present
    pressure: () => pressureHold.apply(pressureFor(readSignals(o.dataDir, imagefsDir(o.dataDir, o.runtimeEndpoint)), o.evictionHard), Date.now()),
    log,
  });
  await agent.register(signal);
  log(`registered node ${o.nodeName} (${hostIP})`);
  const heartbeat = agent.run(signal);
  const runtimeCheck = watchRuntimeState(cri, (problem) => {
    runtimeProblem = problem;
    log(problem ? `node not ready: ${problem}` : 'container runtime is ready');
    void agent.writeStatus(false, signal).catch(() => undefined);
  }, signal);

  const network = (async () => {
    const podCIDR = o.podCIDR ?? (await agent.waitPodCIDR(signal));
    if (!podCIDR) return;
    writeCniConfig(cni, { podCIDR, bridge: o.cniBridge, network: o.cniBridge ?? 'skiff' });
    networkReady = true;
    log(`pod network ${podCIDR} on bridge ${o.cniBridge ?? 'skiff0'}`);
    await agent.writeStatus(true, signal).catch((err: unknown) => log(`node status: ${String(err)}`));
    // Like upstream's kubelet, follow the Node's podCIDR: a Node deleted and registered again gets a new one from
    // node-ipam, and new pods must take addresses the other nodes route here (running pods keep theirs).
    let current = podCIDR;
    while (!o.podCIDR && (await sleep(realClock, podCIDRCheckMs, signal))) {
      const now = agent.current()?.spec?.podCIDR;
      if (!now || now === current) continue;
      writeCniConfig(cni, { podCIDR: now, bridge: o.cniBridge, network: o.cniBridge ?? 'skiff' });
      dropBridgeGateway(o.cniBridge ?? 'skiff0', current);
      log(`pod network changed from ${current} to ${now}`);
      current = now;
    }
  })();

  // host-gw: other nodes' pods are reached through routes via their addresses
  const routes = o.routes === false ? Promise.resolve() : runRouteController({ client: o.client, nodeName: o.nodeName, nodeIP: hostIP, signal, log });

  const recorder = new EventRecorder({ client: o.client, component: 'kubelet', host: o.nodeName });
  const workers = runPodWorkers({
    client: o.client, cri, recorder, nodeName: o.nodeName, workers: o.workers ?? 16, signal, log,
    hostIP,
    runtimeName: version.runtimeName,
    logRoot: join(agentDir, 'logs', 'pods'),
    podsDir: join(agentDir, 'pods'),
    dns: { clusterDNS: o.clusterDNS ?? ['10.43.0.10'], clusterDomain: o.clusterDomain ?? 'cluster.local', host: hostResolvConf(o.resolvConf ?? '/etc/resolv.conf', log) },
    networkReady: () => networkReady,
  });
  const done = Promise.all([workers, heartbeat, network, runtimeCheck, routes]).then(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    nodeName: o.nodeName,
    runtimeEndpoint: runtime.endpoint,
    get containerd() {
      return runtime.containerd();
    },
    cri,
    serverPort: api?.port,
    done,
    stop() {
      stopping ??= (async () => {
        ac.abort();
        await api?.stop();
        await done.catch(() => undefined);
        await recorder.flush();
        cri.close();
        await runtime.containerd()?.stop();
      })();
      return stopping;
    },
  };
}

/** Read once at start, as upstream's kubelet does; a missing file means the node has no resolver to pass on. */
function hostResolvConf(path: string, log: (m: string) => void): ResolvConf | undefined {
  if (!path) return undefined;
  if (!existsSync(path)) {
    log(`resolv.conf ${path} not found: pods get no host DNS settings`);
    return undefined;
  }
  return parseResolvConf(readFileSync(path, 'utf8'));
}
