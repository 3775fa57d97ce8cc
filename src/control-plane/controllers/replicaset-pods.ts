// Pod facts the workload controllers share (upstream pkg/api/v1/pod and controller_utils): active, ready,
// available after minReadySeconds, and the ranking that picks which pods a scale-down deletes first.
import type { Pod } from 'kubernetes-types/core/v1.js';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

// where the workload e2e tests have long imported it from
export { controllerRefOf } from './controller-ref.ts';

/** Counted by its controller: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod last became Ready (ms), or undefined when it is not ready or the time is unknown. */
export function podReadySince(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/** Ready for at least minReadySeconds at `now` (ms). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

function creationTime(pod: Pod): number | undefined {
  const t = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

function deletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[podDeletionCostAnnotation];
  if (v === undefined || !/^-?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function maxRestarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** "a is after b", where an unknown time counts as earliest (upstream afterOrZero). */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/** Buckets ages by powers of two so pods of similar age rank alike (LogarithmicScaleDown, on by default). */
function logRankDiff(a: number, b: number, now: number): number {
  const rank = (t: number): number => {
    const d = (now - t) * 1e6; // nanoseconds, as upstream takes log2 of a Duration
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return rank(a) - rank(b);
}

function compareTimes(a: number | undefined, b: number | undefined, now: number, uidA: string, uidB: string): number {
  if (a === b) return 0;
  if (a === undefined || b === undefined) return afterOrZero(a, b) ? -1 : 1;
  const diff = logRankDiff(a, b, now);
  if (diff === 0) return uidA < uidB ? -1 : uidA > uidB ? 1 : 0;
  return diff < 0 ? -1 : 1;
}

/**
 * Orders pods most-deletable first, as upstream's ActivePodsWithRanks: unassigned, then pending < unknown <
 * running, not ready, lower deletion cost, more pods of the same owner family on its node, ready for less time,
 * more container restarts, newer.
 */
export function rankPodsForDeletion(pods: Pod[], rankOf: (pod: Pod) => number, now: number): Pod[] {
  const ranked = pods.map((pod) => ({ pod, rank: rankOf(pod), ready: isPodReady(pod) }));
  ranked.sort((x, y) => {
    const a = x.pod;
    const b = y.pod;
    const na = a.spec?.nodeName ?? '';
    const nb = b.spec?.nodeName ?? '';
    if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
    const pa = phaseOrdinal[a.status?.phase ?? 'Pending'] ?? 0;
    const pb = phaseOrdinal[b.status?.phase ?? 'Pending'] ?? 0;
    if (pa !== pb) return pa - pb;
    if (x.ready !== y.ready) return x.ready ? 1 : -1;
    const ca = deletionCost(a);
    const cb = deletionCost(b);
    if (ca !== cb) return ca - cb;
    if (x.rank !== y.rank) return y.rank - x.rank;
    const uidA = a.metadata?.uid ?? '';
    const uidB = b.metadata?.uid ?? '';
    if (x.ready && y.ready) {
      const c = compareTimes(podReadySince(a), podReadySince(b), now, uidA, uidB);
      if (c !== 0) return c;
    }
    const ra = maxRestarts(a);
    const rb = maxRestarts(b);
    if (ra !== rb) return rb - ra;
    return compareTimes(creationTime(a), creationTime(b), now, uidA, uidB);
  });
  return ranked.map((r) => r.pod);
}
