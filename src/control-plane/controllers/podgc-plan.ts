// What one pod-GC sweep collects, decided from the caches alone (upstream pkg/controller/podgc's gc pass). Pure
// functions, so every rule is tested without a cluster; podgc.ts does the writes.
import type { Node, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';

export const outOfServiceTaint = 'node.kubernetes.io/out-of-service';

/** upstream's reason label of pod_gc_collector_force_delete_pods_total */
export type PodGcReason = 'terminated' | 'terminating_out_of_service' | 'orphaned' | 'terminating_unscheduled';

export interface PodGcPlan {
  /** Terminal pods over the threshold: evicted ones first, then oldest, then by name (upstream's order). */
  terminated: Pod[];
  /** Terminating pods on a not-ready node that carries the out-of-service taint. */
  terminatingOutOfService: Pod[];
  /** Nodes that pods are bound to but the node cache lacks (candidates for quarantine). */
  missingNodes: string[];
  /** Terminating pods that were never scheduled. */
  unscheduledTerminating: Pod[];
}

/** Succeeded or Failed (anything but Pending, Running, Unknown), as upstream's isPodTerminated. */
export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== undefined && phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

function isEvicted(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' && pod.status.reason === 'Evicted';
}

function byEvictionAndCreation(a: Pod, b: Pod): number {
  if (isEvicted(a) !== isEvicted(b)) return isEvicted(a) ? -1 : 1;
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return Date.parse(ta) - Date.parse(tb);
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

function nodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** threshold <= 0 turns collection of terminated pods off (upstream's --terminated-pod-gc-threshold). */
export function planPodGc(pods: Pod[], nodes: Node[], threshold: number): PodGcPlan {
  const byName = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
  const terminatedAll = threshold > 0 ? pods.filter(isPodTerminated) : [];
  const excess = terminatedAll.length - threshold;
  const terminated = excess > 0 ? terminatedAll.sort(byEvictionAndCreation).slice(0, excess) : [];
  const terminatingOutOfService = pods.filter((p) => {
    const node = p.metadata?.deletionTimestamp ? byName.get(p.spec?.nodeName ?? '') : undefined;
    return node !== undefined && !nodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === outOfServiceTaint);
  }).sort(byEvictionAndCreation);
  const missing = new Set<string>();
  for (const p of pods) if (p.spec?.nodeName && !byName.has(p.spec.nodeName)) missing.add(p.spec.nodeName);
  const unscheduledTerminating = pods.filter((p) => p.metadata?.deletionTimestamp && !p.spec?.nodeName);
  return { terminated, terminatingOutOfService, missingNodes: [...missing], unscheduledTerminating };
}

/** The status a pod is given before its forced deletion: phase Failed, plus condition when given (upstream
 *  UpdatePodCondition: lastTransitionTime moves only when the status changes). undefined when already terminal. */
export function failedStatus(pod: Pod, now: string, condition?: Omit<PodCondition, 'lastTransitionTime'>): PodStatus | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const status: PodStatus = { ...structuredClone(pod.status ?? {}), phase: 'Failed' };
  if (condition) {
    const conditions = status.conditions ?? [];
    const i = conditions.findIndex((c) => c.type === condition.type);
    const old = i >= 0 ? conditions[i] : undefined;
    const next: PodCondition = { ...condition, lastTransitionTime: old && old.status === condition.status ? old.lastTransitionTime : now };
    if (i >= 0) conditions[i] = next;
    else conditions.push(next);
    status.conditions = conditions;
  }
  return status;
}
