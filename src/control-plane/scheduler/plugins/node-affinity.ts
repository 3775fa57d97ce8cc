// NodeAffinity: the pod's nodeSelector and required node affinity must both match the node's labels (terms are
// ORed, a term's expressions ANDed; matchFields can only name metadata.name). Scores the sum of the weights of
// matching preferred terms, normalized so the best node gets 100.
import type { NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import { type FilterPlugin, type ScorePlugin, defaultNormalize, unresolvable } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';

const mismatch = unresolvable("node(s) didn't match Pod's node affinity/selector");

export function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const has = value !== undefined;
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(value);
    case 'NotIn':
      return !has || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      const a = Number(value);
      const b = Number(values[0]);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A term with no expressions and no fields matches nothing (upstream: "nil or empty term matches no objects"). */
export function termMatches(term: NodeSelectorTerm, node: NodeInfo): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  for (const r of exprs) if (!requirementMatches(r, node.labels[r.key])) return false;
  for (const r of fields) {
    if (r.key !== 'metadata.name' || !requirementMatches(r, node.name)) return false;
  }
  return true;
}

export function requiredAffinityMatcher(pod: PodInfo): ((node: NodeInfo) => boolean) | null {
  const selector = Object.entries(pod.pod.spec?.nodeSelector ?? {});
  const required = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!selector.length && !required) return null;
  return (node) => {
    for (const [k, v] of selector) if (node.labels[k] !== v) return false;
    return !required || required.some((t) => termMatches(t, node));
  };
}

export const nodeAffinityFilter: FilterPlugin = {
  name: 'NodeAffinity',
  prepare(pod) {
    const match = requiredAffinityMatcher(pod);
    if (!match) return null;
    return (node) => (match(node) ? null : mismatch);
  },
};

export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  prepare(pod) {
    const preferred: PreferredSchedulingTerm[] = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (!preferred.length) return null;
    return {
      score(node) {
        let sum = 0;
        for (const p of preferred) if (p.weight && termMatches(p.preference, node)) sum += p.weight;
        return sum;
      },
      normalize: (scores) => defaultNormalize(scores, false),
    };
  },
};
