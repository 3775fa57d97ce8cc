// ReplicaSet annotations the Deployment controller maintains (upstream deploymentutil): copied user annotations,
// revision and revision-history, and the desired/max replicas annotations.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import {
  desiredReplicasAnnotation, lastAppliedAnnotation, maxReplicasAnnotation, maxRevisionHistoryChars, revisionAnnotation,
  revisionHistoryAnnotation, rollbackToAnnotation,
} from './deployment-names.ts';
import { maxSurge, specReplicas } from './deployment-replicas.ts';

const skipCopy = new Set([lastAppliedAnnotation, revisionAnnotation, revisionHistoryAnnotation, desiredReplicasAnnotation, maxReplicasAnnotation, rollbackToAnnotation]);

/** Copies the deployment's annotations onto the ReplicaSet (bookkeeping ones excepted); true when any changed. */
export function copyAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const into = (rs.metadata ??= {}).annotations ??= {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopy.has(k) || into[k] === v) continue;
    into[k] = v;
    changed = true;
  }
  return changed;
}

export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata ??= {}).annotations ??= {};
  let changed = false;
  if (a[desiredReplicasAnnotation] !== String(desired)) {
    a[desiredReplicasAnnotation] = String(desired);
    changed = true;
  }
  if (a[maxReplicasAnnotation] !== String(max)) {
    a[maxReplicasAnnotation] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max);
}

/**
 * Upstream SetNewReplicaSetAnnotations: copy annotations, raise the revision, and when an existing ReplicaSet is
 * brought back (a rollback) remember its former revisions in revision-history. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  let changed = copyAnnotations(d, rs);
  const a = (rs.metadata ??= {}).annotations ??= {};
  const had = a[revisionAnnotation];
  const old = had === undefined || had === '' ? 0 : Number(had);
  if (!Number.isInteger(old)) return false;
  if (old < newRevision) {
    a[revisionAnnotation] = String(newRevision);
    changed = true;
    if (had !== undefined) {
      const history = a[revisionHistoryAnnotation] ?? '';
      if (!history) a[revisionHistoryAnnotation] = had;
      else {
        const parts = history.split(',');
        let len = history.length + had.length + 1;
        let start = 0;
        while (len > maxRevisionHistoryChars && start < parts.length) len -= parts[start++].length + 1;
        if (len <= maxRevisionHistoryChars) a[revisionHistoryAnnotation] = [...parts.slice(start), had].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, specReplicas(d), specReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}
