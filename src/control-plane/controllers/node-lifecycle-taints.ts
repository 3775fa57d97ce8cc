// Pure rules of the node lifecycle and taint-eviction controllers: which taints a node's conditions call for
// (upstream's NoExecute tainting and TaintNodesByCondition), how tolerations match taints (core/v1 helpers'
// ToleratesTaint), and when a pod on a NoExecute-tainted node must go (upstream's getMinTolerationTime).
import type { Node, NodeCondition, Taint, Toleration } from 'kubernetes-types/core/v1.js';

export const taintNotReady = 'node.kubernetes.io/not-ready';
export const taintUnreachable = 'node.kubernetes.io/unreachable';
export const taintUnschedulable = 'node.kubernetes.io/unschedulable';
export const taintMemoryPressure = 'node.kubernetes.io/memory-pressure';
export const taintDiskPressure = 'node.kubernetes.io/disk-pressure';
export const taintPIDPressure = 'node.kubernetes.io/pid-pressure';
export const taintNetworkUnavailable = 'node.kubernetes.io/network-unavailable';

/** Taints this controller owns; any other taint on a node is left exactly as it is. */
const managed = new Set([
  `${taintNotReady}:NoExecute`, `${taintUnreachable}:NoExecute`, `${taintNotReady}:NoSchedule`, `${taintUnreachable}:NoSchedule`,
  `${taintUnschedulable}:NoSchedule`, `${taintMemoryPressure}:NoSchedule`, `${taintDiskPressure}:NoSchedule`,
  `${taintPIDPressure}:NoSchedule`, `${taintNetworkUnavailable}:NoSchedule`,
]);

function condition(node: Node, type: string): NodeCondition | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === type);
}

/** The managed taints the node's state asks for, as "key:effect". */
export function wantedTaints(node: Node): string[] {
  const out: string[] = [];
  const ready = condition(node, 'Ready')?.status;
  if (ready === 'False') out.push(`${taintNotReady}:NoExecute`, `${taintNotReady}:NoSchedule`);
  if (ready === 'Unknown') out.push(`${taintUnreachable}:NoExecute`, `${taintUnreachable}:NoSchedule`);
  if (node.spec?.unschedulable) out.push(`${taintUnschedulable}:NoSchedule`);
  const pressure: [string, string][] = [
    ['MemoryPressure', taintMemoryPressure], ['DiskPressure', taintDiskPressure], ['PIDPressure', taintPIDPressure],
    ['NetworkUnavailable', taintNetworkUnavailable],
  ];
  for (const [type, key] of pressure) if (condition(node, type)?.status === 'True') out.push(`${key}:NoSchedule`);
  return out;
}

const healthNoExecute = new Set([`${taintNotReady}:NoExecute`, `${taintUnreachable}:NoExecute`]);

/** True when the node carries a not-ready or unreachable NoExecute taint (a swap between them is not a new one). */
export function hasHealthNoExecute(node: Node): boolean {
  return (node.spec?.taints ?? []).some((t) => healthNoExecute.has(`${t.key}:${t.effect}`));
}

/**
 * The node's taints with the managed ones made to match wantedTaints: unmanaged taints untouched, kept taints keep
 * their timeAdded, new NoExecute taints get timeAdded = now. Returns undefined when nothing changes.
 * noExecute (zone disruption, node-lifecycle-zones.ts): 'hold' adds no new not-ready/unreachable NoExecute taint,
 * 'remove' also lifts existing ones.
 */
export function reconcileTaints(node: Node, now: string, noExecute: 'allow' | 'hold' | 'remove' = 'allow'): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const want = new Set(wantedTaints(node));
  if (noExecute === 'remove') for (const id of healthNoExecute) want.delete(id);
  if (noExecute === 'hold') {
    const present = new Set(current.map((t) => `${t.key}:${t.effect}`));
    for (const id of healthNoExecute) if (!present.has(id)) want.delete(id);
  }
  const next: Taint[] = [];
  let changed = false;
  for (const t of current) {
    const id = `${t.key}:${t.effect}`;
    if (managed.has(id) && !want.has(id)) {
      changed = true;
      continue;
    }
    want.delete(id);
    next.push(t);
  }
  for (const id of want) {
    const i = id.lastIndexOf(':');
    const t: Taint = { key: id.slice(0, i), effect: id.slice(i + 1) };
    if (t.effect === 'NoExecute') t.timeAdded = now;
    next.push(t);
    changed = true;
  }
  return changed ? next : undefined;
}

/** core/v1 Toleration.ToleratesTaint. */
export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  const op = tol.operator ?? 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (tol.value ?? '') === (taint.value ?? '');
  return false;
}

/**
 * What the taint-eviction controller does with a pod given its node's NoExecute taints: 'now' when some taint is
 * not tolerated (or a matching toleration's seconds are <= 0), 'never' when every matching toleration is unbounded,
 * else the number of seconds after which the pod goes (the least tolerationSeconds among the tolerations used).
 */
export function evictionDelay(tolerations: Toleration[], taints: Taint[]): 'now' | 'never' | number {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return 'never';
  const used = new Set<Toleration>();
  for (const taint of noExecute) {
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return 'now';
    for (const t of matching) used.add(t);
  }
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 'now';
    min = min === undefined ? t.tolerationSeconds : Math.min(min, t.tolerationSeconds);
  }
  return min === undefined ? 'never' : min;
}
