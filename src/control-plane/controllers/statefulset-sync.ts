// One pass of the StatefulSet algorithm (upstream stateful_set_control.go updateStatefulSet), given the pods the
// set owns and its revisions: pods are slotted by ordinal into "replicas" (start..start+replicas-1) and
// "condemned" (the rest). Each replica slot in order: a finished pod is deleted (it comes back next pass), a
// missing pod gets its claims created then is created itself; with OrderedReady a pass stops at the first pod
// that is missing, terminating or not Running+Ready, so ordinal i is created only once 0..i-1 are ready. Then
// condemned pods go highest ordinal first (OrderedReady: one at a time, only while every replica is healthy).
// Last, RollingUpdate replaces the highest ordinal ≥ partition not at the update revision, one at a time.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Lister } from '../../client/cache.ts';
import type { RestClient } from '../../client/rest.ts';
import { errMessage } from './base.ts';
import { persistentVolumeClaimsRef, podsRef } from './refs.ts';
import type { Revisions } from './statefulset-revisions.ts';
import {
  claimFor, isFinished, isHealthy, isTerminating, newPod, ordinalOf, podName, revisionOf, specReplicas, startOrdinal, templateOf,
} from './statefulset-util.ts';

export interface SyncDeps {
  client: RestClient;
  recorder: EventRecorder;
  claims: Lister<PersistentVolumeClaim>;
  signal: AbortSignal;
}

