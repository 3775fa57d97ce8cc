// ControllerRevisions of a StatefulSet (upstream stateful_set_control.go getStatefulSetRevisions and
// truncateHistory): the update revision is the stored revision whose data equals the current template (a
// rollback renumbers it to the next revision), or a new `<set>-<hash>` one; a name taken by other data bumps the
// collision count. The current revision is the one status names, else the update revision. History beyond
// revisionHistoryLimit is deleted oldest first, never a revision a pod still runs.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.ts';
import type { RestClient } from '../../client/rest.ts';
import { controllerRevisionsRef } from './refs.ts';
import { newRevision, revisionOf, sameRevisionData } from './statefulset-util.ts';

export interface Revisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

const number = (r: ControllerRevision): number => r.revision ?? 0;

export async function syncRevisions(client: RestClient, set: StatefulSet, owned: ControllerRevision[], signal: AbortSignal): Promise<Revisions> {
  const sorted = [...owned].sort((a, b) => number(a) - number(b));
  let collisionCount = set.status?.collisionCount ?? 0;
  const next = sorted.length ? number(sorted[sorted.length - 1]) + 1 : 1;
  let update: ControllerRevision | undefined;
  const candidate = newRevision(set, next, collisionCount);
  const equal = sorted.filter((r) => sameRevisionData(r, candidate));
  const latest = equal[equal.length - 1];
  if (latest && latest === sorted[sorted.length - 1]) {
    update = latest;
  } else if (latest) {
    // rolling back to an older template: that revision becomes the newest
    update = await client.update<ControllerRevision>(controllerRevisionsRef, { ...latest, revision: next }, { namespace: set.metadata?.namespace, signal });
  }
  for (let attempt = 0; !update; attempt++) {
    const rev = newRevision(set, next, collisionCount);
    try {
      update = await client.create<ControllerRevision>(controllerRevisionsRef, rev, { namespace: set.metadata?.namespace, signal });
    } catch (err) {
      if (!isAlreadyExists(err) || attempt >= 5) throw err;
      const existing = await client.get<ControllerRevision>(controllerRevisionsRef, rev.metadata?.name ?? '', { namespace: set.metadata?.namespace, signal });
      if (sameRevisionData(existing, rev) && existing.metadata?.ownerReferences?.some((o) => o.uid === set.metadata?.uid)) update = existing;
      else collisionCount++;
    }
  }
  const current = sorted.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** Deletes revisions beyond the history limit, oldest first, sparing the live ones. */
export async function truncateHistory(client: RestClient, set: StatefulSet, owned: ControllerRevision[], pods: Pod[], revs: Revisions, signal: AbortSignal): Promise<void> {
  const live = new Set([revs.current.metadata?.name, revs.update.metadata?.name, ...pods.map(revisionOf)]);
  const history = owned.filter((r) => !live.has(r.metadata?.name)).sort((a, b) => number(a) - number(b));
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  for (const r of history.slice(0, Math.max(0, history.length - limit))) {
    try {
      await client.delete(controllerRevisionsRef, r.metadata?.name ?? '', { namespace: r.metadata?.namespace, signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
