// Schema-aware walks over plain JSON objects, as structured-merge-diff's typed values: the field set an object
// sets (toFieldSet), what changed between two objects (compare), the server-side-apply merge of a config into a
// live object (merge), and removal of a set of paths (removeItems). The schema is src/api/merge-keys.ts: lists are
// atomic unless listed there as `set` or `map` (keyed); maps merge key by key unless marked atomic.
import { fieldSchema, isAtomic, types, type FieldSchema } from '../../../api/merge-keys.ts';
import {
  child, emptySet, fieldElement, insert, keyElement, valueElement, type Path, type PathSet,
} from './fieldpath.ts';

/** Where a value sits in the schema: its named type and, for a field, the field's own tags. */
export interface Ref {
  typeName?: string;
  field?: FieldSchema;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** obj[k] if obj has it as its own property: an inherited `__proto__` or `constructor` is never a field. */
export function own(obj: JsonObject, k: string): Json | undefined {
  return Object.hasOwn(obj, k) ? obj[k] : undefined;
}

/** obj[k] = v as a plain data property, even for k = "__proto__" (which would otherwise set the prototype). */
export function setOwn(obj: JsonObject, k: string, v: Json): void {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, writable: true, enumerable: true, configurable: true });
  else obj[k] = v;
}

export function fieldRef(parent: Ref, name: string): Ref {
  const field = fieldSchema(parent.typeName, name);
  return { typeName: field?.type, field };
}

function elementRef(list: Ref): Ref {
  return { typeName: list.field?.type };
}

function mapIsAtomic(ref: Ref): boolean {
  if (ref.field && !ref.field.listType && isAtomic(ref.field)) return true;
  return ref.typeName !== undefined && types[ref.typeName]?.atomic === true && !ref.field?.listType;
}

function listType(ref: Ref): 'atomic' | 'set' | 'map' {
  return ref.field?.listType ?? 'atomic';
}

/** Key-field defaults upstream's schema declares (a port's protocol defaults to TCP). */
const keyDefaults: Record<string, Json> = { protocol: 'TCP' };

export class SchemaError extends Error {}

/** The path element naming one item of an associative list. */
export function itemElement(ref: Ref, item: Json, where: string, index: number): string {
  if (listType(ref) === 'set') return valueElement(item);
  const keys = ref.field?.listMapKeys ?? [];
  const fields: Record<string, Json> = {};
  for (const k of keys) {
    const v = isObject(item) ? own(item, k) : undefined;
    if (v === undefined || v === null) {
      if (Object.hasOwn(keyDefaults, k)) {
        fields[k] = keyDefaults[k];
        continue;
      }
      throw new SchemaError(
        `${where}: element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`,
      );
    }
    fields[k] = v;
  }
  return keyElement(fields);
}

function pathText(path: Path): string {
  return path.map((e) => (e.startsWith('f:') ? `.${e.slice(2)}` : `[${e.slice(2)}]`)).join('');
}

// --- toFieldSet ------------------------------------------------------------------------------------------------

/** The paths a value sets: leaves, list items, empty / null maps, atomic values (upstream ToFieldSet). */
export function toFieldSet(value: Json, ref: Ref): PathSet {
  const set = emptySet();
  walkSet(value, ref, [], set);
  return set;
}

function walkSet(value: Json, ref: Ref, path: Path, set: PathSet): void {
  if (Array.isArray(value)) {
    if (listType(ref) === 'atomic') {
      insert(set, path);
      return;
    }
    value.forEach((item, i) => {
      const p = [...path, itemElement(ref, item, pathText(path), i)];
      walkSet(item, elementRef(ref), p, set);
      insert(set, p);
    });
    return;
  }
  if (isObject(value)) {
    if (mapIsAtomic(ref)) {
      insert(set, path);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      const p = [...path, fieldElement(k)];
      walkSet(v, fieldRef(ref, k), p, set);
      if (v === null || (isObject(v) && Object.keys(v).length === 0)) insert(set, p);
    }
    return;
  }
  insert(set, path);
}

/** Every `f:` node on a path becomes a member too (upstream EnsureNamedFieldsAreMembers, all fields named). */
export function ensureNamedFieldsAreMembers(s: PathSet): PathSet {
  const out: PathSet = { members: new Set(s.members), children: new Map() };
  for (const [k, c] of s.children) {
    if (k.startsWith('f:')) out.members.add(k);
    out.children.set(k, ensureNamedFieldsAreMembers(c));
  }
  return out;
}

// --- compare ---------------------------------------------------------------------------------------------------

export interface Comparison {
  added: PathSet;
  modified: PathSet;
  removed: PathSet;
}

export function compare(lhs: Json | undefined, rhs: Json | undefined, ref: Ref): Comparison {
  const c: Comparison = { added: emptySet(), modified: emptySet(), removed: emptySet() };
  walkCompare(lhs, rhs, ref, [], c);
  return c;
}

function emptyish(v: Json | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObject(v) && Object.keys(v).length === 0;
}

