// What a DELETE does to an object before (or instead of) removing it, as upstream's generic store decides:
// propagation policy finalizers (orphan, foregroundDeletion), graceful deletion (a deletionTimestamp in the
// future), and a namespace's own spec.finalizers. Pure: the store applies the plan.
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import type { KindBehaviour } from './kind-behaviour.ts';
import { rfc3339 } from './meta-util.ts';

export interface DeletionPlan {
  /** True when the object must stay (marked for deletion) until finalizers or its grace period are done. */
  pending: boolean;
  /** The object as it should be stored while pending. */
  next: KubeObject;
}

export function planDeletion(current: KubeObject, options: DeleteOptions, behaviour: KindBehaviour, isNamespace: boolean, now: Date): DeletionPlan {
  const meta = current.metadata!;
  const next = structuredClone(current);
  const nextMeta = next.metadata!;
  const finalizers = new Set(nextMeta.finalizers ?? []);
  const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : undefined);
  if (policy === 'Orphan') finalizers.add('orphan');
  if (policy === 'Foreground') finalizers.add('foregroundDeletion');
  if (policy === 'Background' || policy === 'Foreground') finalizers.delete('orphan');
  if (policy === 'Background' || policy === 'Orphan') finalizers.delete('foregroundDeletion');
  let grace = behaviour.gracePeriod?.(current, options.gracePeriodSeconds ?? undefined) ?? 0;
  // A second delete may shorten a grace period already running, never lengthen it.
  if (meta.deletionTimestamp && meta.deletionGracePeriodSeconds !== undefined) grace = Math.min(grace, meta.deletionGracePeriodSeconds);
  const namespaceFinalizers = isNamespace ? ((next.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
  const pending = finalizers.size > 0 || grace > 0 || namespaceFinalizers.length > 0;
  if (!pending) return { pending, next: current };
  if (finalizers.size) nextMeta.finalizers = [...finalizers];
  else delete nextMeta.finalizers;
  if (!nextMeta.deletionTimestamp || grace < (meta.deletionGracePeriodSeconds ?? Infinity)) {
    nextMeta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    nextMeta.deletionGracePeriodSeconds = grace;
  }
  if (isNamespace) next.status = { ...((next.status as object) ?? {}), phase: 'Terminating' };
  return { pending, next };
}
