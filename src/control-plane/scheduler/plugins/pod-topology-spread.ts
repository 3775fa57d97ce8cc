// PodTopologySpread. Filter (DoNotSchedule constraints): the skew of matching pods across the domains of
// topologyKey, counted over nodes that match the pod's node affinity, must stay within maxSkew once the pod lands.
// Score (ScheduleAnyway constraints, or when the pod has none and has a controller owner, the system defaults
// hostname maxSkew 3 / zone maxSkew 5 over pods of the same owner, which is what spreads a ReplicaSet's pods).
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { type LabelMatcher, labelSelectorMatcher } from '../../../client/index.ts';
import { type FilterPlugin, type NodeScorer, type ScorePlugin, maxNodeScore, unresolvable, unschedulable } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import { requiredAffinityMatcher } from './node-affinity.ts';
import { firstUntolerated } from './taint-toleration.ts';

const hostnameKey = 'kubernetes.io/hostname';
const zoneKey = 'topology.kubernetes.io/zone';
const missingLabel = unresolvable("node(s) didn't match pod topology spread constraints (missing required label)");
const skewed = unschedulable("node(s) didn't match pod topology spread constraints");

interface Constraint {
  key: string;
  maxSkew: number;
  minDomains: number;
  /** Whether an existing pod counts toward this constraint. */
  counts: (p: PodInfo) => boolean;
  /** Fast path: count pods of this owner via NodeInfo.ownerCounts. */
  ownerUid?: string;
  selfMatch: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

function compile(pod: PodInfo, c: TopologySpreadConstraint): Constraint {
  let sel = c.labelSelector ?? undefined;
  if (sel && c.matchLabelKeys?.length) {
    const extra = c.matchLabelKeys.filter((k) => pod.labels[k] !== undefined).map((k) => ({ key: k, operator: 'In', values: [pod.labels[k]] }));
    sel = { ...sel, matchExpressions: [...(sel.matchExpressions ?? []), ...extra] };
  }
  const match: LabelMatcher = labelSelectorMatcher(sel);
  return {
    key: c.topologyKey,
    maxSkew: c.maxSkew,
    minDomains: c.minDomains ?? 1,
    counts: (p) => p.namespace === pod.namespace && !p.terminating && match(p.labels),
    selfMatch: match(pod.labels) ? 1 : 0,
    honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

function countOn(node: NodeInfo, c: Constraint): number {
  if (c.ownerUid !== undefined) return node.ownerCounts.get(c.ownerUid) ?? 0;
  let n = 0;
  for (const p of node.pods.values()) if (c.counts(p)) n++;
  return n;
}

function eligible(pod: PodInfo): (node: NodeInfo, c: Constraint) => boolean {
  const affinity = requiredAffinityMatcher(pod);
  return (node, c) => {
    if (c.honorAffinity && affinity && !affinity(node)) return false;
    if (c.honorTaints && firstUntolerated(node.taints, pod.tolerations, (e) => e === 'NoSchedule' || e === 'NoExecute')) return false;
    return true;
  };
}

export const podTopologySpreadFilter: FilterPlugin = {
  name: 'PodTopologySpread',
  prepare(pod, snapshot) {
    const hard = (pod.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    if (!hard.length) return null;
    const cs = hard.map((c) => compile(pod, c));
    const ok = eligible(pod);
    const counts = cs.map(() => new Map<string, number>());
    for (const node of snapshot.nodes) {
      if (!cs.every((c) => node.labels[c.key] !== undefined)) continue;
      cs.forEach((c, i) => {
        if (!ok(node, c)) return;
        const domain = node.labels[c.key];
        counts[i].set(domain, (counts[i].get(domain) ?? 0) + countOn(node, c));
      });
    }
    const mins = counts.map((m, i) => {
      if (m.size < cs[i].minDomains) return 0;
      let min = Infinity;
      for (const v of m.values()) min = Math.min(min, v);
      return min === Infinity ? 0 : min;
    });
    return (node) => {
      for (const c of cs) if (node.labels[c.key] === undefined) return missingLabel;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i];
        const skew = (counts[i].get(node.labels[c.key]) ?? 0) + c.selfMatch - mins[i];
        if (skew > c.maxSkew) return skewed;
      }
      return null;
    };
  },
};

export const podTopologySpreadScore: ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  prepare(pod, snapshot, feasible): NodeScorer | null {
    const explicit = pod.pod.spec?.topologySpreadConstraints ?? [];
    let cs: Constraint[];
    let systemDefaulted = false;
    if (explicit.length) {
      cs = explicit.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway').map((c) => compile(pod, c));
    } else {
      if (!pod.ownerUid) return null;
      systemDefaulted = true;
      const owner = pod.ownerUid;
      const base = { minDomains: 1, selfMatch: 1, honorAffinity: true, honorTaints: false, ownerUid: owner, counts: (p: PodInfo) => p.ownerUid === owner && !p.terminating };
      cs = [{ ...base, key: hostnameKey, maxSkew: 3 }, { ...base, key: zoneKey, maxSkew: 5 }];
    }
    if (!cs.length) return null;
    const hasAll = (node: NodeInfo) => cs.every((c) => node.labels[c.key] !== undefined);
    const ignored = new Set<NodeInfo>();
    const active = cs.filter((c) => !systemDefaulted || feasible.some((n) => n.labels[c.key] !== undefined));
    if (!active.length) return null;
    for (const n of feasible) {
      if (systemDefaulted ? !active.some((c) => n.labels[c.key] !== undefined) : !hasAll(n)) ignored.add(n);
    }
    // Domain sizes and counts: hostname domains are the feasible nodes themselves; other keys count over all nodes.
    const ok = eligible(pod);
    const weights: number[] = [];
    const domainCounts: (Map<string, number> | undefined)[] = [];
    for (const c of active) {
      if (c.key === hostnameKey) {
        weights.push(Math.log(feasible.length - ignored.size + 2));
        domainCounts.push(undefined);
        continue;
      }
      const domains = new Set<string>();
      for (const n of feasible) if (!ignored.has(n) && n.labels[c.key] !== undefined) domains.add(n.labels[c.key]);
      const m = new Map<string, number>();
      for (const n of snapshot.nodes) {
        const v = n.labels[c.key];
        if (v === undefined || !domains.has(v) || !ok(n, c)) continue;
        m.set(v, (m.get(v) ?? 0) + countOn(n, c));
      }
      weights.push(Math.log(domains.size + 2));
      domainCounts.push(m);
    }
    return {
      score(node) {
        if (ignored.has(node)) return 0;
        let s = 0;
        active.forEach((c, i) => {
          const v = node.labels[c.key];
          if (v === undefined) return;
          const cnt = c.key === hostnameKey ? countOn(node, c) : domainCounts[i]!.get(v) ?? 0;
          s += cnt * weights[i] + (c.maxSkew - 1);
        });
        return Math.round(s);
      },
      normalize(scores, nodes) {
        const isIgnored = nodes.map((n) => ignored.has(n));
        let min = Infinity;
        let max = -Infinity;
        scores.forEach((s, i) => {
          if (isIgnored[i]) return;
          min = Math.min(min, s);
          max = Math.max(max, s);
        });
        scores.forEach((s, i) => {
          if (isIgnored[i]) scores[i] = 0;
          else if (max === 0) scores[i] = maxNodeScore;
          else scores[i] = Math.trunc((maxNodeScore * (max + min - s)) / max);
        });
      },
    };
  },
};
