// Strategic merge patch (application/strategic-merge-patch+json) as upstream's
// k8s.io/apimachinery/pkg/util/strategicpatch applies it on the server: maps merge recursively, null deletes,
// lists with patchStrategy "merge" merge by their patchMergeKey (primitive lists: union), other lists are
// replaced. Directives: `$patch: replace|delete` (in maps and as list elements), `$retainKeys`,
// `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`. Result order of merged lists follows upstream's
// normalizeElementOrder, so `kubectl apply` patches give the same order as a real API server.
import { ApiError } from '../../../api/errors.ts';
import { rootType } from '../../../api/merge-keys.ts';
import { GoSlice, indexIn, mergeSorted, sameItem, sortByOrder } from './list-order.ts';
import { deepEqual, fieldRef, isObject, own, setOwn, type Json, type JsonObject, type Ref } from './typed.ts';

const directive = '$patch';
const retainKeys = '$retainKeys';
const deletePrefix = '$deleteFromPrimitiveList/';
const orderPrefix = '$setElementOrder/';

/** Go's %v rendering of decoded JSON, used verbatim in upstream's error messages. */
export function goFormat(v: Json | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  return String(v);
}

const badRequest = (msg: string): ApiError => ApiError.badRequest(msg);
// Upstream answers these patch-shape errors with a 500 (they fall through interpretStrategicMergePatchError);
// Skiff keeps their words but answers 400, since a request body must never be able to produce a server error.
const internal = (msg: string): ApiError => ApiError.badRequest(msg);

/** Applies a parsed strategic merge patch to a copy of `original`. */
export function strategicMergePatch(original: JsonObject, patch: JsonObject, kindKey: string): JsonObject {
  return mergeMap(structuredClone(original), structuredClone(patch), { typeName: rootType(kindKey) });
}

function mergeMap(original: JsonObject, patch: JsonObject, ref: Ref): JsonObject {
  if (Object.hasOwn(patch, directive)) {
    const d = patch[directive];
    if (d === 'replace') {
      delete patch[directive];
      return cleanNew(patch) as JsonObject;
    }
    if (d === 'delete') return {};
    throw internal(`unknown patch type: ${goFormat(d)} in map: ${goFormat(patch)}`);
  }
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, ref);
  // Keys are taken in the order sent. (Upstream walks a Go map, so a patch carrying both a primitive list and its
  // $deleteFromPrimitiveList merges in either order; kubectl never sends both for the same values.)
  for (const [rawKey, patchV] of Object.entries(patch)) {
    let key = rawKey;
    const isDeleteList = rawKey.startsWith(deletePrefix);
    if (isDeleteList) key = rawKey.slice(deletePrefix.length);
    if (patchV === null) {
      delete original[key];
      continue;
    }
    if (!Object.hasOwn(original, key)) {
      if (!isDeleteList) setOwn(original, key, cleanNew(patchV));
      continue;
    }
    const origV = original[key];
    const field = fieldRef(ref, key);
    if (kindOf(origV) !== kindOf(patchV)) {
      if (!isDeleteList) setOwn(original, key, cleanNew(patchV));
      continue;
    }
    if (isObject(origV) && isObject(patchV)) {
      setOwn(original, key, mergeMap(origV, patchV, field));
    } else if (Array.isArray(origV) && Array.isArray(patchV)) {
      if (isDeleteList || hasMerge(field)) setOwn(original, key, mergeSlice(origV, patchV, field, isDeleteList));
      else setOwn(original, key, cleanNew(patchV));
    } else {
      setOwn(original, key, patchV);
    }
  }
  return original;
}

function kindOf(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function hasMerge(ref: Ref): boolean {
  return (ref.field?.patchStrategy ?? '').split(',').includes('merge');
}

/** A value the patch adds wholesale: nulls and stray directives dropped. */
function cleanNew(v: Json): Json {
  if (Array.isArray(v)) {
    return v.filter((x) => !(isObject(x) && directive in x && Object.keys(x).length === 1)).map(cleanNew);
  }
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || k === directive || k === retainKeys || k.startsWith(orderPrefix) || k.startsWith(deletePrefix)) continue;
    setOwn(out, k, cleanNew(x));
  }
  return out;
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, retainKeys)) return;
  const list = patch[retainKeys];
  delete patch[retainKeys];
  if (!Array.isArray(list)) throw badRequest('invalid patch format of retainKeys');
  const keep = new Set(list.map((x) => String(x)));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deletePrefix) || k.startsWith(orderPrefix)) continue;
    if (!keep.has(k)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** `$setElementOrder/<field>`: merge that list now and order it as the directive says. */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, ref: Ref): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(orderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badRequest(`expected a []interface {}, but received a ${goType(order)}`);
    const field = key.slice(orderPrefix.length);
    const fRef = fieldRef(ref, field);
    const mergeKey = fRef.field?.patchMergeKey ?? '';
    const origList = Array.isArray(own(original, field)) ? (original[field] as Json[]) : [];
    const patchList = Array.isArray(own(patch, field)) ? (patch[field] as Json[]) : [];
    validateOrder(patchList, order, mergeKey);
    if (!Object.hasOwn(original, field) && !Object.hasOwn(patch, field)) continue;
    if (origList.length === 0 && patchList.length === 0) throw internal('no elements in any of the given slices');
    // Upstream merges in place over the live list's backing array and then orders by that array, so deletions
    // and additions made during the merge shift the "live order"; GoSlice reproduces that.
    const backing = new GoSlice(origList);
    let merged: Json[];
    if (origList.length === 0) merged = patchList.map(cleanNew);
    else if (patchList.length === 0) merged = origList;
    else if (hasMerge(fRef)) merged = mergeSlice(origList, patchList, fRef, false, backing);
    else merged = patchList;
    const serverOrder = backing.array;
    // Items named by the directive follow its order; the others keep their live order, interleaved.
    const named = merged.filter((m) => indexIn(order, m, mergeKey) >= 0);
    const serverOnly = merged.filter((m) => indexIn(order, m, mergeKey) < 0);
    setOwn(original, field, mergeSorted(sortByOrder(serverOnly, serverOrder, mergeKey), sortByOrder(named, order, mergeKey), serverOrder, mergeKey));
    delete patch[field];
  }
}

