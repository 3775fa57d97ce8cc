// PodInfo: a pod with everything the plugins ask about it computed once (requests, host ports, affinity terms with
// compiled selectors, the controller owner), so filtering thousands of nodes reads fields instead of re-parsing.
import type { Pod, PodAffinityTerm, Toleration, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { type LabelMatcher, labelSelectorMatcher } from '../../client/index.ts';
import { type Resources, podRequests } from './resources.ts';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface AffinityTerm {
  namespaces: Set<string>;
  /** namespaceSelector: {} selects every namespace; namespace labels are not consulted otherwise. */
  allNamespaces: boolean;
  selector: LabelMatcher;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodInfo {
  pod: Pod;
  key: string;
  uid: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  requests: Resources;
  nonZero: { milliCPU: number; memory: number };
  hostPorts: HostPort[];
  tolerations: Toleration[];
  affinity: AffinityTerm[];
  antiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  /** uid of the controller owner (ReplicaSet, StatefulSet…), '' when none: drives default spreading. */
  ownerUid: string;
  priority: number;
  terminating: boolean;
}

function terms(pod: Pod, list: PodAffinityTerm[] | undefined): AffinityTerm[] {
  const ns = pod.metadata?.namespace ?? 'default';
  return (list ?? []).map((t) => {
    const explicit = t.namespaces ?? [];
    const allNamespaces = t.namespaceSelector !== undefined && t.namespaceSelector !== null &&
      !t.namespaceSelector.matchLabels && !(t.namespaceSelector.matchExpressions?.length);
    // matchLabelKeys: the term also requires the incoming pod's values for those keys
    let sel = t.labelSelector ?? undefined;
    if (sel && t.matchLabelKeys?.length) {
      const extra = t.matchLabelKeys.filter((k) => pod.metadata?.labels?.[k] !== undefined)
        .map((k) => ({ key: k, operator: 'In', values: [pod.metadata!.labels![k]] }));
      sel = { ...sel, matchExpressions: [...(sel.matchExpressions ?? []), ...extra] };
    }
    return {
      namespaces: new Set(explicit.length || t.namespaceSelector ? explicit : [ns]),
      allNamespaces,
      selector: labelSelectorMatcher(sel),
      topologyKey: t.topologyKey,
    };
  });
}

function weighted(pod: Pod, list: WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] {
  if (!list?.length) return [];
  const ts = terms(pod, list.map((w) => w.podAffinityTerm));
  return ts.map((t, i) => ({ ...t, weight: list[i].weight }));
}

/** Whether the pod carries any inter-pod affinity term, required or preferred. */
export function hasAffinity(p: PodInfo): boolean {
  return p.affinity.length + p.antiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
}

export function termMatches(t: AffinityTerm, p: PodInfo): boolean {
  return (t.allNamespaces || t.namespaces.has(p.namespace)) && t.selector(p.labels);
}

export function newPodInfo(pod: Pod): PodInfo {
  const namespace = pod.metadata?.namespace ?? 'default';
  const name = pod.metadata?.name ?? '';
  const hostPorts: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  const nz = podRequests(pod, true);
  const aff = pod.spec?.affinity;
  return {
    pod,
    key: `${namespace}/${name}`,
    uid: pod.metadata?.uid ?? `${namespace}/${name}`,
    namespace,
    name,
    labels: pod.metadata?.labels ?? {},
    requests: podRequests(pod),
    nonZero: { milliCPU: nz.milliCPU, memory: nz.memory },
    hostPorts,
    tolerations: pod.spec?.tolerations ?? [],
    affinity: terms(pod, aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    antiAffinity: terms(pod, aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: weighted(pod, aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: weighted(pod, aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    ownerUid: pod.metadata?.ownerReferences?.find((r) => r.controller)?.uid ?? '',
    priority: pod.spec?.priority ?? 0,
    terminating: Boolean(pod.metadata?.deletionTimestamp),
  };
}
