// The kubelet: owns one node. Start-up order matters and is upstream's: the container runtime (containerd started
// under the data dir unless an endpoint is given) and its pause image first; then the Node is registered and its
// Lease renewed; once node-ipam has given the node a podCIDR the CNI config is written and the node turns Ready;
// pods bound to this node (a spec.nodeName field-selected informer) are reconciled by pod workers, woken by API
// changes and by the PLEG's view of the runtime. stop() ends the workers, then stops the containerd it started
// (the containers keep running in their shims and are re-adopted on the next start).
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import {
  EventRecorder, InformerFactory, type RestClient, WorkQueue, enqueueOnChange, isNotFound, realClock, resourceRef, runController, sleep, splitKey,
} from '../../client/index.ts';
import { CriClient } from '../cri/client.ts';
import { containerdLayout } from '../cri/containerd-config.ts';
import { type RunningContainerd, startContainerd } from '../cri/containerd.ts';
import { loadRegistries } from '../cri/registries.ts';
import { buildPauseArchive, pauseImage } from '../images/busybox.ts';
import { ensureImage } from '../images/import.ts';
import { cniLayout, writeCniConfig } from '../network/cni.ts';
import { Backoff } from './backoff.ts';
import { hostResources, nodeSystemInfo, primaryIPv4 } from './host.ts';
import { ImagePuller } from './image-puller.ts';
import { NodeAgent } from './node-agent.ts';
import { Pleg } from './pleg.ts';
import { ProbeManager } from './prober.ts';
import { PodSyncer, podsRef } from './pod-sync.ts';
import { startKubeletServer } from './server-start.ts';

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
  /** CNI bridge (default skiff0), also the network's name when given; distinct per node sharing one host. */
  cniBridge?: string;
  cniBinDir?: string;
  nodeLabels?: Record<string, string>;
  /** k3s-style registries.yaml (default <data-dir>/agent/etc/registries.yaml when it exists). */
  privateRegistry?: string;
  /** The kubelet's HTTPS API (logs, exec, attach, port-forward): its port (10250; 0 = a free one) and the CA
   *  whose client certificates it accepts (the cluster CA); no CA, no API. */
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

const configMapsRef = resourceRef('v1', 'configmaps', true);
const secretsRef = resourceRef('v1', 'secrets', true);
const networkNotReady = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

const serviceAccountsRef = resourceRef('v1', 'serviceaccounts', true);

/** Restarts containerd when it dies under us (containers keep running in their shims and are found again). */
async function superviseContainerd(
  first: RunningContainerd, start: () => Promise<RunningContainerd>, set: (c: RunningContainerd) => void, signal: AbortSignal, log: (m: string) => void,
): Promise<void> {
  let current = first;
  for (;;) {
    await current.exited;
    if (signal.aborted) return;
    log(`containerd (pid ${current.pid}) exited unexpectedly; restarting it`);
    for (;;) {
      try {
        current = await start();
        set(current);
        break;
      } catch (err) {
        log(`restarting containerd failed: ${err instanceof Error ? err.message : String(err)}`);
        if (!(await sleep(realClock, 2000, signal))) return;
      }
    }
  }
}

