// Pod accounting of the Job controller with the job-tracking finalizer (upstream trackJobStatusAndRemoveFinalizers):
// a pod that finished (or, counting as failed, is being deleted) while still carrying the finalizer is first
// recorded by uid in status.uncountedTerminatedPods, then loses its finalizer, and only then moves into the
// succeeded/failed counters. A crash between the steps neither loses nor double-counts a pod: a uid in the
// uncounted lists whose pod no longer has the finalizer (or is gone) is counted on the next sync.
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { formatIndexes as formatIndexesOf, hasTrackingFinalizer, isPodFailed, isTerminal, parseIndexes, podIndex } from './job-util.ts';

export interface Ledger {
  succeeded: number;
  failed: number;
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  /** Indexed mode: completed indexes (recorded when a pod's success is first seen). */
  completed: Set<number>;
}

export function ledgerOf(job: Job): Ledger {
  const st = job.status ?? {};
  return {
    succeeded: st.succeeded ?? 0,
    failed: st.failed ?? 0,
    uncountedSucceeded: new Set(st.uncountedTerminatedPods?.succeeded ?? []),
    uncountedFailed: new Set(st.uncountedTerminatedPods?.failed ?? []),
    completed: parseIndexes(st.completedIndexes, job.spec?.completions ?? 0),
  };
}

/** Counts the uncounted uids whose pods lost the finalizer (or are gone). */
export function flushCounted(ledger: Ledger, pods: Pod[]): boolean {
  const byUid = new Map(pods.map((p) => [p.metadata?.uid ?? '', p]));
  let changed = false;
  for (const [set, field] of [[ledger.uncountedSucceeded, 'succeeded'], [ledger.uncountedFailed, 'failed']] as const) {
    for (const uid of [...set]) {
      const pod = byUid.get(uid);
      if (pod && hasTrackingFinalizer(pod)) continue;
      set.delete(uid);
      ledger[field]++;
      changed = true;
    }
  }
  return changed;
}

/**
 * Records newly finished pods as uncounted; returns the pods whose finalizer is to be removed (the finished ones,
 * or every pod once the job is finished or being deleted).
 */
export function recordFinished(job: Job, ledger: Ledger, pods: Pod[], releaseAll: boolean): { release: Pod[]; recorded: boolean } {
  const indexed = job.spec?.completionMode === 'Indexed';
  const completions = job.spec?.completions ?? 0;
  const release: Pod[] = [];
  let recorded = false;
  for (const pod of pods) {
    if (!hasTrackingFinalizer(pod)) continue;
    const uid = pod.metadata?.uid ?? '';
    if (ledger.uncountedSucceeded.has(uid) || ledger.uncountedFailed.has(uid)) {
      release.push(pod);
      continue;
    }
    if (pod.status?.phase === 'Succeeded') {
      const idx = podIndex(pod);
      // an Indexed pod counts once per valid index; duplicates and strays only lose the finalizer
      if (!indexed || (idx !== undefined && idx < completions && !ledger.completed.has(idx))) {
        if (indexed) ledger.completed.add(idx!);
        ledger.uncountedSucceeded.add(uid);
        recorded = true;
      }
      release.push(pod);
    } else if (isPodFailed(pod, job)) {
      ledger.uncountedFailed.add(uid);
      recorded = true;
      release.push(pod);
    } else if (releaseAll || isTerminal(pod)) {
      release.push(pod);
    }
  }
  return { release, recorded };
}

/** The counter fields of a status from a ledger (uncountedTerminatedPods is always present, as upstream serves it). */
export function ledgerStatus(job: Job, ledger: Ledger): Pick<JobStatus, 'succeeded' | 'failed' | 'uncountedTerminatedPods' | 'completedIndexes'> {
  const uncounted: NonNullable<JobStatus['uncountedTerminatedPods']> = {};
  if (ledger.uncountedSucceeded.size) uncounted.succeeded = [...ledger.uncountedSucceeded].sort();
  if (ledger.uncountedFailed.size) uncounted.failed = [...ledger.uncountedFailed].sort();
  // succeeded/failed are plain int32s upstream (omitempty): a zero is not served
  const out: ReturnType<typeof ledgerStatus> = { uncountedTerminatedPods: uncounted };
  if (ledger.succeeded) out.succeeded = ledger.succeeded;
  if (ledger.failed) out.failed = ledger.failed;
  if (job.spec?.completionMode === 'Indexed' && ledger.completed.size) out.completedIndexes = formatIndexesOf(ledger.completed);
  return out;
}
