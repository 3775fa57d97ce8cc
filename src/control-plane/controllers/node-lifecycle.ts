// Node lifecycle controller (upstream node-lifecycle-controller). Two kinds of key on one queue:
//  - health (the key ":monitor", requeued every nodeMonitorPeriod; no node name has a colon): a node counts as heard from when its Lease in kube-node-lease was renewed or
//    its Ready heartbeat moved (timed on OUR clock when we saw the change, so clock skew does not matter). Silent
//    for longer than the grace period (startup grace if it never posted Ready), its conditions go Unknown with
//    upstream's NodeStatusUnknown / "Kubelet stopped posting node status.", and its pods are marked not ready.
//  - taints (a node's name, on every node change): the managed taints (not-ready/unreachable NoExecute and NoSchedule, and the
//    TaintNodesByCondition ones, including unschedulable for cordoned nodes) are made to match its conditions.
// New not-ready/unreachable NoExecute taints are paced per zone and withheld when every zone looks down
// (node-lifecycle-zones.ts). Evicting pods from NoExecute-tainted nodes is node-lifecycle-eviction.ts.
import type { Node, NodeCondition, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { byNodeName } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import { isConflict, isNotFound } from '../../client/errors.ts';
import { type EventRecorder, formatTime } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller, errMessage } from './base.ts';
import type { ControllerContext } from './context.ts';
import { leasesRef, nodesRef, podsRef } from './refs.ts';
import { hasHealthNoExecute, reconcileTaints } from './node-lifecycle-taints.ts';
import { ZoneTracker, zoneOf } from './node-lifecycle-zones.ts';

const monitorKey = ':monitor';
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

export class NodeLifecycleController extends Controller {
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly health = new Map<string, Health>();
  private readonly zones: ZoneTracker;
  /** Nodes the running monitor pass marked Unknown whose zone has not been re-judged yet. */
  private readonly pendingZoneEval = new Set<string>();

