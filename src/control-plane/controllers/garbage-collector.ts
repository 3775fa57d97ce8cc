// Garbage collector (upstream garbage-collector-controller), level-triggered over shared informers of every served
// resource. For one object it decides, from the caches (and a live GET before believing an owner is gone):
//  - orphan finalizer on a deleting owner: strip the owner's references from its dependents, then drop the finalizer;
//  - foregroundDeletion finalizer: delete every dependent (in foreground where it blocks its owner), and drop the
//    finalizer once no dependent with blockOwnerDeletion remains;
//  - a dependent whose owners are all gone (or deleting in foreground): delete it (Background, or Foreground when
//    it blocks a foreground owner); with some owners still alive: remove only the references to the others.
// Events are not watched (they carry no ownerReferences worth collecting, and they are the most numerous kind).
// Every informer is metadata-only (PartialObjectMetadata lists and watches), as upstream's.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { byOwner, objectKey, splitKey } from '../../client/cache.ts';
import { refKey } from '../../client/resource-ref.ts';
import type { Action } from '../../client/controller.ts';
import { isConflict, isInvalid, isNotFound } from '../../client/errors.ts';
import type { Informer } from '../../client/informer.ts';
import { metadataObjectAccept } from '../../client/reflector.ts';
import type { ResourceInfo } from '../../api/resource-info.ts';
import { apiVersionOf, type KubeObject } from '../../api/object.ts';
import { resources } from '../../api/resources.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';
const byUid = 'gc-uid';

interface Watched {
  info: ResourceInfo;
  informer: Informer<KubeObject>;
}

/** Resources the collector tracks: everything listable and deletable except Events. */
export function collectedResources(all: ResourceInfo[] = resources): ResourceInfo[] {
  return all.filter((r) => !r.virtual && r.kind !== 'Event' && ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v)));
}

export type OwnerState = 'solid' | 'absent' | 'waiting';

/** How the collector treats a dependent given its owners' states (upstream attemptToDeleteItem's decision). */
export function decide(refs: OwnerReference[], states: OwnerState[]):
  | { action: 'none' }
  | { action: 'removeRefs'; uids: string[] }
  | { action: 'delete'; policy: 'Background' | 'Foreground' } {
  const solid = states.filter((s) => s === 'solid').length;
  const gone = refs.filter((_, i) => states[i] !== 'solid').map((r) => r.uid);
  if (solid > 0) return gone.length ? { action: 'removeRefs', uids: gone } : { action: 'none' };
  const blocksWaiting = refs.some((r, i) => states[i] === 'waiting' && r.blockOwnerDeletion === true);
  return { action: 'delete', policy: blocksWaiting ? 'Foreground' : 'Background' };
}

class StaleCache extends Error {}

/** The metadata the collector's decisions depend on. */
function gcView(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return JSON.stringify([m.uid, m.ownerReferences, m.finalizers, m.deletionTimestamp ?? null]);
}

function hasFinalizer(obj: KubeObject, f: string): boolean {
  return (obj.metadata?.finalizers ?? []).includes(f);
}

type Located = { w: Watched; obj: KubeObject };

