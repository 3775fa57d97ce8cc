// The object an update will store, as upstream's rest.BeforeUpdate decides: system metadata from the stored
// object, then the endpoint's strategy (the resource's own, or a subresource's such as status or finalize),
// the finalizer rule for objects being deleted, and validation. Pure; the generic store writes the result.
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceDefinition } from '../../../api/resources.ts';
import type { UpdateSubresource } from '../../../api/strategy.ts';
import type { WriteContext } from './types.ts';

/** Identity, name and deletion state are the server's: whatever the body says, the stored values stay. */
function keepSystemMetadata(def: ResourceDefinition, obj: KubeObject, current: KubeObject): void {
  const meta = (obj.metadata ??= {});
  const old = current.metadata!;
  if (meta.name !== undefined && meta.name !== old.name) {
    throw ApiError.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${old.name})`);
  }
  if (def.info.namespaced && meta.namespace && meta.namespace !== old.namespace) {
    throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  meta.name = old.name;
  if (def.info.namespaced) meta.namespace = old.namespace;
  else delete meta.namespace;
  meta.uid = old.uid;
  meta.creationTimestamp = old.creationTimestamp;
  meta.deletionTimestamp = old.deletionTimestamp;
  meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
  if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
  if (meta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
  if (old.generation === undefined) delete meta.generation;
  else meta.generation = old.generation;
  delete meta.resourceVersion;
}

/** Once deletion started, finalizers may only be removed (upstream: no new finalizers on a deleting object). */
function checkFinalizers(def: ResourceDefinition, obj: KubeObject, current: KubeObject): void {
  const old = current.metadata!;
  if (!old.deletionTimestamp) return;
  const before = new Set(old.finalizers ?? []);
  const added = (obj.metadata?.finalizers ?? []).filter((f) => !before.has(f));
  if (!added.length) return;
  throw ApiError.invalid(def.info.kind, def.info.group, old.name ?? '', [
    { type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` },
  ]);
}

export function prepareUpdate(
  def: ResourceDefinition, desired: KubeObject, current: KubeObject, sub: UpdateSubresource | undefined, ctx: WriteContext,
): KubeObject {
  let obj = structuredClone(desired);
  obj.apiVersion = current.apiVersion;
  obj.kind = current.kind;
  keepSystemMetadata(def, obj, current);
  const name = current.metadata?.name ?? '';
  if (sub) {
    obj = sub.prepareForUpdate(obj, current);
    delete obj.metadata!.resourceVersion;
    const errors = sub.validateUpdate(obj, current);
    if (errors.length) throw ApiError.invalid(def.info.kind, def.info.group, name, errors);
    ctx.track?.(current, obj);
    return obj;
  }
  // As upstream: the decoded body is defaulted first, then the strategy compares it with the stored object.
  def.strategy.defaults(obj);
  def.strategy.prepareForUpdate(obj, current);
  checkFinalizers(def, obj, current);
  const errors = def.strategy.validateUpdate(obj, current);
  if (errors.length) throw ApiError.invalid(def.info.kind, def.info.group, name, errors);
  ctx.track?.(current, obj);
  return obj;
}
