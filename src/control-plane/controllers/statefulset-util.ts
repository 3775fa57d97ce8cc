// StatefulSet identity and bookkeeping (upstream pkg/controller/statefulset/stateful_set_utils.go), pure
// functions: ordinal pod names `<set>-<i>`, claim names `<template>-<set>-<i>`, the pod a set wants at an
// ordinal for a revision (labels, hostname/subdomain, claim volumes, controller reference), ControllerRevision
// data (the template as a replace patch, as upstream stores it) and the status computed from the set's pods.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, PodTemplateSpec, Volume } from 'kubernetes-types/core/v1.js';
import { ownerReferenceTo } from './controller-ref.ts';
import { canonicalJson, computeHash } from './deployment-util.ts';
import { isPodAvailable, isPodReady } from './replicaset-pods.ts';

export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
export const revisionLabel = 'controller-revision-hash';

type Named = { metadata?: { name?: string; namespace?: string; uid?: string } };

/** The ordinal a pod's name carries for this set, or -1 when the name is not `<set>-<n>`. */
export function ordinalOf(set: Named, pod: Named): number {
  const prefix = `${set.metadata?.name}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : -1;
}

export const podName = (set: Named, ordinal: number): string => `${set.metadata?.name}-${ordinal}`;
export const claimName = (set: Named, template: string, ordinal: number): string => `${template}-${set.metadata?.name}-${ordinal}`;
export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;
export const specReplicas = (set: StatefulSet): number => set.spec?.replicas ?? 1;

/** Running and Ready and not being deleted: what OrderedReady waits for before the next ordinal. */
export function isHealthy(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod) && !pod.metadata?.deletionTimestamp;
}

export const isTerminating = (pod: Pod): boolean => Boolean(pod.metadata?.deletionTimestamp);
export const isFinished = (pod: Pod): boolean => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
export const revisionOf = (pod: Pod): string => pod.metadata?.labels?.[revisionLabel] ?? '';

/** The revision's data: upstream's getPatch — the template as a strategic-merge patch that replaces it. */
export function revisionData(set: StatefulSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(set.spec?.template ?? {}), $patch: 'replace' } } };
}

/** The template a revision recorded. */
export function templateOf(rev: ControllerRevision): PodTemplateSpec {
  const t = structuredClone(((rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template) ?? {});
  delete t.$patch;
  return t as PodTemplateSpec;
}

export const sameRevisionData = (a: ControllerRevision, b: ControllerRevision): boolean => canonicalJson(a.data) === canonicalJson(b.data);

/** A new revision object for the set's current template (name `<set>-<hash>`, labelled like the set's pods). */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const data = revisionData(set);
  const hash = computeHash(data as PodTemplateSpec, collisionCount);
  const name = `${set.metadata?.name}-${hash}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [revisionLabel]: name },
      ownerReferences: [ownerReferenceTo({ ...set, metadata: set.metadata ?? {} }, 'apps/v1', 'StatefulSet')],
    },
    data,
    revision,
  };
}

/** The claim a template makes for an ordinal: template spec, the selector's labels, no owner (Retain). */
export function claimFor(set: StatefulSet, template: PersistentVolumeClaim, ordinal: number): PersistentVolumeClaim {
  const labels = { ...(template.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(set, template.metadata?.name ?? '', ordinal),
      namespace: set.metadata?.namespace,
      labels,
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

/** The pod the set wants at ordinal, from a revision's template. */
export function newPod(set: StatefulSet, template: PodTemplateSpec, revisionName: string, ordinal: number): Pod {
  const name = podName(set, ordinal);
  const spec = structuredClone(template.spec ?? { containers: [] });
  // each claim template becomes the volume of the same name, replacing any the pod template declared
  const claimVolumes: Volume[] = (set.spec?.volumeClaimTemplates ?? []).map((t) => ({
    name: t.metadata?.name ?? '',
    persistentVolumeClaim: { claimName: claimName(set, t.metadata?.name ?? '', ordinal) },
  }));
  const claimed = new Set(claimVolumes.map((v) => v.name));
  if (claimVolumes.length) spec.volumes = [...(spec.volumes ?? []).filter((v) => !claimed.has(v.name)), ...claimVolumes];
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [podNameLabel]: name, [podIndexLabel]: String(ordinal), [revisionLabel]: revisionName },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerReferenceTo({ ...set, metadata: set.metadata ?? {} }, 'apps/v1', 'StatefulSet')],
    },
    spec,
  };
}

/** upstream computeReplicaStatus + completeRollingUpdate over the pods the set owns. */
export function computeStatus(set: StatefulSet, pods: Pod[], currentRevision: string, updateRevision: string, collisionCount: number, now: number): StatefulSetStatus {
  const status = {
    observedGeneration: set.metadata?.generation ?? 0,
    replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0,
    currentRevision, updateRevision, collisionCount,
  };
  const minReady = set.spec?.minReadySeconds ?? 0;
  for (const pod of pods) {
    status.replicas++;
    if (isHealthy(pod)) {
      status.readyReplicas++;
      if (isPodAvailable(pod, minReady, now)) status.availableReplicas++;
    }
    if (isTerminating(pod)) continue;
    if (revisionOf(pod) === currentRevision) status.currentReplicas++;
    if (revisionOf(pod) === updateRevision) status.updatedReplicas++;
  }
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = updateRevision;
  }
  return status;
}
