// Deployment status and progress (upstream sync.go calculateStatus and progress.go): replica counts summed over
// the ReplicaSets, the Available condition from minimum availability, and the Progressing condition that tracks
// a rollout (NewReplicaSetCreated/FoundNewReplicaSet → ReplicaSetUpdated → NewReplicaSetAvailable, or
// ProgressDeadlineExceeded once progressDeadlineSeconds pass without progress, re-checked by a timed requeue).
import type { DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { DeploymentSync } from './deployment-sync.ts';
import * as u from './deployment-util.ts';

export function calculateStatus(s: DeploymentSync, all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const d = s.d;
  const available = u.sumAvailable(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: u.sumStatusReplicas(all),
    updatedReplicas: u.sumStatusReplicas([newRS]),
    readyReplicas: u.sumReady(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, u.sumSpecReplicas(all) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= u.specReplicas(d) - u.maxUnavailable(d)) {
    u.setCondition(status, u.newCondition('Available', 'True', u.reasons.minimumAvailable, 'Deployment has minimum availability.', s.now()));
  } else {
    u.setCondition(status, u.newCondition('Available', 'False', u.reasons.minimumUnavailable, 'Deployment does not have minimum availability.', s.now()));
  }
  return status;
}

/** Status for a scaling event, a paused or a deleting deployment: no Progressing bookkeeping. */
export async function syncStatus(s: DeploymentSync, all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  const status = calculateStatus(s, all, newRS);
  if (u.canonicalJson(status) !== u.canonicalJson(s.d.status ?? {})) await s.writeStatus(status);
}

/** Status plus the Progressing condition; returns ms after which to check the progress deadline again. */
export async function syncRolloutStatus(s: DeploymentSync, all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<number | undefined> {
  const d = s.d;
  const status = calculateStatus(s, all, newRS);
  if (!u.hasProgressDeadline(d)) u.removeCondition(status, 'Progressing');
  const current = u.getCondition(d.status, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && current?.reason === u.reasons.newReplicaSetAvailable;
  if (u.hasProgressDeadline(d) && !complete) {
    const now = s.now();
    const subject = newRS ? `ReplicaSet "${newRS.metadata?.name}"` : `Deployment "${d.metadata?.name}"`;
    if (u.deploymentComplete(d, status)) {
      u.setCondition(status, u.newCondition('Progressing', 'True', u.reasons.newReplicaSetAvailable, `${subject} has successfully progressed.`, now));
    } else if (u.deploymentProgressing(d, status)) {
      const c = u.newCondition('Progressing', 'True', u.reasons.replicaSetUpdated, `${subject} is progressing.`, now);
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        u.removeCondition(status, 'Progressing');
      }
      u.setCondition(status, c);
    } else if (u.deploymentTimedOut(d, status, s.deps.clock.now())) {
      u.setCondition(status, u.newCondition('Progressing', 'False', u.reasons.timedOut, `${subject} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailure(all, newRS);
  if (failure) u.setCondition(status, failure);
  else u.removeCondition(status, 'ReplicaFailure');
  if (u.canonicalJson(status) !== u.canonicalJson(d.status ?? {})) {
    await s.writeStatus(status);
    return undefined;
  }
  return stuckRequeue(s, status);
}

function stuckRequeue(s: DeploymentSync, status: DeploymentStatus): number | undefined {
  const d = s.d;
  const current = u.getCondition(d.status, 'Progressing');
  if (!u.hasProgressDeadline(d) || !current) return undefined;
  if (u.deploymentComplete(d, status) || current.reason === u.reasons.timedOut) return undefined;
  const after = Date.parse(current.lastUpdateTime ?? '') + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 - s.deps.clock.now();
  if (Number.isNaN(after)) return undefined;
  return after < 1000 ? 1000 : after + 1000;
}

/** Progressing=Unknown DeploymentPaused / DeploymentResumed, as kubectl rollout pause/resume expect. */
export async function checkPausedConditions(s: DeploymentSync): Promise<void> {
  const d = s.d;
  if (!u.hasProgressDeadline(d)) return;
  const cond = u.getCondition(d.status, 'Progressing');
  if (cond?.reason === u.reasons.timedOut) return;
  const pausedShown = cond?.reason === u.reasons.paused;
  const status = structuredClone(d.status ?? {});
  if (d.spec?.paused && !pausedShown) {
    u.setCondition(status, u.newCondition('Progressing', 'Unknown', u.reasons.paused, 'Deployment is paused', s.now()));
  } else if (!d.spec?.paused && pausedShown) {
    u.setCondition(status, u.newCondition('Progressing', 'Unknown', u.reasons.resumed, 'Deployment is resumed', s.now()));
  } else return;
  await s.writeStatus(status);
}

function replicaFailure(all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined) {
  for (const set of [[newRS], all]) {
    for (const rs of set) {
      const c = rs?.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
      if (c) return { type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime, reason: c.reason, message: c.message };
    }
  }
  return undefined;
}