  constructor(ctx: ControllerContext) {
    // one worker can be on the monitor pass while others reconcile taints
    super(ctx, { name: 'node-lifecycle', workers: 3 });
    this.nodes = this.informer<Node>(nodesRef);
    this.leases = this.informer<Lease>(leasesRef, { namespace: nodeLeaseNamespace });
    this.pods = this.informer<Pod>(podsRef);
    this.recorder = ctx.recorder('node-controller');
    this.zones = new ZoneTracker(this.clock);
    this.nodes.addEventHandler({
      onAdd: (n, initial) => {
        this.queue.add(n.metadata!.name!);
        const name = n.metadata!.name;
        if (!initial) this.recorder.event(n, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      },
      onUpdate: (_, n) => this.queue.add(n.metadata!.name!),
      onDelete: (n) => this.health.delete(n.metadata!.name!),
    });
    this.queue.add(monitorKey);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    if (key !== monitorKey) return this.reconcileTaints(key, signal);
    try {
      await this.monitorOnce(signal);
    } catch (err) {
      if (!signal.aborted) console.error('node-lifecycle: monitor pass failed:', errMessage(err));
    }
    return { requeueAfter: this.ctx.options.nodeMonitorPeriodMs };
  }

  private nowStr(): string {
    return formatTime(this.clock.now());
  }

  /** When the node was last heard from, updated when its lease renewal or Ready heartbeat moved. */
  private observe(node: Node): Health {
    const name = node.metadata!.name!;
    const renewTime = this.leases.lister.get(nodeLeaseNamespace, name)?.spec?.renewTime ?? undefined;
    const readyHeartbeat = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? undefined;
    const h = this.health.get(name);
    if (!h) {
      const fresh = { probeMs: firstProbeMs(node, this.clock.now()), renewTime, readyHeartbeat };
      this.health.set(name, fresh);
      return fresh;
    }
    if (h.renewTime !== renewTime || h.readyHeartbeat !== readyHeartbeat) {
      h.probeMs = this.clock.now();
      h.renewTime = renewTime;
      h.readyHeartbeat = readyHeartbeat;
    }
    return h;
  }

  private async markPodsNotReady(nodeName: string, signal: AbortSignal): Promise<void> {
    for (const pod of this.pods.lister.byIndex(byNodeName, nodeName)) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (!ready || ready.status !== 'True' || pod.metadata?.deletionTimestamp) continue;
      const next = structuredClone(pod);
      const c = next.status!.conditions!.find((x) => x.type === 'Ready')!;
      c.status = 'False';
      c.lastTransitionTime = this.nowStr();
      try {
        await this.ctx.client.updateStatus(podsRef, next, { namespace: pod.metadata!.namespace, signal });
        this.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) console.error(`node-lifecycle: marking pod ${pod.metadata!.name} not ready:`, errMessage(err));
      }
    }
  }

  private async monitorOnce(signal: AbortSignal): Promise<void> {
    const all = this.nodes.lister.list();
    /** nodes as we just wrote them: the zone states must see this pass's verdicts, not the cache's lag */
    const written = new Map<string, Node>();
    try {
      await this.markSilentNodes(all, written, signal);
    } finally {
      const wasAllDown = this.zones.allFullyDisrupted();
      this.zones.update(all.map((n) => written.get(n.metadata!.name!) ?? n));
      this.pendingZoneEval.clear();
      // entering or leaving "every zone down" changes every node's NoExecute taints at once
      const changed = wasAllDown !== this.zones.allFullyDisrupted() ? all : all.filter((n) => written.has(n.metadata!.name!));
      for (const n of changed) this.queue.add(n.metadata!.name!);
    }
  }

  private async markSilentNodes(all: Node[], written: Map<string, Node>, signal: AbortSignal): Promise<void> {
    const o = this.ctx.options;
    for (const node of all) {
      if (signal.aborted) return;
      const h = this.observe(node);
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      const grace = ready ? o.nodeMonitorGracePeriodMs : o.nodeStartupGracePeriodMs;
      if (this.clock.now() <= h.probeMs + grace) continue;
      const conditions = unknownConditions(node, this.nowStr());
      if (!conditions) continue;
      const name = node.metadata!.name!;
      try {
        const next: Node = { ...structuredClone(node), status: { ...structuredClone(node.status), conditions } };
        this.pendingZoneEval.add(name);
        written.set(name, await this.ctx.client.updateStatus(nodesRef, next, { signal }));
        this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      } catch (err) {
        // a conflict means the kubelet (or someone) wrote meanwhile: look again next period
        if (!isNotFound(err) && !isConflict(err)) console.error(`node-lifecycle: marking node ${name} unknown:`, errMessage(err));
        continue;
      }
      if (ready?.status === 'True') await this.markPodsNotReady(name, signal);
    }
  }

  /** The managed taints of one node made to match its conditions, NoExecute ones paced by zone. */
  private async reconcileTaints(name: string, signal: AbortSignal): Promise<Action> {
    const node = this.nodes.lister.get('', name);
    if (!node) return;
    const { taints, retry } = this.desiredTaints(node);
    const again = retry === undefined ? undefined : { requeueAfter: retry };
    if (!taints) return again;
    try {
      const patch = { metadata: { resourceVersion: node.metadata!.resourceVersion }, spec: { taints } };
      await this.ctx.client.patch(nodesRef, name, patch, 'merge', { signal });
    } catch (err) {
      // a conflict: our cache is behind; the node's next watch event requeues it
      if (isConflict(err)) return { requeueAfter: 500 };
      if (!isNotFound(err)) throw err;
    }
    return again;
  }

  /** The taints to write (undefined: none change) and when to look again while a zone's rate holds some back. */
  private desiredTaints(node: Node): { taints?: Taint[]; retry?: number } {
    const now = this.nowStr();
    const taints = reconcileTaints(node, now);
    const addsNoExecute = taints !== undefined && !hasHealthNoExecute(node) && hasHealthNoExecute({ spec: { taints } });
    if (this.zones.allFullyDisrupted()) return { taints: reconcileTaints(node, now, 'remove') };
    // marked Unknown in the monitor pass still running: it requeues the node once zones are re-judged
    if (addsNoExecute && this.pendingZoneEval.has(node.metadata!.name!)) return { taints: reconcileTaints(node, now, 'hold') };
    if (!addsNoExecute) return { taints };
    const admitted = this.zones.admit(zoneOf(node));
    if (admitted.policy === 'allow') return { taints };
    return { taints: reconcileTaints(node, now, admitted.policy), retry: admitted.retryMs };
  }
}

export async function startNodeLifecycleController(ctx: ControllerContext): Promise<void> {
  await new NodeLifecycleController(ctx).run();
}
