// The DaemonSet controller's decisions as pure functions over "each node, where its pods belong, and the pods
// aimed at it" (upstream daemon_controller podsShouldBeOnNode, rollingUpdate in update.go, updateDaemonSetStatus):
// which nodes get a pod, which pods go, how far a rolling update may go this pass (maxUnavailable, maxSurge) and
// the status counters. The controller (daemonset.ts) only gathers the inputs and carries out the result.
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { controllerRevisionHashLabel, type Placement } from './daemonset-placement.ts';
import { isPodAvailable, isPodReady } from './replicaset-pods.ts';

export interface NodeState {
  node: Node;
  placement: Placement;
  /** The DaemonSet's pods aimed at this node, terminating ones included. */
  pods: Pod[];
}

export interface Plan {
  /** Node names that get a new pod. */
  create: string[];
  delete: Pod[];
  /** Failed pods among delete (reported as FailedDaemonPod). */
  failed: Pod[];
}

const created = (p: Pod): string => p.metadata?.creationTimestamp ?? '';

/** Oldest first; name breaks ties so every pass picks the same pod. */
export function oldestFirst(pods: Pod[]): Pod[] {
  return [...pods].sort((a, b) => created(a).localeCompare(created(b)) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

export const isUpdated = (pod: Pod, hash: string): boolean => pod.metadata?.labels?.[controllerRevisionHashLabel] === hash;

/**
 * Placement for every node: a node that should run the pod and has none gets one (a pod still terminating
 * there is waited for); failed pods are deleted; of several running pods the oldest stays (with a surge
 * running, the oldest updated one may stay beside it); a node that may not keep the pod loses all of them.
 */
export function planPlacement(states: NodeState[], hash: string, surge: boolean): Plan {
  const plan: Plan = { create: [], delete: [], failed: [] };
  for (const { node, placement, pods } of states) {
    const name = node.metadata?.name ?? '';
    const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
    if (!placement.shouldContinueRunning) {
      plan.delete.push(...live);
      continue;
    }
    const failed = live.filter((p) => p.status?.phase === 'Failed');
    plan.delete.push(...failed);
    plan.failed.push(...failed);
    const running = oldestFirst(live.filter((p) => p.status?.phase !== 'Failed'));
    if (running.length === 0) {
      if (placement.shouldRun && failed.length === 0 && live.length === pods.length) plan.create.push(name);
      continue;
    }
    const keep = new Set<Pod>([running[0]]);
    if (surge) {
      const updated = running.find((p) => isUpdated(p, hash));
      const old = running.find((p) => !isUpdated(p, hash));
      for (const p of [updated, old]) if (p) keep.add(p);
    }
    plan.delete.push(...running.filter((p) => !keep.has(p)));
  }
  return plan;
}

/** GetScaledValueFromIntOrPercent with roundUp, as upstream scales both maxSurge and maxUnavailable. */
export function scaled(v: number | string | undefined, total: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Math.ceil((Number(v.slice(0, -1)) * total) / 100);
  return 0;
}

/** Upstream updatedDesiredNodeCounts: both scaled to the desired count; both 0 means maxUnavailable 1. */
export function rollingBudget(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaled(ru?.maxSurge, desired);
  let maxUnavailable = scaled(ru?.maxUnavailable ?? 1, desired);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/**
 * One pass of a rolling update over the nodes that should run the pod. Without surge: unavailable old pods go
 * at once, available ones only while fewer than maxUnavailable nodes lack an available pod. With surge: an
 * updated pod is started beside the old one — at once where the old one is unavailable, else while fewer than
 * maxSurge nodes wait for their new pod — and the old one goes once the new one is available.
 */
export function planRollingUpdate(ds: DaemonSet, states: NodeState[], hash: string, now: number): Plan {
  const plan: Plan = { create: [], delete: [], failed: [] };
  const desired = states.filter((s) => s.placement.shouldRun);
  const { maxSurge, maxUnavailable } = rollingBudget(ds, desired.length);
  const available = (p: Pod): boolean => isPodAvailable(p, ds.spec?.minReadySeconds ?? 0, now);
  const sorted = [...desired].sort((a, b) => (a.node.metadata?.name ?? '').localeCompare(b.node.metadata?.name ?? ''));
  let unavailable = 0;
  let surging = 0;
  const candidates: Pod[] = [];
  const surgeCandidates: string[] = [];
  for (const { node, pods } of sorted) {
    const live = oldestFirst(pods.filter((p) => !p.metadata?.deletionTimestamp));
    const newPod = live.find((p) => isUpdated(p, hash));
    const oldPod = live.find((p) => !isUpdated(p, hash));
    if (maxSurge > 0) {
      if (oldPod && newPod) {
        if (available(newPod)) plan.delete.push(oldPod);
        else surging++; // waiting for the new pod: this node uses a surge slot
      } else if (oldPod && !available(oldPod)) {
        plan.create.push(node.metadata?.name ?? ''); // nothing to lose here: replace without a slot
      } else if (oldPod) {
        surgeCandidates.push(node.metadata?.name ?? '');
      }
      continue;
    }
    if (!newPod && !oldPod) unavailable++; // missing: placement creates it; it counts against the budget meanwhile
    else if (newPod && !oldPod) unavailable += available(newPod) ? 0 : 1;
    else if (oldPod && !newPod) {
      if (!available(oldPod)) {
        plan.delete.push(oldPod);
        unavailable++;
      } else candidates.push(oldPod);
    } else unavailable++; // two pods: placement settles it first
  }
  plan.delete.push(...candidates.slice(0, Math.max(0, maxUnavailable - unavailable)));
  plan.create.push(...surgeCandidates.slice(0, Math.max(0, maxSurge - surging)));
  return plan;
}

/** Upstream updateDaemonSetStatus's counters (observedGeneration and conditions are the caller's). */
export function daemonSetCounters(ds: DaemonSet, states: NodeState[], hash: string, now: number): DaemonSetStatus {
  const st: DaemonSetStatus = {
    currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0,
    updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0,
  };
  const minReady = ds.spec?.minReadySeconds ?? 0;
  for (const { placement, pods } of states) {
    const scheduled = pods.length > 0;
    if (!placement.shouldRun) {
      if (scheduled) st.numberMisscheduled++;
      continue;
    }
    st.desiredNumberScheduled++;
    if (!scheduled) continue;
    st.currentNumberScheduled++;
    // the pod that counts is the oldest (upstream podByCreationTimestampAndPhase), preferring live ones
    const pod = oldestFirst(pods.filter((p) => !p.metadata?.deletionTimestamp))[0] ?? oldestFirst(pods)[0];
    if (isPodReady(pod)) {
      st.numberReady!++;
      if (isPodAvailable(pod, minReady, now)) st.numberAvailable!++;
    }
    if (isUpdated(pod, hash)) st.updatedNumberScheduled!++;
  }
  st.numberUnavailable = st.desiredNumberScheduled - (st.numberAvailable ?? 0);
  // these three are omitempty upstream: a zero is not written
  for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const) if (st[k] === 0) delete st[k];
  return st;
}