const setRef = (set: StatefulSet): StatefulSet => ({ ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' });

/** Slots the owned pods: replicas[i] is ordinal start+i (or undefined), condemned are outside the range. */
export function slotPods(set: StatefulSet, pods: Pod[]): { replicas: (Pod | undefined)[]; condemned: Pod[] } {
  const start = startOrdinal(set);
  const replicas: (Pod | undefined)[] = new Array(specReplicas(set)).fill(undefined);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    const ord = ordinalOf(set, pod);
    if (ord >= start && ord < start + replicas.length) replicas[ord - start] = pod;
    else if (ord >= 0) condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
  return { replicas, condemned };
}

/** The revision a newly created pod at slot i runs: below the partition the current one, else the update. */
function revisionForSlot(set: StatefulSet, revs: Revisions, i: number): ControllerRevision {
  const s = set.spec?.updateStrategy;
  if ((s?.type ?? 'RollingUpdate') === 'RollingUpdate' && i < (s?.rollingUpdate?.partition ?? 0)) return revs.current;
  return revs.update;
}

export class StatefulSetSync {
  constructor(private readonly d: SyncDeps) {}

  /** Runs the pass; resolves when it has done what it may do now (the next pod event triggers the next pass). */
  async sync(set: StatefulSet, pods: Pod[], revs: Revisions): Promise<void> {
    const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const { replicas, condemned } = slotPods(set, pods);
    const start = startOrdinal(set);
    for (let i = 0; i < replicas.length; i++) {
      const pod = replicas[i];
      if (pod && isFinished(pod) && !isTerminating(pod)) {
        this.d.recorder.event(setRef(set), 'Warning', 'RecreatingFailedPod', `StatefulSet ${set.metadata?.namespace}/${set.metadata?.name} is recreating failed Pod ${pod.metadata?.name}`);
        await this.deletePod(set, pod);
        if (monotonic) return;
        continue;
      }
      if (!pod) {
        const rev = revisionForSlot(set, revs, i);
        await this.createClaims(set, start + i);
        await this.createPod(set, newPod(set, templateOf(rev), rev.metadata?.name ?? '', start + i));
        if (monotonic) return;
        continue;
      }
      if (monotonic && !isHealthy(pod)) return;
      await this.createClaims(set, start + i); // a claim deleted under a running pod is recreated
    }
    if (await this.deleteCondemned(set, replicas, condemned, monotonic)) return;
    if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') await this.rollingUpdate(set, replicas, revs);
  }

  /** true when the pass must stop here (a condemned pod is still going away under OrderedReady). */
  private async deleteCondemned(set: StatefulSet, replicas: (Pod | undefined)[], condemned: Pod[], monotonic: boolean): Promise<boolean> {
    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return true;
        continue;
      }
      if (monotonic && !replicas.every((p) => p && isHealthy(p))) return true;
      if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') await this.handOverClaims(set, pod);
      await this.deletePod(set, pod);
      if (monotonic) return true;
    }
    return false;
  }

  /** Highest ordinal first down to the partition: delete one outdated pod, and wait while any is unhealthy. */
  private async rollingUpdate(set: StatefulSet, replicas: (Pod | undefined)[], revs: Revisions): Promise<void> {
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    const update = revs.update.metadata?.name;
    for (let i = replicas.length - 1; i >= partition; i--) {
      const pod = replicas[i];
      if (!pod) return;
      if (revisionOf(pod) !== update && !isTerminating(pod)) {
        this.d.recorder.event(setRef(set), 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} successful`);
        await this.deletePod(set, pod, false);
        return;
      }
      if (!isHealthy(pod)) return;
    }
  }

  private async createClaims(set: StatefulSet, ordinal: number): Promise<void> {
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const claim = claimFor(set, template, ordinal);
      const existing = this.d.claims.get(set.metadata?.namespace, claim.metadata?.name ?? '');
      if (existing) {
        await this.syncClaimOwner(set, existing);
        continue;
      }
      if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') {
        claim.metadata!.ownerReferences = [{ ...ownerOf(set, 'apps/v1', 'StatefulSet') }];
      }
      try {
        await this.d.client.create(persistentVolumeClaimsRef, claim, { namespace: set.metadata?.namespace, signal: this.d.signal });
        this.d.recorder.event(setRef(set), 'Normal', 'SuccessfulCreate',
          `create Claim ${claim.metadata?.name} Pod ${podName(set, ordinal)} in StatefulSet ${set.metadata?.name} success`);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.d.recorder.event(setRef(set), 'Warning', 'FailedCreate',
          `create Claim ${claim.metadata?.name} for Pod ${podName(set, ordinal)} in StatefulSet ${set.metadata?.name} failed error: ${errMessage(err)}`);
        throw err;
      }
    }
  }

  /** whenDeleted: Delete makes the set an owner of its claims (so they go with it); Retain takes that back. */
  private async syncClaimOwner(set: StatefulSet, claim: PersistentVolumeClaim): Promise<void> {
    const refs = claim.metadata?.ownerReferences ?? [];
    const owned = refs.some((r) => r.uid === set.metadata?.uid);
    const want = set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
    if (owned === want) return;
    const next = want ? [...refs, ownerOf(set, 'apps/v1', 'StatefulSet')] : refs.filter((r) => r.uid !== set.metadata?.uid);
    await this.d.client.patch(persistentVolumeClaimsRef, claim.metadata?.name ?? '', { metadata: { ownerReferences: next, uid: claim.metadata?.uid } }, 'merge', {
      namespace: claim.metadata?.namespace, signal: this.d.signal,
    });
  }

  /** whenScaled: Delete — the claims of a scaled-away pod become that pod's dependents, so they go with it. */
  private async handOverClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const ordinal = ordinalOf(set, pod);
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const claim = this.d.claims.get(set.metadata?.namespace, claimFor(set, template, ordinal).metadata?.name ?? '');
      if (!claim || claim.metadata?.ownerReferences?.some((r) => r.uid === pod.metadata?.uid)) continue;
      const refs = [...(claim.metadata?.ownerReferences ?? []), ownerOf(pod, 'v1', 'Pod')];
      await this.d.client.patch(persistentVolumeClaimsRef, claim.metadata?.name ?? '', { metadata: { ownerReferences: refs, uid: claim.metadata?.uid } }, 'merge', {
        namespace: claim.metadata?.namespace, signal: this.d.signal,
      });
    }
  }

  private async createPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.d.client.create(podsRef, pod, { namespace: set.metadata?.namespace, signal: this.d.signal });
      this.d.recorder.event(setRef(set), 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} successful`);
    } catch (err) {
      if (isAlreadyExists(err)) return; // the cache had not seen it yet
      this.d.recorder.event(setRef(set), 'Warning', 'FailedCreate', `create Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} failed error: ${errMessage(err)}`);
      throw err;
    }
  }

  private async deletePod(set: StatefulSet, pod: Pod, record = true): Promise<void> {
    try {
      await this.d.client.delete(podsRef, pod.metadata?.name ?? '', {
        namespace: pod.metadata?.namespace, signal: this.d.signal, preconditions: { uid: pod.metadata?.uid },
      });
      if (record) this.d.recorder.event(setRef(set), 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} successful`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.d.recorder.event(setRef(set), 'Warning', 'FailedDelete', `delete Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} failed error: ${errMessage(err)}`);
      throw err;
    }
  }
}

/** A plain (non-controller) owner reference that holds foreground deletion. */
function ownerOf(obj: { metadata?: { name?: string; uid?: string } }, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: obj.metadata?.name ?? '', uid: obj.metadata?.uid ?? '', blockOwnerDeletion: true };
}
