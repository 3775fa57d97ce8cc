// TaintToleration: filter out nodes with a NoSchedule/NoExecute taint the pod does not tolerate (reason names the
// first such taint, as upstream: "node(s) had untolerated taint {key: value}"); score by the number of
// PreferNoSchedule taints not tolerated, fewer is better.
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { type FilterPlugin, type ScorePlugin, type Status, defaultNormalize, unresolvable } from '../framework.ts';

/** core/v1 Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function firstUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[], effects: (e: string) => boolean): Taint | undefined {
  for (const taint of taints) {
    if (!effects(taint.effect)) continue;
    if (!tolerations.some((t) => tolerates(t, taint))) return taint;
  }
  return undefined;
}

const hard = (e: string): boolean => e === 'NoSchedule' || e === 'NoExecute';
const statusCache = new Map<string, Status>();

function untoleratedStatus(t: Taint): Status {
  const msg = `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
  let s = statusCache.get(msg);
  if (!s) {
    s = unresolvable(msg);
    if (statusCache.size > 1000) statusCache.clear();
    statusCache.set(msg, s);
  }
  return s;
}

export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  prepare(pod) {
    return (node) => {
      if (!node.taints.length) return null;
      const t = firstUntolerated(node.taints, pod.tolerations, hard);
      return t ? untoleratedStatus(t) : null;
    };
  },
};

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  prepare(pod) {
    const prefer = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return {
      score(node) {
        let n = 0;
        for (const taint of node.taints) {
          if (taint.effect === 'PreferNoSchedule' && !prefer.some((t) => tolerates(t, taint))) n++;
        }
        return n;
      },
      normalize: (scores) => defaultNormalize(scores, true),
    };
  },
};
