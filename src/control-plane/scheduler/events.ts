// Which plugins a cluster event can help (upstream's EventsToRegister, coarsely): only pods rejected by one of them
// leave unschedulablePods when it happens. A node update is classified by what changed on the node.
import type { Node } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/equality.ts';

const all = ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity'];

export const nodeAdded: ReadonlySet<string> = new Set(all);
export const assignedPodDeleted: ReadonlySet<string> = new Set(['NodeResourcesFit', 'NodePorts', 'PodTopologySpread', 'InterPodAffinity']);
export const assignedPodAdded: ReadonlySet<string> = new Set(['PodTopologySpread', 'InterPodAffinity']);

// semantic: labels or quantities that differ only in key order are not a change
const same = semanticEqual;

/** The plugins a node update may help, or undefined when nothing the filters read has changed. */
export function nodeUpdated(old: Node, cur: Node): ReadonlySet<string> | undefined {
  const out = new Set<string>();
  if (!same(old.status?.allocatable, cur.status?.allocatable)) out.add('NodeResourcesFit');
  if (!same(old.metadata?.labels, cur.metadata?.labels)) {
    out.add('NodeAffinity');
    out.add('PodTopologySpread');
    out.add('InterPodAffinity');
  }
  if (!same(old.spec?.taints, cur.spec?.taints)) out.add('TaintToleration');
  if (Boolean(old.spec?.unschedulable) !== Boolean(cur.spec?.unschedulable)) out.add('NodeUnschedulable');
  return out.size ? out : undefined;
}
