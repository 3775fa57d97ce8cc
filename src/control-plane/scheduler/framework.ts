// The plugin contract, kept to two calls each. A filter plugin's prepare(pod) runs once per scheduling cycle (the
// PreFilter step) and returns a per-node check, a Status that rejects every node at once, or null when it has
// nothing to check for this pod. A score plugin's prepare(pod, feasible) returns a per-node scorer (0..100 after
// its own normalize) or null to abstain. Statuses carry upstream's codes and reason strings, because the
// FailedScheduling message and preemption's verdict are built from them.
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';

export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface Status {
  code: Code;
  reasons: readonly string[];
}

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}
export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

export type NodeFilter = (node: NodeInfo) => Status | null;

/** What the plugins may read about the cluster: every node (with its pods) and a lookup by name. */
export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** How many pods on nodes carry required pod anti-affinity (0 lets InterPodAffinity skip the walk). */
  readonly antiAffinityPods: number;
  /** How many pods on nodes carry any inter-pod affinity term (0 lets InterPodAffinity scoring skip the walk). */
  readonly affinityPods: number;
}

export interface FilterPlugin {
  readonly name: string;
  prepare(pod: PodInfo, snapshot: Snapshot): NodeFilter | Status | null;
}

export interface NodeScorer {
  score(node: NodeInfo): number;
  /** Rewrites raw scores (scores[i] belongs to nodes[i]) into 0..100. */
  normalize?(scores: number[], nodes: readonly NodeInfo[]): void;
}

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  prepare(pod: PodInfo, snapshot: Snapshot, feasible: readonly NodeInfo[]): NodeScorer | null;
}

export const maxNodeScore = 100;

/** upstream DefaultNormalizeScore: scale so the best is 100 (reverse: best becomes 0 and lowest 100). */
export function defaultNormalize(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(maxNodeScore);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((maxNodeScore * scores[i]) / max);
    scores[i] = reverse ? maxNodeScore - s : s;
  }
}