function walkCompare(lhs: Json | undefined, rhs: Json | undefined, ref: Ref, path: Path, c: Comparison): void {
  const shape = rhs !== undefined && rhs !== null ? rhs : lhs;
  const sameShape = lhs === undefined || lhs === null || rhs === undefined || rhs === null ||
    Array.isArray(lhs) === Array.isArray(rhs) && isObject(lhs) === isObject(rhs);
  const leaf = !sameShape || (!Array.isArray(shape) && !isObject(shape)) ||
    (Array.isArray(shape) && listType(ref) === 'atomic') || (isObject(shape) && mapIsAtomic(ref)) ||
    (emptyish(lhs) && emptyish(rhs));
  if (leaf) {
    if (lhs === undefined) insert(c.added, path);
    else if (rhs === undefined) insert(c.removed, path);
    else if (!deepEqual(lhs, rhs)) insert(c.modified, path);
    return;
  }
  if (Array.isArray(shape)) {
    const l = Array.isArray(lhs) ? lhs : [];
    const r = Array.isArray(rhs) ? rhs : [];
    const lIndex = indexItems(l, ref, path);
    const rIndex = indexItems(r, ref, path);
    for (const [pe, item] of lIndex) walkCompareItem(item, rIndex.get(pe), elementRef(ref), [...path, pe], c);
    for (const [pe, item] of rIndex) if (!lIndex.has(pe)) walkCompareItem(undefined, item, elementRef(ref), [...path, pe], c);
  } else {
    const l = isObject(lhs) ? lhs : {};
    const r = isObject(rhs) ? rhs : {};
    for (const k of new Set([...Object.keys(l), ...Object.keys(r)])) {
      walkCompareItem(l[k], r[k], fieldRef(ref, k), [...path, fieldElement(k)], c);
    }
  }
}

function walkCompareItem(lhs: Json | undefined, rhs: Json | undefined, ref: Ref, path: Path, c: Comparison): void {
  walkCompare(lhs, rhs, ref, path, c);
  // Upstream's post-item hook: a whole node appearing or vanishing is recorded as well as its leaves.
  if (lhs === undefined) insert(c.added, path);
  else if (rhs === undefined) insert(c.removed, path);
}

function indexItems(list: Json[], ref: Ref, path: Path): Map<string, Json> {
  const m = new Map<string, Json>();
  list.forEach((item, i) => {
    const pe = itemElement(ref, item, pathText(path), i);
    if (!m.has(pe)) m.set(pe, item);
  });
  return m;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

// --- merge (server-side apply) ----------------------------------------------------------------------------------

/** The config merged into the live value: config wins at leaves, keyed lists merge by item, atomic values replace. */
export function merge(lhs: Json | undefined, rhs: Json | undefined, ref: Ref, path: Path = []): Json | undefined {
  if (rhs === undefined) return lhs;
  if (lhs === undefined || lhs === null || rhs === null) return rhs;
  if (Array.isArray(lhs) && Array.isArray(rhs) && listType(ref) !== 'atomic') return mergeList(lhs, rhs, ref, path);
  if (isObject(lhs) && isObject(rhs) && !mapIsAtomic(ref)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(lhs)) {
      setOwn(out, k, Object.hasOwn(rhs, k) ? (merge(v, rhs[k], fieldRef(ref, k), [...path, fieldElement(k)]) as Json) : v);
    }
    for (const [k, v] of Object.entries(rhs)) if (!Object.hasOwn(lhs, k)) setOwn(out, k, v);
    return out;
  }
  return rhs;
}

/** Upstream's list merge order: config order for shared items, live-only items stay near their neighbours. */
function mergeList(lhs: Json[], rhs: Json[], ref: Ref, path: Path): Json[] {
  const where = pathText(path);
  const lPE = lhs.map((item, i) => itemElement(ref, item, where, i));
  const rPE = rhs.map((item, i) => itemElement(ref, item, where, i));
  const lMap = new Map<string, Json>();
  lPE.forEach((pe, i) => { if (!lMap.has(pe)) lMap.set(pe, lhs[i]); });
  const rMap = new Map<string, Json>();
  rPE.forEach((pe, i) => { if (!rMap.has(pe)) rMap.set(pe, rhs[i]); });
  const shared = rPE.filter((pe) => lMap.has(pe));
  let nextShared = shared.shift();
  const done = new Set<string>();
  const out: Json[] = [];
  const emit = (pe: string): void => {
    done.add(pe);
    const m = merge(lMap.get(pe), rMap.get(pe), elementRef(ref), [...path, pe]);
    if (m !== undefined) out.push(m);
  };
  let l = 0;
  let r = 0;
  while (l < lPE.length || r < rPE.length) {
    if (l < lPE.length && r < rPE.length) {
      if (lPE[l] === rPE[r]) {
        emit(lPE[l]);
        l++;
        r++;
        nextShared = shared.shift();
        continue;
      }
      if (rMap.has(lPE[l]) && nextShared !== undefined && nextShared !== lPE[l]) {
        l++;
        continue;
      }
    }
    if (l < lPE.length) {
      const pe = lPE[l];
      if (!rMap.has(pe)) {
        out.push(lhs[l]);
        l++;
        continue;
      }
      if (done.has(pe)) {
        l++;
        continue;
      }
    }
    if (r < rPE.length) {
      const pe = rPE[r];
      if (!done.has(pe)) emit(pe);
      r++;
      if (nextShared === pe) nextShared = shared.shift();
    }
  }
  return out;
}

// --- removeItems -----------------------------------------------------------------------------------------------

/** A copy of value without the nodes `set` names as members (a member drops its whole subtree). */
export function removeItems(value: Json, set: PathSet, ref: Ref, path: Path = []): Json {
  if (Array.isArray(value)) {
    if (listType(ref) === 'atomic') return value;
    const out: Json[] = [];
    value.forEach((item, i) => {
      const pe = itemElement(ref, item, pathText(path), i);
      if (set.members.has(pe)) return;
      const sub = child(set, pe);
      out.push(sub ? removeItems(item, sub, elementRef(ref), [...path, pe]) : item);
    });
    return out;
  }
  if (isObject(value)) {
    if (mapIsAtomic(ref)) return value;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const pe = fieldElement(k);
      if (set.members.has(pe)) continue;
      const sub = child(set, pe);
      setOwn(out, k, sub ? (removeItems(v, sub, fieldRef(ref, k), [...path, pe]) as Json) : v);
    }
    return out;
  }
  return value;
}
