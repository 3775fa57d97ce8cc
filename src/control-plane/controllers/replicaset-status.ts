// ReplicaSet status and the controller's small policies: slow-start batches, status from the owned pods (ready,
// available after minReadySeconds, fully labelled, the ReplicaFailure condition) and its conflict-tolerant write.
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isConflict } from '../../client/errors.ts';
import { formatTime } from '../../client/events.ts';
import type { RestClient } from '../../client/rest.ts';
import { errMessage } from './base.ts';
import { replicaSetsRef } from './refs.ts';
import { isPodAvailable, isPodReady } from './replicaset-pods.ts';


/** Upstream's SlowStartInitialBatchSize. */
export const slowStartInitialBatch = 1;

/**
 * Runs fn `count` times in batches of 1, 2, 4, …; stops after the first batch with a failure, so a quota or
 * admission error costs one request, not hundreds. Returns the successes and the first error.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, fn));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
  }
  return { successes };
}

export function calculateReplicaSetStatus(rs: ReplicaSet, pods: Pod[], now: number, failure?: { reason: string; error: unknown }): ReplicaSetStatus {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const fully = pods.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata?.labels?.[k] === v)).length;
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fully,
    readyReplicas: pods.filter(isPodReady).length,
    availableReplicas: pods.filter((p) => isPodAvailable(p, minReady, now)).length,
    observedGeneration: rs.metadata?.generation,
  };
  const conditions: ReplicaSetCondition[] = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const prior = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (failure) {
    conditions.push(prior ?? {
      type: 'ReplicaFailure', status: 'True', reason: failure.reason, message: errMessage(failure.error),
      lastTransitionTime: formatTime(now),
    });
  }
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Writes status when it changed; one retry on a conflict, against the fresh object. */
export async function updateReplicaSetStatus(client: RestClient, rs: ReplicaSet, status: ReplicaSetStatus, signal: AbortSignal): Promise<ReplicaSet> {
  const cur: ReplicaSetStatus = rs.status ?? { replicas: 0 };
  const same = (cur.replicas ?? 0) === status.replicas && (cur.fullyLabeledReplicas ?? 0) === status.fullyLabeledReplicas &&
    (cur.readyReplicas ?? 0) === status.readyReplicas && (cur.availableReplicas ?? 0) === status.availableReplicas &&
    cur.observedGeneration === status.observedGeneration &&
    JSON.stringify(cur.conditions ?? []) === JSON.stringify(status.conditions ?? []);
  if (same) return rs;
  let target = rs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.updateStatus<ReplicaSet>(replicaSetsRef, { ...target, apiVersion: 'apps/v1', kind: 'ReplicaSet', status }, { signal });
    } catch (err) {
      if (!isConflict(err) || attempt >= 1) throw err;
      // someone (scale, the deployment controller) wrote meanwhile; our figures still hold for the fresh object
      target = await client.get<ReplicaSet>(replicaSetsRef, rs.metadata?.name ?? '', { namespace: rs.metadata?.namespace, signal });
      if (target.metadata?.uid !== rs.metadata?.uid) return target;
    }
  }
}
