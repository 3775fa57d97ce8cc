// Node lifecycle controller (upstream node-lifecycle-controller). Two loops:
//  - health: every nodeMonitorPeriod, a node counts as heard from when its Lease in kube-node-lease was renewed or
//    its Ready heartbeat moved (timed on OUR clock when we saw the change, so clock skew does not matter). Silent
//    for longer than the grace period (startup grace if it never posted Ready), its conditions go Unknown with
//    upstream's NodeStatusUnknown / "Kubelet stopped posting node status.", and its pods are marked not ready.
//  - taints: on every node change, the managed taints (not-ready/unreachable NoExecute and NoSchedule, and the
//    TaintNodesByCondition ones, including unschedulable for cordoned nodes) are made to match its conditions.
// New not-ready/unreachable NoExecute taints are paced per zone and withheld when every zone looks down
// (node-lifecycle-zones.ts). Evicting pods from NoExecute-tainted nodes is node-lifecycle-eviction.ts.
import type { Node, NodeCondition, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { WorkQueue, byNodeName, formatTime, isConflict, isNotFound, leasesRef, runController, sleep, waitForSync } from '../../client/index.ts';
import { realClock } from '../../client/clock.ts';
import { findResource } from '../../api/resources.ts';
import type { ControllerContext } from './context.ts';
import { hasHealthNoExecute, reconcileTaints } from './node-lifecycle-taints.ts';
import { ZoneTracker, zoneOf } from './node-lifecycle-zones.ts';

export const nodesRef = findResource('', 'v1', 'nodes')!;
export const podsRef = findResource('', 'v1', 'pods')!;
export const nodeLeaseNamespace = 'kube-node-lease';
const watchedConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

interface Health {
  /** When we last saw the node's lease or Ready heartbeat change (controller clock, ms). */
  probeMs: number;
  renewTime?: string;
  readyHeartbeat?: string;
}

/** Conditions after a node went silent: each watched one Unknown (added if the kubelet never posted it). */
export function unknownConditions(node: Node, now: string): NodeCondition[] | undefined {
  const conds = structuredClone(node.status?.conditions ?? []);
  let changed = false;
  for (const type of watchedConditions) {
    const c = conds.find((x) => x.type === type);
    if (!c) {
      conds.push({
        type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: now,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? conds : undefined;
}

/**
 * When a node was last heard from, on first sight. Upstream counts a node that never posted Ready from its
 * creationTimestamp (so one created long before this controller started is judged at once, not a grace period
 * later); a creation time ahead of our clock (skew) counts as now. A node that did post is heard from now.
 */
export function firstProbeMs(node: Node, nowMs: number): number {
  const posted = node.status?.conditions?.some((c) => c.type === 'Ready') ?? false;
  const created = Date.parse(node.metadata?.creationTimestamp ?? '');
  return posted || Number.isNaN(created) ? nowMs : Math.min(created, nowMs);
}

export async function startNodeLifecycleController(ctx: ControllerContext): Promise<void> {
  const clock = ctx.clock ?? realClock;
  const nodes = ctx.informers.informerFor<Node>(nodesRef);
  const leases = ctx.informers.informerFor<Lease>(leasesRef, { namespace: nodeLeaseNamespace });
  const pods = ctx.informers.informerFor<Pod>(podsRef);
  const recorder = ctx.recorder('node-controller');
  const health = new Map<string, Health>();
  const zones = new ZoneTracker(clock);
  const pendingZoneEval = new Set<string>();
  const taintQueue = new WorkQueue<string>();
  const nowStr = (): string => formatTime(clock.now());

  nodes.addEventHandler({
    onAdd: (n, initial) => {
      taintQueue.add(n.metadata!.name!);
      if (!initial) recorder.event(n, 'Normal', 'RegisteredNode', `Node ${n.metadata!.name} event: Registered Node ${n.metadata!.name} in Controller`);
    },
    onUpdate: (_, n) => taintQueue.add(n.metadata!.name!),
    onDelete: (n) => health.delete(n.metadata!.name!),
  });

  const observe = (node: Node): Health => {
    const name = node.metadata!.name!;
    const renewTime = leases.lister.get(nodeLeaseNamespace, name)?.spec?.renewTime ?? undefined;
    const readyHeartbeat = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? undefined;
    const h = health.get(name);
    if (!h) {
      const fresh = { probeMs: firstProbeMs(node, clock.now()), renewTime, readyHeartbeat };
      health.set(name, fresh);
      return fresh;
    }
    if (h.renewTime !== renewTime || h.readyHeartbeat !== readyHeartbeat) {
      h.probeMs = clock.now();
      h.renewTime = renewTime;
      h.readyHeartbeat = readyHeartbeat;
    }
    return h;
  };

  const markPodsNotReady = async (nodeName: string, signal: AbortSignal): Promise<void> => {
    for (const pod of pods.lister.byIndex(byNodeName, nodeName)) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (!ready || ready.status !== 'True' || pod.metadata?.deletionTimestamp) continue;
      const next = structuredClone(pod);
      const c = next.status!.conditions!.find((x) => x.type === 'Ready')!;
      c.status = 'False';
      c.lastTransitionTime = nowStr();
      try {
        await ctx.client.updateStatus(podsRef, next, { namespace: pod.metadata!.namespace, signal });
        recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) console.error(`node-lifecycle: marking pod ${pod.metadata!.name} not ready:`, err);
      }
    }
  };

  const monitorOnce = async (signal: AbortSignal): Promise<void> => {
    const all = nodes.lister.list();
    /** nodes as we just wrote them: the zone states must see this pass's verdicts, not the cache's lag */
    const written = new Map<string, Node>();
    try {
      await markSilentNodes(all, written, signal);
    } finally {
      const wasAllDown = zones.allFullyDisrupted();
      zones.update(all.map((n) => written.get(n.metadata!.name!) ?? n));
      pendingZoneEval.clear();
      // entering or leaving "every zone down" changes every node's NoExecute taints at once
      const changed = wasAllDown !== zones.allFullyDisrupted() ? all : all.filter((n) => written.has(n.metadata!.name!));
      for (const n of changed) taintQueue.add(n.metadata!.name!);
    }
  };

  const markSilentNodes = async (all: Node[], written: Map<string, Node>, signal: AbortSignal): Promise<void> => {
    for (const node of all) {
      if (signal.aborted) return;
      const h = observe(node);
      const hasReady = node.status?.conditions?.some((c) => c.type === 'Ready') ?? false;
      const grace = hasReady ? ctx.options.nodeMonitorGracePeriodMs : ctx.options.nodeStartupGracePeriodMs;
      const wasReady = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      if (clock.now() <= h.probeMs + grace) continue;
      const conditions = unknownConditions(node, nowStr());
      if (!conditions) continue;
      try {
        const next: Node = { ...structuredClone(node), status: { ...structuredClone(node.status), conditions } };
        pendingZoneEval.add(node.metadata!.name!);
        written.set(node.metadata!.name!, await ctx.client.updateStatus(nodesRef, next, { signal }));
        recorder.event(node, 'Normal', 'NodeNotReady', `Node ${node.metadata!.name} status is now: NodeNotReady`);
      } catch (err) {
        // a conflict means the kubelet (or someone) wrote meanwhile: look again next period
        if (!isNotFound(err) && !isConflict(err)) console.error(`node-lifecycle: marking node ${node.metadata!.name} unknown:`, err);
        continue;
      }
      if (wasReady) await markPodsNotReady(node.metadata!.name!, signal);
    }
  };

  const monitor = async (signal: AbortSignal): Promise<void> => {
    if (!(await waitForSync([nodes.synced, leases.synced, pods.synced], signal))) return;
    while (!signal.aborted) {
      try {
        await monitorOnce(signal);
      } catch (err) {
        if (!signal.aborted) console.error('node-lifecycle: monitor pass failed:', err);
      }
      if (!(await sleep(clock, ctx.options.nodeMonitorPeriodMs, signal))) return;
    }
  };

  await Promise.all([
    monitor(ctx.signal),
    runController({
      name: 'node-lifecycle-taints',
      queue: taintQueue,
      signal: ctx.signal,
      workers: 2,
      synced: [nodes.synced],
      reconcile: async (name, signal) => {
        const node = nodes.lister.get('', name);
        if (!node) return;
        let taints = reconcileTaints(node, nowStr());
        let retry: number | undefined;
        const addsNoExecute = taints !== undefined && !hasHealthNoExecute(node) && hasHealthNoExecute({ spec: { taints } });
        if (zones.allFullyDisrupted()) {
          taints = reconcileTaints(node, nowStr(), 'remove');
        } else if (addsNoExecute && pendingZoneEval.has(name)) {
          // marked Unknown in the monitor pass still running: it requeues the node once zones are re-judged
          taints = reconcileTaints(node, nowStr(), 'hold');
        } else if (addsNoExecute) {
          const admitted = zones.admit(zoneOf(node));
          if (admitted.policy !== 'allow') {
            taints = reconcileTaints(node, nowStr(), admitted.policy);
            retry = admitted.retryMs;
          }
        }
        if (!taints) return retry === undefined ? undefined : { requeueAfter: retry };
        try {
          await ctx.client.patch(nodesRef, name, { metadata: { resourceVersion: node.metadata!.resourceVersion }, spec: { taints } }, 'merge', { signal });
        } catch (err) {
          // a conflict: our cache is behind; the node's next watch event requeues it
          if (isConflict(err)) return { requeueAfter: 500 };
          if (!isNotFound(err)) throw err;
        }
        return retry === undefined ? undefined : { requeueAfter: retry };
      },
    }),
  ]);
}
