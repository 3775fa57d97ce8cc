// Where a DaemonSet's pods belong (upstream daemon_controller's NodeShouldRunDaemonPod and daemon/util): a node
// should run the pod when the template's nodeSelector and required node affinity match it and every
// NoSchedule/NoExecute taint is tolerated — counting the tolerations the controller adds to every daemon pod.
// A pod already there may continue running unless the affinity no longer matches or a NoExecute taint is not
// tolerated (an untolerated NoSchedule taint only stops new pods, as upstream). Pods are placed through the
// scheduler: the template gets a required `metadata.name In [node]` matchFields term, never spec.nodeName.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Affinity, Node, NodeSelectorTerm, Pod, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { NodeInfo } from '../scheduler/node-info.ts';
import { termMatches } from '../scheduler/plugins/node-affinity.ts';
import { firstUntolerated } from '../scheduler/plugins/taint-toleration.ts';

export const controllerRevisionHashLabel = 'controller-revision-hash';
/** Deprecated upstream but still written on every daemon pod. */
export const templateGenerationLabel = 'pod-template-generation';

/** The tolerations upstream's AddOrUpdateDaemonPodTolerations adds (network-unavailable only for hostNetwork). */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key: `node.kubernetes.io/${key}`, operator: 'Exists', effect });
  const out = [
    t('not-ready', 'NoExecute'), t('unreachable', 'NoExecute'), t('disk-pressure', 'NoSchedule'), t('memory-pressure', 'NoSchedule'),
    t('pid-pressure', 'NoSchedule'), t('unschedulable', 'NoSchedule'),
  ];
  if (hostNetwork) out.push(t('network-unavailable', 'NoSchedule'));
  return out;
}

/** Adds each default toleration unless one with the same key and effect is there (upstream AddOrUpdateTolerationInPod). */
export function withDaemonTolerations(existing: Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(existing ?? [])];
  for (const t of daemonPodTolerations(hostNetwork)) {
    const i = out.findIndex((x) => x.key === t.key && x.effect === t.effect);
    if (i < 0) out.push(t);
    else out[i] = t;
  }
  return out;
}

/** Upstream ReplaceDaemonSetPodNodeNameNodeAffinity: every required term names exactly this node by matchFields. */
export function affinityForNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const field = { key: 'metadata.name', operator: 'In', values: [nodeName] };
  const a = structuredClone(affinity ?? {});
  const na = (a.nodeAffinity ??= {});
  const terms: NodeSelectorTerm[] = na.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const replaced = terms.length ? terms.map((t) => ({ ...t, matchFields: [field] })) : [{ matchFields: [field] }];
  na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: replaced };
  return a;
}

/** The node a daemon pod is meant for: its nodeName, else the node its matchFields term names. */
export function targetNodeOf(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

export interface Placement {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/** Upstream NodeShouldRunDaemonPod. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): Placement {
  const spec = ds.spec?.template?.spec;
  const name = node.metadata?.name ?? '';
  if (spec?.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  const info = new NodeInfo(node);
  const selectorFits = Object.entries(spec?.nodeSelector ?? {}).every(([k, v]) => info.labels[k] === v);
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const fitsAffinity = selectorFits && (!terms || terms.some((t) => termMatches(t, info)));
  if (!fitsAffinity) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withDaemonTolerations(spec?.tolerations, spec?.hostNetwork === true);
  const noExecute = firstUntolerated(info.taints, tolerations, (e) => e === 'NoExecute');
  if (noExecute) return { shouldRun: false, shouldContinueRunning: false };
  const noSchedule = firstUntolerated(info.taints, tolerations, (e) => e === 'NoSchedule');
  return { shouldRun: !noSchedule, shouldContinueRunning: true };
}

/** The pod template for one node at one revision (upstream CreatePodTemplate + the node affinity). */
export function podTemplateForNode(ds: DaemonSet, hash: string, nodeName: string): PodTemplateSpec {
  const tmpl = structuredClone(ds.spec?.template ?? {});
  const meta = (tmpl.metadata ??= {});
  meta.labels = { ...(meta.labels ?? {}), [templateGenerationLabel]: String(ds.metadata?.generation ?? 1), [controllerRevisionHashLabel]: hash };
  const spec = (tmpl.spec ??= { containers: [] });
  spec.tolerations = withDaemonTolerations(spec.tolerations, spec.hostNetwork === true);
  spec.affinity = affinityForNode(spec.affinity, nodeName);
  return tmpl;
}
