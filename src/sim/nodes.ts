// Simulated nodes (kwok-style): registers N Node objects labelled as simulated, renews one Lease per node in
// kube-node-lease (holder = node name, 40 s duration), keeps each node's Ready condition True while its heartbeat
// runs, and acts as the kubelet for pods bound to those nodes: a pod is moved to Running/Ready through pods/status,
// and a pod with a deletionTimestamp is deleted for real with gracePeriodSeconds 0. No containers exist; a pod may
// ask its containers to exit after a while by annotation (completion.ts), so run-to-completion workloads finish.
//
// A node whose heartbeat was stopped (stopHeartbeat) behaves as a dead kubelet: no lease renewals, no status
// fixes, no pod handling, until resumeHeartbeat. Scale: one shared pod informer (spec.nodeName != "") and one node
// informer for all simulated nodes, lease renewals in rounds with bounded concurrency. The client's rate limit
// must allow about count/10 lease writes per second plus pod status writes (simNodesCommand uses an unlimited one).
import { setMaxListeners } from 'node:events';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import {
  type Action, type Clock, InformerFactory, type Informer, type RestClient, WorkQueue, byNodeName, enqueueOnChange, isAlreadyExists, isConflict,
  isNotFound, leasesRef, realClock, resourceRef, runController, sleep, splitKey,
} from '../client/index.ts';
import {
  type SimNodeSpec, buildLease, buildNode, defaultCapacity, isNodeReady, isPodRunning, nodeConditions, nodeInternalIP,
  nodeLeaseNamespace, runningStatus,
} from './objects.ts';
import { PodIPAllocator } from './ip-pool.ts';
import { exitedStatus, runStartedAt, simExitOf } from './completion.ts';
import { forEachLimit } from './limit.ts';

export const nodesRef = resourceRef('v1', 'nodes', false);
export const podsRef = resourceRef('v1', 'pods', true);

type PerNode<T> = T | ((name: string, index: number) => T);

export interface SimNodesOptions {
  client: RestClient;
  count: number;
  /** Node names are `${prefix}-${i}`, i from 0 (default prefix "sim-node"). */
  prefix?: string;
  /** Capacity and allocatable (default cpu 32, memory 256Gi, pods 110, ephemeral-storage 1Ti); merged over the default. */
  capacity?: PerNode<Record<string, string>>;
  /** Extra labels (beside type=kwok, kubernetes.io/hostname|os|arch). */
  labels?: PerNode<Record<string, string>>;
  taints?: PerNode<Taint[]>;
  signal: AbortSignal;
  /** Lease renewal period (default 10 000 ms, as the kubelet: a quarter of the 40 s lease). */
  heartbeatIntervalMs?: number;
  /** Concurrent API writes for registration, lease rounds and pod status (default 32). */
  concurrency?: number;
  /** Share informers with other components in this process (default: a private factory). */
  informers?: InformerFactory;
  clock?: Clock;
}

export interface SimNodes {
  readonly names: readonly string[];
  /** Stops one node's kubelet-like behaviour (lease, status, pods): the node will go NotReady/Unknown. */
  stopHeartbeat(name: string): void;
  resumeHeartbeat(name: string): void;
  /** Stops everything (the nodes stay registered, as when kwok exits). Also happens when the signal aborts. */
  stop(): Promise<void>;
}

interface NodeState {
  spec: SimNodeSpec;
  lease?: Lease;
  alive: boolean;
}

function perNode<T>(v: PerNode<T> | undefined, name: string, index: number, fallback: T): T {
  if (v === undefined) return fallback;
  return typeof v === 'function' ? (v as (n: string, i: number) => T)(name, index) : v;
}

