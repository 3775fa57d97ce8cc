// Field ownership for writes, as upstream's field manager (k8s.io/apiserver/.../managedfields + structured-merge-diff):
// - updateManagedFields: an ordinary create/update/patch takes ownership of every field it added or changed, and
//   other managers lose those fields (and any removed ones). Called with the defaulted object about to be stored.
// - serverSideApply: merges an applied configuration into the live object, removes fields the applier owned
//   before and no longer applies (unless someone else owns them), and refuses to change fields other managers own
//   unless forced (409 Conflict listing the fields).
import type { StatusCause } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../../api/errors.ts';
import { rootType } from '../../../api/merge-keys.ts';
import type { KubeObject } from '../../../api/object.ts';
import {
  difference, emptySet, intersection, isEmpty, pathString, paths, recursiveDifference, union, type PathSet,
} from './fieldpath.ts';
import {
  capUpdateManagers, decodeManagedFields, encodeManagedFields, managerId, objectApiVersion, resetFields, rfc3339, stripMeta,
  type ManagerEntry,
} from './managed-fields.ts';
import {
  compare, deepEqual, ensureNamedFieldsAreMembers, isObject, merge, removeItems, SchemaError, toFieldSet,
  type Json, type JsonObject, type Ref,
} from './typed.ts';
import { allowedConflicts, syncLastApplied } from './last-applied.ts';
import { zeroObject } from './zero.ts';

function withoutManagedFields(obj: KubeObject): JsonObject {
  const json = structuredClone(obj) as JsonObject;
  const meta = json.metadata;
  if (isObject(meta)) delete meta.managedFields;
  return json;
}

/** obj without metadata.managedFields, sharing everything else with obj: for reading only. An update compares
 *  the two versions and writes neither, so copying whole objects (a pod with its token volume) is wasted. */
function managedFieldsHidden(obj: KubeObject): JsonObject {
  const meta = obj.metadata;
  if (!meta || !Object.hasOwn(meta, 'managedFields')) return obj as unknown as JsonObject;
  const { managedFields: _hidden, ...rest } = meta;
  return { ...obj, metadata: rest } as unknown as JsonObject;
}

function kindKeyOf(obj: KubeObject): string {
  return `${obj.apiVersion ?? ''}/${obj.kind ?? ''}`;
}

function typedError(err: unknown, what: string): never {
  // Upstream's 500 here becomes a 400: the cause is the request body (see strategic.ts).
  if (err instanceof SchemaError) throw ApiError.badRequest(`failed to create typed ${what} object: ${err.message}`);
  throw err;
}

export interface UpdateManagedFieldsArgs {
  old: KubeObject | undefined;
  updated: KubeObject;
  manager: string;
  operation: 'Update';
  subresource?: string;
  now: Date;
  /** Defaults to updated.apiVersion + "/" + updated.kind. */
  kindKey?: string;
}

/** Records the write in updated.metadata.managedFields (mutates `updated`); never throws for bad content. */
export function updateManagedFields(args: UpdateManagedFieldsArgs): void {
  const { old, updated, manager, subresource, now } = args;
  const kind = args.kindKey ?? kindKeyOf(updated);
  const apiVersion = objectApiVersion(updated, kind);
  const ref: Ref = { typeName: rootType(kind) };
  const supplied = updated.metadata?.managedFields;
  const managers = decodeManagedFields(
    supplied && supplied.length > 0 && !subresource ? supplied : old?.metadata?.managedFields,
  );
  const before = old ? managedFieldsHidden(old) : zeroObject(kind);
  const after = managedFieldsHidden(updated);
  let cmp;
  try {
    cmp = compare(before, after, ref);
  } catch (err) {
    // Like upstream's UpdateNoErrors: an object the schema cannot key (validation rejects it later) is stored
    // without managedFields rather than with wrong ones.
    if (!(err instanceof SchemaError)) throw err;
    if (updated.metadata) delete updated.metadata.managedFields;
    return;
  }
  const ignored = resetFields(kind, apiVersion, subresource);
  const changed = union(cmp.modified, cmp.added);
  if (!isEmpty(changed) || !isEmpty(cmp.removed)) {
    // Other managers lose what this write changed or removed (reset fields excluded, as upstream's ExcludeFields).
    const taken = recursiveDifference(changed, ignored);
    const removed = recursiveDifference(cmp.removed, ignored);
    for (const entry of managers.values()) {
      entry.set = difference(difference(entry.set, taken), removed);
    }
    const mine = stripMeta(taken);
    if (!isEmpty(mine)) {
      const id = managerId({ manager, operation: 'Update', apiVersion, subresource });
      const previous = managers.get(id);
      managers.set(id, {
        manager, operation: 'Update', apiVersion, ...(subresource ? { subresource } : {}), time: rfc3339(now),
        set: previous ? union(previous.set, mine) : mine,
      });
    }
  }
  capUpdateManagers(managers);
  updated.metadata ??= {};
  const encoded = encodeManagedFields(managers);
  if (encoded.length > 0) updated.metadata.managedFields = encoded;
  else delete updated.metadata.managedFields;
}

export interface ServerSideApplyArgs {
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  kindKey: string;
  now: Date;
  subresource?: string;
}