export class GarbageCollector extends Controller {
  private readonly watched = new Map<string, Watched>();

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'garbage-collector', workers: ctx.options.concurrentGcSyncs });
    for (const info of collectedResources()) {
      // metadata is all the collector reads: it never holds Secrets' data or pods' specs (as upstream)
      const informer = this.informer<KubeObject>(info, { metadataOnly: true });
      informer.addIndexer(byUid, (o) => (o.metadata?.uid ? [o.metadata.uid] : []));
      const w = { info, informer };
      this.watched.set(refKey(info), w);
      informer.addEventHandler({
        onAdd: (obj) => this.touched(w, obj),
        // only what the collector reads matters: status churn (pod phases, lease renewals) is skipped
        onUpdate: (old, obj) => {
          if (old !== obj && gcView(old) === gcView(obj)) return;
          this.touched(w, obj);
        },
        onDelete: (obj) => {
          for (const d of this.dependentsOf(obj.metadata?.uid ?? '')) this.enqueue(d);
          this.touched(w, obj);
        },
      });
    }
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const bar = key.indexOf('|');
    const w = this.watched.get(key.slice(0, bar));
    const { namespace, name } = splitKey(key.slice(bar + 1));
    const obj = w?.informer.lister.get(namespace, name);
    if (!w || !obj) return;
    try {
      const meta = obj.metadata ?? {};
      if (meta.deletionTimestamp && hasFinalizer(obj, orphanFinalizer)) return await this.orphanDependents({ w, obj }, signal);
      if (meta.deletionTimestamp && hasFinalizer(obj, foregroundFinalizer)) return await this.deleteDependents({ w, obj }, signal);
      if (meta.deletionTimestamp || !meta.ownerReferences?.length) return;
      return await this.collectIfOwnerless({ w, obj }, signal);
    } catch (err) {
      // the watch event that brings the cache up to date requeues the key too; this is only a safety net
      if (err instanceof StaleCache) return { requeueAfter: 500 };
      throw err;
    }
  }

  /** Orphan finalizer: strip the owner's references from its dependents, then drop the finalizer. */
  private async orphanDependents(owner: Located, signal: AbortSignal): Promise<Action> {
    const uid = owner.obj.metadata?.uid ?? '';
    for (const d of this.dependentsOf(uid)) await this.removeOwnerRefs(d, [uid], signal);
    await this.removeFinalizer(owner, orphanFinalizer, signal);
  }

  /** Foreground finalizer: every dependent is deleted; the finalizer goes once none blocks its owner. */
  private async deleteDependents(owner: Located, signal: AbortSignal): Promise<Action> {
    const uid = owner.obj.metadata?.uid ?? '';
    const deps = this.dependentsOf(uid);
    for (const d of deps) this.enqueue(d);
    const blocking = deps.filter((d) => d.obj.metadata?.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion === true));
    if (blocking.length === 0) {
      await this.removeFinalizer(owner, foregroundFinalizer, signal);
      return;
    }
    // each dependent's deletion enqueues us; the timer only guards against a missed event
    return { requeueAfter: 10_000 };
  }

  /** A dependent: deleted when no owner is solid, else only its references to absent owners are removed. */
  private async collectIfOwnerless(dep: Located, signal: AbortSignal): Promise<Action> {
    const refs = dep.obj.metadata?.ownerReferences ?? [];
    const states: OwnerState[] = [];
    for (const r of refs) states.push(await this.ownerState(r, dep.obj, signal));
    const d = decide(refs, states);
    if (d.action === 'removeRefs') await this.removeOwnerRefs(dep, d.uids, signal);
    else if (d.action === 'delete') await this.remove(dep, d.policy, signal);
  }

  private enqueue(l: Located): void {
    this.queue.add(`${refKey(l.w.info)}|${objectKey(l.obj)}`);
  }

  private touched(w: Watched, obj: KubeObject): void {
    const meta = obj.metadata ?? {};
    if (meta.ownerReferences?.length) this.enqueue({ w, obj });
    if (meta.deletionTimestamp) {
      if (hasFinalizer(obj, orphanFinalizer) || hasFinalizer(obj, foregroundFinalizer)) this.enqueue({ w, obj });
      for (const d of this.dependentsOf(meta.uid ?? '')) this.enqueue(d);
    }
    // a dependent changed: an owner waiting in foreground may now be free
    for (const r of meta.ownerReferences ?? []) {
      const owner = this.findByUid(r.uid);
      if (owner?.obj.metadata?.deletionTimestamp) this.enqueue(owner);
    }
  }

  private findByUid(uid: string): Located | undefined {
    for (const w of this.watched.values()) {
      const hit = w.informer.lister.byIndex(byUid, uid)[0];
      if (hit) return { w, obj: hit };
    }
    return undefined;
  }

  private dependentsOf(uid: string): Located[] {
    const out: Located[] = [];
    for (const w of this.watched.values()) for (const obj of w.informer.lister.byIndex(byOwner, uid)) out.push({ w, obj });
    return out;
  }

  private resourceFor(ref: OwnerReference): Watched | undefined {
    const all = [...this.watched.values()];
    const exact = all.find((w) => apiVersionOf(w.info.group, w.info.version) === ref.apiVersion && w.info.kind === ref.kind);
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    return exact ?? all.find((w) => w.info.group === group && w.info.kind === ref.kind);
  }

  /** An owner's state, checked against the API when the cache does not have it (it may just lag). */
  private async ownerState(ref: OwnerReference, dependent: KubeObject, signal: AbortSignal): Promise<OwnerState> {
    const w = this.resourceFor(ref);
    if (!w) return 'solid'; // a kind we do not serve: never collect on a guess
    const stateOf = (o: KubeObject): OwnerState =>
      o.metadata?.deletionTimestamp && hasFinalizer(o, foregroundFinalizer) ? 'waiting' : 'solid';
    const cached = w.informer.lister.byIndex(byUid, ref.uid)[0];
    if (cached) return stateOf(cached);
    if (w.info.namespaced && !dependent.metadata?.namespace) return 'absent'; // cluster-scoped objects cannot have namespaced owners
    try {
      const live = await this.ctx.client.get<KubeObject>(w.info, ref.name, {
        namespace: w.info.namespaced ? dependent.metadata?.namespace : undefined, accept: metadataObjectAccept, signal,
      });
      return live.metadata?.uid === ref.uid ? stateOf(live) : 'absent';
    } catch (err) {
      if (isNotFound(err)) return 'absent';
      throw err;
    }
  }

  private async removeFinalizer(l: Located, f: string, signal: AbortSignal): Promise<void> {
    const list = l.obj.metadata?.finalizers ?? [];
    const i = list.indexOf(f);
    if (i < 0) return;
    // the last one takes the field with it, as upstream's omitempty encoding would
    const ops = [{ op: 'test', path: `/metadata/finalizers/${i}`, value: f },
      list.length === 1 ? { op: 'remove', path: '/metadata/finalizers' } : { op: 'remove', path: `/metadata/finalizers/${i}` }];
    await this.patchOrGone(l, ops, signal);
  }

  private async removeOwnerRefs(l: Located, uids: string[], signal: AbortSignal): Promise<void> {
    const refs = l.obj.metadata?.ownerReferences ?? [];
    const drop = refs.map((r, i) => (uids.includes(r.uid) ? i : -1)).filter((i) => i >= 0);
    if (drop.length === 0) return;
    const ops: unknown[] = drop.map((i) => ({ op: 'test', path: `/metadata/ownerReferences/${i}/uid`, value: refs[i].uid }));
    if (drop.length === refs.length) ops.push({ op: 'remove', path: '/metadata/ownerReferences' });
    else for (const i of drop.reverse()) ops.push({ op: 'remove', path: `/metadata/ownerReferences/${i}` });
    await this.patchOrGone(l, ops, signal);
  }

  /** A JSON patch guarded by `test` ops on what the cache showed; a failed test (422) means the cache was stale. */
  private async patchOrGone({ w, obj }: Located, ops: unknown[], signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.client.patch(w.info, obj.metadata!.name!, ops, 'json', { namespace: obj.metadata?.namespace, signal });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isInvalid(err)) throw new StaleCache();
      throw err;
    }
  }

  private async remove({ w, obj }: Located, wanted: 'Background' | 'Foreground', signal: AbortSignal): Promise<void> {
    // a propagation finalizer the object already carries wins, as upstream keeps it (a policy would replace it)
    const policy = hasFinalizer(obj, orphanFinalizer) ? 'Orphan' : hasFinalizer(obj, foregroundFinalizer) ? 'Foreground' : wanted;
    try {
      await this.ctx.client.delete(w.info, obj.metadata!.name!, {
        namespace: obj.metadata?.namespace, propagationPolicy: policy, preconditions: { uid: obj.metadata?.uid }, signal,
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

export async function startGarbageCollectorController(ctx: ControllerContext): Promise<void> {
  await new GarbageCollector(ctx).run();
}
