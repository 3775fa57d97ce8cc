// What a DELETE does to an object before (or instead of) removing it, as upstream's generic store decides:
// propagation policy finalizers (orphan, foregroundDeletion), graceful deletion (a deletionTimestamp in the
// future), and finalizers a kind keeps in its spec (a Namespace's). Pure: the store applies the plan.
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../../api/resource-info.ts';
import type { ResourceStrategy } from '../../../api/strategy.ts';
import { rfc3339 } from './meta-util.ts';

export interface DeletionPlan {
  /** True when the object must stay (marked for deletion) until finalizers or its grace period are done. */
  pending: boolean;
  /** The object as it should be stored while pending. */
  next: KubeObject;
}

type DeleteStrategy = Pick<ResourceStrategy, 'gracePeriod' | 'specFinalizers' | 'prepareForDelete'>;

export function planDeletion(current: KubeObject, options: DeleteOptions, strategy: DeleteStrategy, now: Date): DeletionPlan {
  const meta = current.metadata!;
  const next = structuredClone(current);
  const nextMeta = next.metadata!;
  const finalizers = new Set(nextMeta.finalizers ?? []);
  const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : undefined);
  if (policy === 'Orphan') finalizers.add('orphan');
  if (policy === 'Foreground') finalizers.add('foregroundDeletion');
  if (policy === 'Background' || policy === 'Foreground') finalizers.delete('orphan');
  if (policy === 'Background' || policy === 'Orphan') finalizers.delete('foregroundDeletion');
  let grace = strategy.gracePeriod?.(current, options.gracePeriodSeconds ?? undefined) ?? 0;
  // A second delete may shorten a grace period already running, never lengthen it.
  if (meta.deletionTimestamp && meta.deletionGracePeriodSeconds !== undefined) grace = Math.min(grace, meta.deletionGracePeriodSeconds);
  const specFinalizers = strategy.specFinalizers?.(next) ?? [];
  const pending = finalizers.size > 0 || grace > 0 || specFinalizers.length > 0;
  if (!pending) return { pending, next: current };
  if (finalizers.size) nextMeta.finalizers = [...finalizers];
  else delete nextMeta.finalizers;
  if (!nextMeta.deletionTimestamp || grace < (meta.deletionGracePeriodSeconds ?? Infinity)) {
    nextMeta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    nextMeta.deletionGracePeriodSeconds = grace;
  }
  strategy.prepareForDelete?.(next);
  return { pending, next };
}

/** An object being deleted whose last finalizer just went (and whose grace period is over): the write becomes the delete. */
export function finalizedAway(obj: KubeObject, strategy: DeleteStrategy): boolean {
  const meta = obj.metadata!;
  if (!meta.deletionTimestamp || (meta.finalizers?.length ?? 0) > 0) return false;
  if ((strategy.specFinalizers?.(obj) ?? []).length > 0) return false;
  return (meta.deletionGracePeriodSeconds ?? 0) === 0;
}

/**
 * A delete's preconditions against the stored object, as upstream's rest.BeforeDelete words the 409 (the
 * resource in the message is the kind, e.g. `Pod "web"`, `Deployment.apps "web"`).
 */
export function checkPreconditions(info: ResourceInfo, obj: KubeObject, options: DeleteOptions): void {
  const pre = options.preconditions;
  const meta = obj.metadata ?? {};
  const gr = { group: info.group, resource: info.kind };
  if (pre?.uid && pre.uid !== meta.uid) {
    throw ApiError.conflict(gr, meta.name ?? '', `the UID in the precondition (${pre.uid}) does not match the UID in record (${meta.uid}). The object might have been deleted and then recreated`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
    throw ApiError.conflict(gr, meta.name ?? '', `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${meta.resourceVersion}). The object might have been modified`);
  }
}
