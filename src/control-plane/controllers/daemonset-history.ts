// A DaemonSet's ControllerRevisions (upstream daemon_controller constructHistory/snapshot/cleanupHistory and
// controller/history): each revision stores the template as the strategic-merge patch
// {"spec":{"template":{…,"$patch":"replace"}}} that `kubectl rollout undo` applies, is named
// <ds>-<hash> where the hash is FNV-32a of that data (plus collisionCount) in upstream's safe alphabet, and
// carries the template's labels plus controller-revision-hash. The current revision is the one whose data
// equals the template now; reusing an old one (a rollback) moves it to the highest revision number.
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.ts';
import type { RestClient } from '../../client/rest.ts';
import { semanticEqual } from '../../api/equality.ts';
import { controllerRefOf, ownerReferenceTo } from './controller-ref.ts';
import { controllerRevisionHashLabel } from './daemonset-placement.ts';
import { controllerRevisionsRef } from './refs.ts';

/** Upstream's rand.SafeEncodeString alphabet: no vowels or look-alikes, so hashes never spell words. */
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncode(s: string): string {
  return [...s].map((c) => alphanums[c.charCodeAt(0) % alphanums.length]).join('');
}

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** The revision data for a DaemonSet's current template. */
export function revisionData(ds: DaemonSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(ds.spec?.template ?? {}), $patch: 'replace' } } };
}

/** HashControllerRevision: FNV-32a over the data's JSON bytes, then collisionCount's 4 bytes (little endian). */
export function revisionHash(data: unknown, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(JSON.stringify(data), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(b, h);
  }
  return safeEncode(String(h));
}

export interface History {
  current: ControllerRevision;
  old: ControllerRevision[];
  hash: string;
}

const revisionOf = (cr: ControllerRevision): number => cr.revision ?? 0;

/** Finds or makes the current revision (bumping a reused one to the top) among the revisions the DaemonSet owns. */
export async function constructHistory(client: RestClient, ds: DaemonSet, owned: ControllerRevision[], signal: AbortSignal): Promise<History> {
  const data = revisionData(ds);
  const max = owned.reduce((m, cr) => Math.max(m, revisionOf(cr)), 0);
  const hash = revisionHash(data, ds.status?.collisionCount);
  // equal data, or the same hash (the stored JSON may be normalised differently from ours), as FindEqualRevisions
  const equal = owned.filter((cr) => cr.metadata?.labels?.[controllerRevisionHashLabel] === hash || semanticEqual(cr.data, data)).sort((a, b) => revisionOf(a) - revisionOf(b));
  let current = equal[equal.length - 1];
  if (current && revisionOf(current) < max) {
    current = await client.update<ControllerRevision>(controllerRevisionsRef, { ...current, revision: max + 1 }, { signal });
  } else if (!current) {
    current = await createRevision(client, ds, data, hash, max + 1, signal);
  }
  const old = owned.filter((cr) => cr.metadata?.uid !== current.metadata?.uid && !equal.includes(cr));
  return { current, old, hash: current.metadata?.labels?.[controllerRevisionHashLabel] ?? hash };
}

async function createRevision(
  client: RestClient, ds: DaemonSet, data: Record<string, unknown>, hash: string, revision: number, signal: AbortSignal,
): Promise<ControllerRevision> {
  const m = ds.metadata ?? {};
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: `${m.name}-${hash}`, namespace: m.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [controllerRevisionHashLabel]: hash },
      annotations: { ...(m.annotations ?? {}) },
      ownerReferences: [ownerReferenceTo({ ...ds, metadata: m }, 'apps/v1', 'DaemonSet')],
    },
    data, revision,
  };
  try {
    return await client.create<ControllerRevision>(controllerRevisionsRef, cr, { namespace: m.namespace, signal });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    // ours with the same data (the cache was behind): use it; anything else is a hash collision
    const existing = await client.get<ControllerRevision>(controllerRevisionsRef, cr.metadata!.name!, { namespace: m.namespace, signal });
    if (controllerRefOf(existing)?.uid === m.uid) return existing; // our name embeds the data's hash
    throw new HashCollision((ds.status?.collisionCount ?? 0) + 1);
  }
}

/** A revision name taken by other data: the controller records collisionCount and tries again with it. */
export class HashCollision extends Error {
  constructor(readonly collisionCount: number) {
    super(`controller revision hash collision; collisionCount is now ${collisionCount}`);
  }
}

/** Deletes the oldest revisions beyond revisionHistoryLimit that no live pod still runs (upstream cleanupHistory). */
export async function cleanupHistory(client: RestClient, ds: DaemonSet, old: ControllerRevision[], pods: Pod[], signal: AbortSignal): Promise<void> {
  const limit = ds.spec?.revisionHistoryLimit ?? 10;
  const live = new Set(pods.map((p) => p.metadata?.labels?.[controllerRevisionHashLabel]).filter(Boolean));
  const removable = old.filter((cr) => !live.has(cr.metadata?.labels?.[controllerRevisionHashLabel])).sort((a, b) => revisionOf(a) - revisionOf(b));
  const excess = removable.length - limit;
  for (const cr of removable.slice(0, Math.max(0, excess))) {
    try {
      await client.delete(controllerRevisionsRef, cr.metadata?.name ?? '', { namespace: cr.metadata?.namespace, signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
