// NodeResourcesFit (filter: pod count, cpu, memory, ephemeral storage and extended resources against allocatable
// minus what is already requested; score: LeastAllocated) and NodeResourcesBalancedAllocation. A request larger
// than the node's whole allocatable is UnschedulableAndUnresolvable (preemption could not help), as upstream.
import { type FilterPlugin, type ScorePlugin, type Status, maxNodeScore } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';

interface Insufficient {
  reason: string;
  unresolvable: boolean;
}

/** The insufficient resources of node for pod, in upstream's order (pods, cpu, memory, ephemeral-storage, scalars). */
export function insufficientResources(pod: PodInfo, node: NodeInfo): Insufficient[] {
  const out: Insufficient[] = [];
  if (node.pods.size + 1 > node.allowedPods) out.push({ reason: 'Too many pods', unresolvable: false });
  const r = pod.requests;
  const a = node.allocatable;
  const u = node.requested;
  if (r.milliCPU > 0 && r.milliCPU > a.milliCPU - u.milliCPU) out.push({ reason: 'Insufficient cpu', unresolvable: r.milliCPU > a.milliCPU });
  if (r.memory > 0 && r.memory > a.memory - u.memory) out.push({ reason: 'Insufficient memory', unresolvable: r.memory > a.memory });
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > a.ephemeralStorage - u.ephemeralStorage) {
    out.push({ reason: 'Insufficient ephemeral-storage', unresolvable: r.ephemeralStorage > a.ephemeralStorage });
  }
  for (const [name, q] of r.scalar) {
    if (q <= 0) continue;
    const cap = a.scalar.get(name) ?? 0;
    if (q > cap - (u.scalar.get(name) ?? 0)) out.push({ reason: `Insufficient ${name}`, unresolvable: q > cap });
  }
  return out;
}

const statusCache = new Map<string, Status>();

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  prepare(pod) {
    const r = pod.requests;
    const scalars = r.scalar.size > 0;
    return (node) => {
      // the common case allocates nothing: every quantity fits
      const a = node.allocatable;
      const u = node.requested;
      if (node.pods.size + 1 <= node.allowedPods && r.milliCPU <= a.milliCPU - u.milliCPU && r.memory <= a.memory - u.memory &&
        r.ephemeralStorage <= a.ephemeralStorage - u.ephemeralStorage && !scalars) return null;
      const missing = insufficientResources(pod, node);
      if (!missing.length) return null;
      const code = missing.some((m) => m.unresolvable) ? 'UnschedulableAndUnresolvable' : 'Unschedulable';
      const key = code + missing.map((m) => m.reason).join('\u0000');
      let s = statusCache.get(key);
      if (!s) {
        s = { code, reasons: missing.map((m) => m.reason) };
        if (statusCache.size > 1000) statusCache.clear();
        statusCache.set(key, s);
      }
      return s;
    };
  },
};

function leastAllocated(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

/** LeastAllocated over cpu and memory (weight 1 each), using non-zero requests so request-less pods still spread. */
export const nodeResourcesLeastAllocated: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  prepare(pod) {
    return {
      score(node) {
        const cpu = leastAllocated(node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, node.allocatable.milliCPU);
        const mem = leastAllocated(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
        return Math.trunc((cpu + mem) / 2);
      },
    };
  },
};

/** BalancedAllocation: 100 × (1 − std) of the cpu and memory fractions requested once the pod is added. */
export const nodeResourcesBalancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  prepare(pod) {
    return {
      score(node) {
        const a = node.allocatable;
        if (a.milliCPU === 0 || a.memory === 0) return 0;
        const fc = Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / a.milliCPU);
        const fm = Math.min(1, (node.requested.memory + pod.requests.memory) / a.memory);
        const std = Math.abs(fc - fm) / 2;
        return Math.trunc((1 - std) * maxNodeScore);
      },
    };
  },
};