export async function startSimNodes(o: SimNodesOptions): Promise<SimNodes> {
  const { client } = o;
  const clock = o.clock ?? realClock;
  const prefix = o.prefix ?? 'sim-node';
  const concurrency = o.concurrency ?? 32;
  const interval = o.heartbeatIntervalMs ?? 10_000;
  const stopCtl = new AbortController();
  const signal = AbortSignal.any([o.signal, stopCtl.signal]);
  setMaxListeners(0, signal); // every in-flight request listens on it

  const states = new Map<string, NodeState>();
  for (let i = 0; i < o.count; i++) {
    const name = `${prefix}-${i}`;
    states.set(name, {
      alive: true,
      spec: {
        name,
        index: i,
        capacity: { ...defaultCapacity, ...perNode(o.capacity, name, i, {}) },
        labels: perNode(o.labels, name, i, {}),
        taints: perNode(o.taints, name, i, []),
      },
    });
  }
  const names = [...states.keys()];

  await forEachLimit(names, concurrency, (name) => register(client, states.get(name)!, clock, signal));

  const factory = o.informers ?? new InformerFactory(client);
  const nodeInf: Informer<Node> = factory.informerFor<Node>(nodesRef);
  const podInf: Informer<Pod> = factory.informerFor<Pod>(podsRef, { fieldSelector: 'spec.nodeName!=' });
  const ips = new PodIPAllocator();

  const podQueue = new WorkQueue<string>();
  enqueueOnChange(podInf, podQueue, (pod) => (states.get(pod.spec?.nodeName ?? '')?.alive ? `${pod.metadata?.namespace}/${pod.metadata?.name}` : undefined));
  podInf.addEventHandler({ onDelete: (pod) => ips.release(pod.metadata?.uid ?? '') });
  const nodeQueue = new WorkQueue<string>();
  nodeInf.addEventHandler({
    onAdd: (n) => needsReady(n) && nodeQueue.add(n.metadata!.name!),
    onUpdate: (_old, n) => needsReady(n) && nodeQueue.add(n.metadata!.name!),
  });
  function needsReady(n: Node): boolean {
    const st = states.get(n.metadata?.name ?? '');
    return st !== undefined && st.alive && !isNodeReady(n);
  }
  factory.start(signal);

  const reconcilePod = async (key: string, sig: AbortSignal): Promise<Action> => {
    const { namespace, name } = splitKey(key);
    const pod = podInf.lister.get(namespace, name);
    const st = states.get(pod?.spec?.nodeName ?? '');
    if (!pod || !st?.alive) return;
    const uid = pod.metadata?.uid;
    if (pod.metadata?.deletionTimestamp) {
      try {
        await client.delete(podsRef, name, { namespace, gracePeriodSeconds: 0, preconditions: uid ? { uid } : undefined, signal: sig });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    if (isPodRunning(pod)) return exitWhenDue(pod, sig);
    const node = nodeInf.lister.get('', st.spec.name);
    const hostIP = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? nodeInternalIP(st.spec.index);
    const podIP = pod.spec?.hostNetwork ? hostIP : ips.allocate(uid ?? key, node?.spec?.podCIDR);
    if (!podIP) throw new Error(`no free pod IP on node ${st.spec.name}`);
    const status = runningStatus(pod, podIP, hostIP, clock.now());
    try {
      await client.updateStatus(podsRef, { ...pod, status }, { namespace, signal: sig });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) return; // a newer version is on its way through the informer and will enqueue again
      throw err;
    }
  };

  /** A pod annotated to exit does so once its run time has passed (completion.ts). */
  const exitWhenDue = async (pod: Pod, sig: AbortSignal): Promise<Action> => {
    const exit = simExitOf(pod);
    const started = runStartedAt(pod);
    if (!exit || started === undefined) return;
    const due = started + exit.runMs - clock.now();
    if (due > 0) return { requeueAfter: due };
    try {
      await client.updateStatus(podsRef, { ...pod, status: exitedStatus(pod, exit.exitCode, clock.now()) }, { namespace: pod.metadata?.namespace, signal: sig });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  };

  const reconcileNode = async (name: string, sig: AbortSignal): Promise<void> => {
    const node = nodeInf.lister.get('', name);
    const st = states.get(name);
    if (!node || !st?.alive || isNodeReady(node)) return;
    try {
      await client.updateStatus(nodesRef, { ...node, status: { ...node.status, conditions: nodeConditions(clock.now()) } }, { signal: sig });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  };

  const leaseLoop = async (): Promise<void> => {
    while (!signal.aborted) {
      const started = clock.now();
      const alive = names.filter((n) => states.get(n)!.alive);
      await forEachLimit(alive, concurrency, async (name) => {
        const st = states.get(name)!;
        if (!st.alive || signal.aborted) return;
        try {
          await renewLease(client, st, clock, signal);
        } catch (err) {
          if (!signal.aborted) console.error(`sim-nodes: renewing lease of ${name} failed:`, err instanceof Error ? err.message : err);
        }
      });
      const wait = Math.max(0, interval - (clock.now() - started));
      if (!(await sleep(clock, wait, signal))) return;
    }
  };

  const running = Promise.all([
    runController({ name: 'sim-pods', queue: podQueue, reconcile: reconcilePod, workers: concurrency, signal, synced: [podInf.synced, nodeInf.synced] }),
    runController({ name: 'sim-node-status', queue: nodeQueue, reconcile: reconcileNode, workers: 4, signal, synced: [nodeInf.synced] }),
    leaseLoop(),
  ]).then(() => undefined);

  return {
    names,
    stopHeartbeat(name) {
      const st = states.get(name);
      if (st) st.alive = false;
    },
    resumeHeartbeat(name) {
      const st = states.get(name);
      if (!st || st.alive) return;
      st.alive = true;
      void renewLease(client, st, clock, signal).catch(() => {});
      nodeQueue.add(name);
      for (const pod of podInf.lister.byIndex(byNodeName, name)) podQueue.add(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
    },
    async stop() {
      stopCtl.abort();
      await running;
    },
  };
}

/** Creates the node (or, if it exists, takes it over by writing a fresh status) and its lease. */
async function register(client: RestClient, st: NodeState, clock: Clock, signal: AbortSignal): Promise<void> {
  const want = buildNode(st.spec, clock.now());
  let node: Node;
  try {
    node = await client.create<Node>(nodesRef, want, { signal });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const have = await client.get<Node>(nodesRef, st.spec.name, { signal });
    node = await client.updateStatus<Node>(nodesRef, { ...have, status: { ...have.status, ...want.status } }, { signal });
  }
  await renewLease(client, st, clock, signal, node.metadata?.uid);
}

async function renewLease(client: RestClient, st: NodeState, clock: Clock, signal: AbortSignal, nodeUid?: string): Promise<void> {
  const name = st.spec.name;
  const now = clock.now();
  if (st.lease) {
    const next: Lease = { ...st.lease, spec: { ...st.lease.spec, holderIdentity: name, renewTime: buildLease(name, now).spec!.renewTime } };
    try {
      st.lease = await client.update<Lease>(leasesRef, next, { namespace: nodeLeaseNamespace, signal });
      return;
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
      st.lease = undefined; // someone else wrote it (or deleted it): read afresh below
    }
  }
  try {
    st.lease = await client.create<Lease>(leasesRef, buildLease(name, now, nodeUid), { namespace: nodeLeaseNamespace, signal });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const have = await client.get<Lease>(leasesRef, name, { namespace: nodeLeaseNamespace, signal });
    const fresh = buildLease(name, now);
    st.lease = await client.update<Lease>(leasesRef, { ...have, spec: { ...have.spec, ...fresh.spec } }, { namespace: nodeLeaseNamespace, signal });
  }
}
