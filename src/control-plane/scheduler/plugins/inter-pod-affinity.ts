// InterPodAffinity (required terms only): the node's topology domain must hold pods matching every affinity term
// (unless no such pod exists anywhere and the pod matches its own terms: the first of a group), must hold no pod
// matching an anti-affinity term, and no existing pod's required anti-affinity may reject the incoming pod there.
// Scores preferred terms both ways (see interPodAffinityScore).
import { type FilterPlugin, type ScorePlugin, maxNodeScore, unresolvable, unschedulable } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import { type AffinityTerm, type PodInfo, termMatches } from '../pod-info.ts';

const affinityMismatch = unresolvable("node(s) didn't match pod affinity rules");
const antiAffinityMismatch = unschedulable("node(s) didn't match pod anti-affinity rules");
const existingAntiAffinity = unschedulable("node(s) didn't satisfy existing pods anti-affinity rules");

const pair = (key: string, value: string): string => `${key}\u0000${value}`;

function matchesAll(terms: readonly AffinityTerm[], p: PodInfo): boolean {
  return terms.every((t) => termMatches(t, p));
}

export const interPodAffinityFilter: FilterPlugin = {
  name: 'InterPodAffinity',
  prepare(pod, snapshot) {
    const existingAnti = new Map<string, number>();
    if (snapshot.antiAffinityPods > 0) {
      for (const node of snapshot.nodes) {
        for (const p of node.podsWithRequiredAntiAffinity) {
          for (const t of p.antiAffinity) {
            const v = node.labels[t.topologyKey];
            if (v !== undefined && termMatches(t, pod)) existingAnti.set(pair(t.topologyKey, v), (existingAnti.get(pair(t.topologyKey, v)) ?? 0) + 1);
          }
        }
      }
    }
    const affinity = new Map<string, number>();
    const anti = new Map<string, number>();
    if (pod.affinity.length || pod.antiAffinity.length) {
      for (const node of snapshot.nodes) {
        for (const p of node.pods.values()) {
          if (pod.affinity.length && matchesAll(pod.affinity, p)) {
            for (const t of pod.affinity) {
              const v = node.labels[t.topologyKey];
              if (v !== undefined) affinity.set(pair(t.topologyKey, v), (affinity.get(pair(t.topologyKey, v)) ?? 0) + 1);
            }
          }
          for (const t of pod.antiAffinity) {
            const v = node.labels[t.topologyKey];
            if (v !== undefined && termMatches(t, p)) anti.set(pair(t.topologyKey, v), (anti.get(pair(t.topologyKey, v)) ?? 0) + 1);
          }
        }
      }
    }
    if (!existingAnti.size && !pod.affinity.length && !pod.antiAffinity.length) return null;
    const selfMatch = pod.affinity.length > 0 && matchesAll(pod.affinity, pod);
    return (node) => {
      if (pod.affinity.length) {
        const present = pod.affinity.every((t) => {
          const v = node.labels[t.topologyKey];
          return v !== undefined && (affinity.get(pair(t.topologyKey, v)) ?? 0) > 0;
        });
        if (!present && !(affinity.size === 0 && selfMatch)) return affinityMismatch;
      }
      for (const t of pod.antiAffinity) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined && (anti.get(pair(t.topologyKey, v)) ?? 0) > 0) return antiAffinityMismatch;
      }
      if (existingAnti.size) {
        for (const [k, v] of Object.entries(node.labels)) if ((existingAnti.get(pair(k, v)) ?? 0) > 0) return existingAntiAffinity;
      }
      return null;
    };
  },
};

/** Existing pods' required affinity terms count this much toward the incoming pod (upstream hardPodAffinityWeight). */
const hardPodAffinityWeight = 1;

/**
 * InterPodAffinity score: per topology domain, the incoming pod's preferred (anti-)affinity terms matching existing
 * pods there, plus existing pods' required affinity and preferred (anti-)affinity terms matching the incoming pod;
 * a node scores its domains' sum, normalized from the lowest (0) to the highest (100).
 */
export const interPodAffinityScore: ScorePlugin = {
  name: 'InterPodAffinity',
  weight: 2,
  prepare(pod, snapshot) {
    const own = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
    if (!own && snapshot.affinityPods === 0) return null;
    const topo = new Map<string, number>();
    const add = (key: string, node: NodeInfo, w: number): void => {
      const v = node.labels[key];
      if (v === undefined || w === 0) return;
      topo.set(pair(key, v), (topo.get(pair(key, v)) ?? 0) + w);
    };
    for (const node of snapshot.nodes) {
      const pods = own ? node.pods.values() : node.podsWithAffinity.values();
      for (const p of pods) {
        for (const t of pod.preferredAffinity) if (termMatches(t, p)) add(t.topologyKey, node, t.weight);
        for (const t of pod.preferredAntiAffinity) if (termMatches(t, p)) add(t.topologyKey, node, -t.weight);
        for (const t of p.affinity) if (termMatches(t, pod)) add(t.topologyKey, node, hardPodAffinityWeight);
        for (const t of p.preferredAffinity) if (termMatches(t, pod)) add(t.topologyKey, node, t.weight);
        for (const t of p.preferredAntiAffinity) if (termMatches(t, pod)) add(t.topologyKey, node, -t.weight);
      }
    }
    if (!topo.size) return null;
    const keys = new Set([...topo.keys()].map((k) => k.slice(0, k.indexOf('\u0000'))));
    return {
      score(node) {
        let s = 0;
        for (const k of keys) {
          const v = node.labels[k];
          if (v !== undefined) s += topo.get(pair(k, v)) ?? 0;
        }
        return s;
      },
      normalize(scores) {
        let min = Infinity;
        let max = -Infinity;
        for (const s of scores) {
          min = Math.min(min, s);
          max = Math.max(max, s);
        }
        const span = max - min;
        for (let i = 0; i < scores.length; i++) scores[i] = span > 0 ? Math.trunc((maxNodeScore * (scores[i] - min)) / span) : 0;
      },
    };
  },
};