function goType(v: Json): string {
  if (v === null) return '<nil>';
  if (isObject(v)) return 'map[string]interface {}';
  return typeof v === 'number' ? 'float64' : typeof v === 'boolean' ? 'bool' : 'string';
}

function validateOrder(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((x) => !(isObject(x) && x[directive] === 'delete')) : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isObject(items[p]) && directive in (items[p] as JsonObject)) {
      p++;
      continue;
    }
    if (mergeKey) {
      for (const x of [items[p], order[o]]) {
        if (!isObject(x) || !(mergeKey in x)) throw internal(`map: ${goFormat(x)} does not contain declared merge key: ${mergeKey}`);
      }
    }
    if (sameItem(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) {
    throw internal(`The order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(order)}\n`);
  }
}

function mergeSlice(original: Json[], patch: Json[], ref: Ref, isDeleteList: boolean, backing?: GoSlice): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const all = [...original, ...patch];
  if (all.some(Array.isArray)) throw ApiError.of(422, 'Invalid', 'lists of lists are not supported');
  const mapsList = all.some(isObject);
  const mergeKey = ref.field?.patchMergeKey ?? '';
  let merged: Json[];
  let patchItems = patch;
  let serverOrder = original;
  if (!mapsList) {
    if (isDeleteList) return original.filter((x) => !patch.some((p) => deepEqual(p, x)));
    merged = [];
    for (const x of all) if (!merged.some((m) => deepEqual(m, x))) merged.push(x);
  } else {
    if (!mergeKey) throw internal('cannot merge lists without merge key for map');
    const special = splitSpecialElements(original, patch, mergeKey, backing);
    serverOrder = special.original;
    patchItems = special.patch;
    merged = [...special.original];
    for (const item of special.patch) {
      if (!isObject(item) || !(mergeKey in item)) {
        throw internal(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
      }
      const at = merged.findIndex((m) => isObject(m) && deepEqual(m[mergeKey], item[mergeKey]));
      if (at >= 0) {
        merged[at] = mergeMap(merged[at] as JsonObject, item, { typeName: ref.field?.type });
        backing?.set(at, merged[at]);
      } else {
        merged.push(cleanNew(item));
        backing?.push(merged[merged.length - 1]);
      }
    }
  }
  const key = mapsList ? mergeKey : '';
  const inPatch = merged.filter((m) => indexIn(patchItems, m, key) >= 0);
  const serverOnly = merged.filter((m) => indexIn(patchItems, m, key) < 0);
  return mergeSorted(sortByOrder(serverOnly, serverOrder, key), sortByOrder(inPatch, patchItems, key), serverOrder, key);
}

/** List elements `{$patch: delete, key: v}` and `{$patch: replace}`. */
function splitSpecialElements(
  original: Json[], patch: Json[], mergeKey: string, backing?: GoSlice,
): { original: Json[]; patch: Json[] } {
  const rest: Json[] = [];
  let replace = false;
  let orig = original;
  for (const item of patch) {
    if (!isObject(item) || !(directive in item)) {
      rest.push(item);
      continue;
    }
    const d = item[directive];
    if (d === 'delete') {
      if (!(mergeKey in item)) throw internal(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
      for (let k = orig.findIndex((m) => matches(m, item)); k >= 0; k = orig.findIndex((m) => matches(m, item))) {
        orig = [...orig.slice(0, k), ...orig.slice(k + 1)];
        backing?.remove(k);
      }
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      throw internal('merging lists cannot yet be specified in the patch');
    } else {
      throw internal(`unknown patch type: ${goFormat(d)} in map: ${goFormat(item)}`);
    }
  }
  if (replace) backing?.detach();
  return replace ? { original: rest.map(cleanNew), patch: [] } : { original: orig, patch: rest };

  function matches(m: Json, item: JsonObject): boolean {
    return isObject(m) && deepEqual(m[mergeKey], item[mergeKey]);
  }
}
