// One scheduling decision, synchronous and pure over the snapshot: run the filters over nodes (starting where the
// previous cycle stopped, as upstream, and stopping once numFeasibleNodesToFind nodes passed), score the feasible
// ones with the weighted plugins, pick the best (ties broken at random). When nothing fits, a FitError carries
// every node's status so the message and the preemption verdict read like upstream's.
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';
import type { FilterPlugin, NodeFilter, ScorePlugin, Snapshot, Status } from './framework.ts';

export const minFeasibleNodesToFind = 100;
export const minFeasibleNodesPercentageToFind = 5;

/** upstream numFeasibleNodesToFind: all nodes below 100; else a percentage (adaptive 50 − n/125, at least 5%), at least 100. */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < minFeasibleNodesToFind || percentageOfNodesToScore >= 100) return numAllNodes;
  let adaptive = percentageOfNodesToScore;
  if (adaptive <= 0) {
    adaptive = 50 - Math.trunc(numAllNodes / 125);
    if (adaptive < minFeasibleNodesPercentageToFind) adaptive = minFeasibleNodesPercentageToFind;
  }
  const n = Math.trunc((numAllNodes * adaptive) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

export interface PluginStatus extends Status {
  plugin: string;
}

export class FitError extends Error {
  constructor(
    readonly pod: PodInfo,
    readonly numAllNodes: number,
    /** node name -> the status of the first filter that rejected it */
    readonly statuses: Map<string, PluginStatus>,
    readonly preFilterMsg = '',
    readonly preemptionPolicy = 'PreemptLowerPriority',
  ) {
    super('');
    this.name = 'FitError';
    this.message = this.format();
  }

  get unschedulablePlugins(): Set<string> {
    return new Set([...this.statuses.values()].map((s) => s.plugin));
  }

  private format(): string {
    const n = this.numAllNodes;
    if (n === 0) return 'no nodes available to schedule pods';
    let msg = `0/${n} nodes are available:`;
    if (this.preFilterMsg) msg += ` ${this.preFilterMsg}.`;
    else {
      const counts = new Map<string, number>();
      for (const s of this.statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
      const parts = histogram(counts);
      if (parts) msg += ` ${parts}.`;
    }
    return `${msg} ${this.preemptionMessage()}`;
  }

  /**
   * What DefaultPreemption (the PostFilter) reports. Skiff does not evict victims: nodes rejected for good
   * (UnschedulableAndUnresolvable) are "not helpful", the others have no victims to offer.
   */
  private preemptionMessage(): string {
    if (this.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
    const counts = new Map<string, number>();
    for (const s of this.statuses.values()) {
      const r = s.code === 'UnschedulableAndUnresolvable' ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod';
      counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    return `preemption: 0/${this.numAllNodes} nodes are available: ${histogram(counts)}.`;
  }
}

/** "1 Insufficient cpu, 2 node(s) had untolerated taint {a: b}": count-prefixed, sorted as strings, as upstream. */
function histogram(counts: Map<string, number>): string {
  return [...counts].map(([r, c]) => `${c} ${r}`).sort().join(', ');
}

export interface Profile {
  filters: readonly FilterPlugin[];
  scores: readonly ScorePlugin[];
  percentageOfNodesToScore?: number;
}

export interface ScheduleResult {
  node: NodeInfo;
  evaluatedNodes: number;
  feasibleNodes: number;
}

export class Algorithm {
  private nextStartNodeIndex = 0;

  constructor(private readonly profile: Profile, private readonly random: () => number = Math.random) {}

  /** Returns the chosen node, or throws FitError. */
  schedule(pod: PodInfo, snapshot: Snapshot): ScheduleResult {
    const nodes = snapshot.nodes;
    const n = nodes.length;
    const policy = pod.pod.spec?.preemptionPolicy ?? 'PreemptLowerPriority';
    if (n === 0) throw new FitError(pod, 0, new Map(), '', policy);
    const checks: { plugin: string; fn: NodeFilter }[] = [];
    for (const p of this.profile.filters) {
      const r = p.prepare(pod, snapshot);
      if (r === null) continue;
      if (typeof r === 'function') {
        checks.push({ plugin: p.name, fn: r });
        continue;
      }
      const statuses = new Map<string, PluginStatus>();
      for (const node of nodes) statuses.set(node.name, { ...r, plugin: p.name });
      throw new FitError(pod, n, statuses, r.reasons.join(', '), policy);
    }
    const toFind = numFeasibleNodesToFind(n, this.profile.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const statuses = new Map<string, PluginStatus>();
    const start = this.nextStartNodeIndex % n;
    let processed = 0;
    for (; processed < n && feasible.length < toFind; processed++) {
      const node = nodes[(start + processed) % n];
      let failed: PluginStatus | undefined;
      for (const c of checks) {
        const s = c.fn(node);
        if (s) {
          failed = { code: s.code, reasons: s.reasons, plugin: c.plugin };
          break;
        }
      }
      if (failed) statuses.set(node.name, failed);
      else feasible.push(node);
    }
    this.nextStartNodeIndex = (start + processed) % n;
    if (!feasible.length) throw new FitError(pod, n, statuses, '', policy);
    if (feasible.length === 1) return { node: feasible[0], evaluatedNodes: processed, feasibleNodes: 1 };
    return { node: this.select(pod, snapshot, feasible), evaluatedNodes: processed, feasibleNodes: feasible.length };
  }

  private select(pod: PodInfo, snapshot: Snapshot, feasible: NodeInfo[]): NodeInfo {
    const total = new Array<number>(feasible.length).fill(0);
    const scores = new Array<number>(feasible.length);
    for (const p of this.profile.scores) {
      const scorer = p.prepare(pod, snapshot, feasible);
      if (!scorer) continue;
      for (let i = 0; i < feasible.length; i++) scores[i] = scorer.score(feasible[i]);
      scorer.normalize?.(scores, feasible);
      for (let i = 0; i < feasible.length; i++) total[i] += scores[i] * p.weight;
    }
    // reservoir sampling among the best, so equal nodes share the load
    let best = 0;
    let ties = 1;
    for (let i = 1; i < feasible.length; i++) {
      if (total[i] > total[best]) {
        best = i;
        ties = 1;
      } else if (total[i] === total[best]) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return feasible[best];
  }
}