/** A bound token for the pod's service account (TokenRequest), or undefined when the server cannot issue one. */
async function serviceAccountToken(client: RestClient, pod: Pod, audience: string | undefined, expirationSeconds: number, log: (m: string) => void): Promise<string | undefined> {
  const sa = pod.spec?.serviceAccountName || 'default';
  try {
    const res = await client.createSubresource<{ status?: { token?: string } }>(serviceAccountsRef, sa, 'token', {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      spec: { audiences: audience ? [audience] : [], expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid } },
    }, { namespace: pod.metadata?.namespace });
    return res.status?.token;
  } catch (err) {
    log(`service account token for ${pod.metadata?.namespace}/${pod.metadata?.name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

export async function startKubelet(o: KubeletOptions): Promise<RunningKubelet> {
  const log = o.log ?? ((m: string) => console.log(`kubelet: ${m}`));
  const ac = new AbortController();
  const signal = AbortSignal.any([o.signal, ac.signal]);
  setMaxListeners(0, signal);
  const agentDir = join(o.dataDir, 'agent');
  mkdirSync(agentDir, { recursive: true });
  const cni = cniLayout(o.dataDir, o.cniBinDir);

  let containerd: RunningContainerd | undefined;
  let endpoint = o.runtimeEndpoint;
  if (!endpoint) {
    const registries = loadRegistries(o.privateRegistry ?? join(agentDir, 'etc', 'registries.yaml'));
    const start = async (): Promise<RunningContainerd> => {
      const c = await startContainerd({ layout: containerdLayout(o.dataDir), sandboxImage: pauseImage, cniConfDir: cni.confDir, cniBinDir: cni.binDir, registries });
      log(`containerd ${c.version.runtimeVersion} ${c.started ? 'started' : 'adopted'} (pid ${c.pid}) at ${c.endpoint}`);
      return c;
    };
    containerd = await start();
    endpoint = containerd.endpoint;
    void superviseContainerd(containerd, start, (c) => (containerd = c), signal, log);
  }
  const cri = new CriClient(endpoint);
  const version = await cri.waitReady(30_000, signal);
  if (await ensureImage(cri, endpoint, pauseImage, buildPauseArchive, join(agentDir, 'images'))) log(`imported ${pauseImage}`);

  const server = await o.client.request<{ gitVersion?: string }>({ method: 'GET', path: '/version', signal });
  const hostIP = o.nodeIP ?? primaryIPv4();
  const factory = new InformerFactory(o.client);
  const pods = factory.informerFor<Pod>(podsRef, { fieldSelector: `spec.nodeName=${o.nodeName}` });
  const api = o.kubeletServer && await startKubeletServer({ ...o.kubeletServer, cri, endpoint, pods: pods.lister, dir: join(agentDir, 'pki'), nodeName: o.nodeName, hostIP, log });
  let networkReady = false;
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
    log,
  });
  // upstream's runtime state check: the node is NotReady while the runtime does not answer or reports itself
  // not ready; the next status round (or this change) writes it
  let runtimeProblem: string | undefined;
  const runtimeCheck = (async () => {
    do {
      let problem: string | undefined;
      try {
        const rr = (await cri.status({ signal, timeoutMs: 5000 })).find((c) => c.type === 'RuntimeReady');
        if (rr && !rr.status) problem = `container runtime not ready: RuntimeReady=false reason:${rr.reason} message:${rr.message}`;
      } catch {
        if (signal.aborted) return;
        problem = 'container runtime is down';
      }
      if (problem !== runtimeProblem) {
        runtimeProblem = problem;
        log(problem ? `node not ready: ${problem}` : 'container runtime is ready');
        await agent.writeStatus(false, signal).catch(() => undefined);
      }
    } while (await sleep(realClock, 5000, signal));
  })();
  await agent.register(signal);
  log(`registered node ${o.nodeName} (${hostIP})`);
  const heartbeat = agent.run(signal);

  const network = (async () => {
    const podCIDR = o.podCIDR ?? (await agent.waitPodCIDR(signal));
    if (!podCIDR) return;
    writeCniConfig(cni, { podCIDR, bridge: o.cniBridge, network: o.cniBridge ?? 'skiff' });
    networkReady = true;
    log(`pod network ${podCIDR} on bridge ${o.cniBridge ?? 'skiff0'}`);
    await agent.writeStatus(true, signal).catch((err: unknown) => log(`node status: ${String(err)}`));
  })();

  const recorder = new EventRecorder({ client: o.client, component: 'kubelet', host: o.nodeName });
  const get = async <T>(ref: typeof podsRef, ns: string, name: string): Promise<T | undefined> => {
    try {
      return await o.client.get<T & { metadata?: object }>(ref, name, { namespace: ns, signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  const queue = new WorkQueue<string>();
  const probes = new ProbeManager({ cri, recorder, onChange: (key) => queue.add(key) });
  signal.addEventListener('abort', () => probes.stopAll(), { once: true });
  const syncer = new PodSyncer({
    probes,
    client: o.client,
    cri,
    recorder,
    puller: new ImagePuller(cri, recorder, new Backoff()),
    restartBackoff: new Backoff(),
    envSources: {
      configMap: (ns, name) => get<ConfigMap>(configMapsRef, ns, name),
      secret: (ns, name) => get<Secret>(secretsRef, ns, name),
      serviceAccountToken: (pod, audience, expirationSeconds) => serviceAccountToken(o.client, pod, audience, expirationSeconds, log),
    },
    podsDir: join(agentDir, 'pods'),
    hostIP,
    runtimeName: version.runtimeName,
    logRoot: join(agentDir, 'logs', 'pods'),
    dns: { clusterDNS: o.clusterDNS ?? ['10.43.0.10'], clusterDomain: o.clusterDomain ?? 'cluster.local' },
    networkReady: () => networkReady,
    clock: realClock,
    log,
  });

  enqueueOnChange(pods, queue);
  factory.start(signal);
  const pleg = new Pleg(cri, (key) => queue.add(key), 1000, realClock, log);
  const plegDone = pods.synced.then(() => pleg.run(signal));
  const workers = runController({
    name: 'kubelet-pods',
    queue,
    workers: o.workers ?? 16,
    signal,
    synced: [pods.synced],
    reconcile: async (key, sig) => {
      const { namespace, name } = splitKey(key);
      return syncer.sync(namespace ?? 'default', name, pods.lister.get(namespace ?? 'default', name), sig);
    },
    onError: (key, err) => log(`syncing pod ${key}: ${err instanceof Error ? err.message : String(err)}`),
  });
  const done = Promise.all([workers, heartbeat, network, plegDone, runtimeCheck]).then(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    nodeName: o.nodeName,
    runtimeEndpoint: endpoint,
    get containerd() {
      return containerd;
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
        await containerd?.stop();
      })();
      return stopping;
    },
  };
}
