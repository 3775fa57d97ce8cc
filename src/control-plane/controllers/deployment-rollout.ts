// The two rollout strategies (upstream rolling.go and recreate.go). RollingUpdate alternates: grow the new
// ReplicaSet while total pods stay within replicas+maxSurge, shrink old ones while available pods stay at or above
// replicas-maxUnavailable (unhealthy old pods go first, since removing them costs no availability). Recreate
// scales every old ReplicaSet to zero, waits until none of their pods is left running, then scales up the new one.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { syncRolloutStatus } from './deployment-progress.ts';
import type { DeploymentSync } from './deployment-sync.ts';
import * as u from './deployment-util.ts';

export async function rolloutRolling(s: DeploymentSync): Promise<number | undefined> {
  const { newRS, oldRSs } = await s.allReplicaSets(true);
  let current = newRS!;
  let olds = oldRSs;
  const all = (): ReplicaSet[] => [...olds, current];

  const up = await reconcileNewReplicaSet(s, all(), current);
  current = up.rs;
  if (up.scaled) return syncRolloutStatus(s, all(), current);

  const down = await reconcileOldReplicaSets(s, all(), u.activeReplicaSets(olds), current);
  olds = olds.map((rs) => down.updated.get(rs.metadata?.uid ?? '') ?? rs);
  if (down.scaled) return syncRolloutStatus(s, all(), current);

  if (u.deploymentComplete(s.d, s.d.status ?? {})) await s.cleanup(olds);
  return syncRolloutStatus(s, all(), current);
}

async function reconcileNewReplicaSet(s: DeploymentSync, all: ReplicaSet[], newRS: ReplicaSet): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const desired = u.specReplicas(s.d);
  const size = newRS.spec?.replicas ?? 0;
  if (size === desired) return { scaled: false, rs: newRS };
  if (size > desired) return s.scaleAndRecord(newRS, desired);
  return s.scaleAndRecord(newRS, u.newRSNewReplicas(s.d, all, newRS));
}

async function reconcileOldReplicaSets(
  s: DeploymentSync, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet,
): Promise<{ scaled: boolean; updated: Map<string, ReplicaSet> }> {
  const updated = new Map<string, ReplicaSet>();
  if (u.sumSpecReplicas(oldRSs) === 0) return { scaled: false, updated };
  const minAvailable = u.specReplicas(s.d) - u.maxUnavailable(s.d);
  const newUnavailable = (newRS.spec?.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = u.sumSpecReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return { scaled: false, updated };

  // old pods that are not available cost nothing to remove: take them first
  let olds = [...oldRSs].sort(u.byCreation);
  let cleaned = 0;
  for (let i = 0; i < olds.length && cleaned < maxScaledDown; i++) {
    const rs = olds[i];
    const size = rs.spec?.replicas ?? 0;
    const avail = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size === avail) continue;
    // more available than wanted: the status predates the last resize (upstream fails the sync here). Scale
    // nothing more this round; the ReplicaSet's next status write re-queues this deployment.
    if (size < avail) return { scaled: false, updated };
    const n = Math.min(maxScaledDown - cleaned, size - avail);
    const r = await s.scaleAndRecord(rs, size - n);
    olds[i] = r.rs;
    updated.set(r.rs.metadata?.uid ?? '', r.rs);
    cleaned += n;
  }

  // then healthy ones, as far as availability allows
  const available = u.sumAvailable([...olds, newRS]);
  let scaledDown = 0;
  if (available > minAvailable) {
    const budget = available - minAvailable;
    olds = olds.sort(u.byCreation);
    for (const rs of olds) {
      if (scaledDown >= budget) break;
      const size = rs.spec?.replicas ?? 0;
      if (size === 0) continue;
      const n = Math.min(size, budget - scaledDown);
      const r = await s.scaleAndRecord(rs, size - n);
      updated.set(r.rs.metadata?.uid ?? '', r.rs);
      scaledDown += n;
    }
  }
  return { scaled: cleaned + scaledDown > 0, updated };
}

export async function rolloutRecreate(s: DeploymentSync, podsByRS: Map<string, Pod[]>): Promise<number | undefined> {
  let { newRS, oldRSs } = await s.allReplicaSets(false);
  let scaledDown = false;
  const olds: ReplicaSet[] = [];
  for (const rs of oldRSs) {
    if ((rs.spec?.replicas ?? 0) === 0) {
      olds.push(rs);
      continue;
    }
    const r = await s.scaleAndRecord(rs, 0);
    if (r.scaled) scaledDown = true;
    olds.push(r.rs);
  }
  if (scaledDown) return syncRolloutStatus(s, [...olds, newRS], newRS);
  if (oldPodsRunning(newRS, olds, podsByRS)) return syncRolloutStatus(s, [...olds, newRS], newRS);
  if (!newRS) ({ newRS, oldRSs } = await s.allReplicaSets(true));
  const up = await s.scaleAndRecord(newRS!, u.specReplicas(s.d));
  newRS = up.rs;
  if (u.deploymentComplete(s.d, s.d.status ?? {})) await s.cleanup(olds);
  return syncRolloutStatus(s, [...olds, newRS], newRS);
}

function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podsByRS: Map<string, Pod[]>): boolean {
  if (u.sumStatusReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByRS) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