/** The live object with the applied configuration merged in and managedFields updated; 409 on conflicts. */
export function serverSideApply(args: ServerSideApplyArgs): KubeObject {
  const { live, applied, manager, force, kindKey, now, subresource } = args;
  if (applied.metadata?.managedFields != null) throw ApiError.badRequest('metadata.managedFields must be nil');
  const expected = kindKey.slice(0, kindKey.lastIndexOf('/'));
  if ((applied.apiVersion ?? '') !== expected) {
    throw ApiError.badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${applied.apiVersion ?? ''}, expected: ${expected}`,
    );
  }
  const apiVersion = expected;
  const ref: Ref = { typeName: rootType(kindKey) };
  const managers = decodeManagedFields(live?.metadata?.managedFields);
  const liveJson = live ? withoutManagedFields(live) : zeroObject(kindKey);
  const config = structuredClone(applied) as JsonObject;
  if (live && managers.size === 0) {
    // Objects written before anyone tracked fields: their current content belongs to a placeholder manager.
    const set = stripMeta(safeFieldSet(liveJson, ref, 'live'));
    if (!isEmpty(set)) {
      managers.set(managerId({ manager: 'before-first-apply', operation: 'Update', apiVersion }), {
        manager: 'before-first-apply', operation: 'Update', apiVersion, set,
      });
    }
  }
  const ignored = resetFields(kindKey, apiVersion, subresource);
  const id = managerId({ manager, operation: 'Apply', apiVersion, subresource });
  const last = managers.get(id);
  const appliedSet = recursiveDifference(safeFieldSet(config, ref, 'patch'), ignored);
  const mine: ManagerEntry = {
    manager, operation: 'Apply', apiVersion, ...(subresource ? { subresource } : {}), set: appliedSet,
    ...(last?.time ? { time: last.time } : {}),
  };
  managers.set(id, mine);

  let merged: Json;
  try {
    merged = merge(liveJson, config, ref) as Json;
    merged = prune(merged, managers, last?.set, ref);
  } catch (err) {
    typedError(err, 'patch');
  }
  let cmp;
  try {
    cmp = compare(liveJson, merged, ref);
  } catch (err) {
    typedError(err, 'new');
  }
  const changed = recursiveDifference(union(cmp.modified, cmp.added), ignored);
  const removed = recursiveDifference(cmp.removed, ignored);
  const conflicts: { entry: ManagerEntry; set: PathSet }[] = [];
  for (const [key, entry] of managers) {
    if (key === id) continue;
    const c = intersection(entry.set, changed);
    if (!isEmpty(c)) conflicts.push({ entry, set: c });
  }
  if (conflicts.length > 0 && !force) {
    const allowed = live ? allowedConflicts(manager, liveJson, ref) : undefined;
    const remaining = allowed
      ? conflicts.map((c) => ({ entry: c.entry, set: difference(c.set, allowed) })).filter((c) => !isEmpty(c.set))
      : conflicts;
    // Conflicts only on fields the client-side apply annotation explains are resolved as a forced apply.
    if (remaining.length > 0) throw conflictError(remaining);
  }
  for (const [key, entry] of managers) {
    if (key === id) continue;
    entry.set = difference(difference(entry.set, changed), removed);
  }
  mine.set = stripMeta(mine.set);
  const objectChanged = !deepEqual(liveJson, merged);
  if (objectChanged || !last || !deepEqual(paths(last.set), paths(mine.set))) mine.time = rfc3339(now);
  // Nulls only mean "unset" (and the zero object carries some); a no-op apply hands back the live object as it was.
  const result = (objectChanged ? dropNulls(merged) : liveJson) as KubeObject;
  capUpdateManagers(managers);
  result.metadata ??= {};
  const encoded = encodeManagedFields(managers);
  if (encoded.length > 0) result.metadata.managedFields = encoded;
  syncLastApplied(manager, result, applied);
  return result;
}

function safeFieldSet(value: Json, ref: Ref, what: string): PathSet {
  try {
    return toFieldSet(value, ref);
  } catch (err) {
    typedError(err, what);
  }
}

/** Upstream's prune: drop what the applier owned last time, no longer applies, and nobody else owns. */
function prune(merged: Json, managers: Map<string, ManagerEntry>, lastSet: PathSet | undefined, ref: Ref): Json {
  if (!lastSet || isEmpty(lastSet)) return merged;
  const last = ensureNamedFieldsAreMembers(lastSet);
  const fieldsOf = (v: Json): PathSet => ensureNamedFieldsAreMembers(toFieldSet(v, ref));
  let managed = emptyManaged();
  for (const entry of managers.values()) managed = union(managed, entry.set);
  managed = ensureNamedFieldsAreMembers(managed);
  const mergedSet = fieldsOf(merged);
  const pruned0 = removeItems(merged, last, ref);
  const pruned1 = removeItems(merged, difference(mergedSet, union(fieldsOf(pruned0), managed)), ref);
  return removeItems(merged, intersection(difference(mergedSet, fieldsOf(pruned1)), last), ref);
}

function emptyManaged(): PathSet {
  return emptySet();
}

function dropNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

/** How upstream names a manager in conflict messages. */
function printManager(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

function conflictError(conflicts: { entry: ManagerEntry; set: PathSet }[]): ApiError {
  const all = conflicts.flatMap(({ entry, set }) => paths(set).map((p) => ({ who: printManager(entry), path: pathString(p) })));
  const causes: StatusCause[] = all.map((c) => ({
    reason: 'FieldManagerConflict', message: `conflict with ${c.who}`, field: c.path,
  }));
  let message: string;
  if (all.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${all[0].who}: ${all[0].path}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of all) byManager.set(c.who, [...(byManager.get(c.who) ?? []), c.path]);
    const lines: string[] = [];
    for (const who of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${who}:`);
      for (const p of byManager.get(who)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${all.length} conflicts: ${lines.join('\n')}`;
  }
  return ApiError.of(409, 'Conflict', message, { causes });
}
