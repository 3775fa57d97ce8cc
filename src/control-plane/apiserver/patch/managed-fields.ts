// metadata.managedFields as upstream's field manager keeps it: decode entries into per-manager path sets, and
// encode them back (sorted: Apply before Update, then by time, manager, apiVersion, subresource). Managers are
// identified like upstream's BuildManagerIdentifier: manager + operation + subresource, plus apiVersion for Update.
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { findResource } from '../../../api/resources.ts';
import { parseApiVersion } from '../../../api/object.ts';
import { difference, emptySet, fromFieldsV1, insert, isEmpty, toFieldsV1, union, type PathSet } from './fieldpath.ts';

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  /** RFC3339, second precision. */
  time?: string;
  set: PathSet;
}

export function managerId(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.operation === 'Apply' ? '' : e.apiVersion,
    subresource: e.subresource ?? '',
  });
}

export function decodeManagedFields(entries: ManagedFieldsEntry[] | undefined): Map<string, ManagerEntry> {
  const out = new Map<string, ManagerEntry>();
  for (const e of entries ?? []) {
    const entry: ManagerEntry = {
      manager: e.manager ?? '',
      operation: e.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: e.apiVersion ?? '',
      ...(e.subresource ? { subresource: e.subresource } : {}),
      ...(e.time ? { time: e.time } : {}),
      set: fromFieldsV1(e.fieldsV1),
    };
    out.set(managerId(entry), entry);
  }
  return out;
}

function compareStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function encodeManagedFields(managers: Map<string, ManagerEntry>): ManagedFieldsEntry[] {
  const list = [...managers.values()].filter((m) => !isEmpty(m.set));
  list.sort((p, q) =>
    compareStr(p.operation, q.operation) ||
    (p.time ? Date.parse(p.time) : 0) - (q.time ? Date.parse(q.time) : 0) ||
    compareStr(p.manager, q.manager) ||
    compareStr(p.apiVersion, q.apiVersion) ||
    compareStr(p.subresource ?? '', q.subresource ?? ''));
  return list.map((m) => ({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.apiVersion,
    ...(m.time ? { time: m.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(m.set),
    ...(m.subresource ? { subresource: m.subresource } : {}),
  }));
}

/** Upstream's metav1.Time rendering: RFC3339 in UTC, whole seconds. */
export function rfc3339(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Fields never tracked (upstream's stripMeta): identity and bookkeeping written by the server. */
const stripped: string[][] = [
  ['apiVersion'], ['kind'], ['metadata'], ['metadata', 'name'], ['metadata', 'namespace'],
  ['metadata', 'creationTimestamp'], ['metadata', 'selfLink'], ['metadata', 'uid'], ['metadata', 'clusterName'],
  ['metadata', 'generation'], ['metadata', 'managedFields'], ['metadata', 'resourceVersion'],
];
const strippedSet: PathSet = (() => {
  const s = emptySet();
  for (const p of stripped) insert(s, p.map((n) => `f:${n}`));
  return s;
})();

export function stripMeta(s: PathSet): PathSet {
  return difference(s, strippedSet);
}

/**
 * Fields a write may not own (upstream's per-strategy reset fields): through the main resource, `status` of kinds
 * that have a status subresource; through /status, `spec`.
 */
export function resetFields(kindKeyValue: string, apiVersion: string, subresource: string | undefined): PathSet {
  const s = emptySet();
  if (subresource === 'status') {
    insert(s, ['f:spec']);
    return s;
  }
  if (subresource) return s;
  const kind = kindKeyValue.slice(kindKeyValue.lastIndexOf('/') + 1);
  const { group, version } = parseApiVersion(apiVersion);
  const info = findResourceByKind(group, version, kind);
  if (info?.subresources.status) insert(s, ['f:status']);
  return s;
}

function findResourceByKind(group: string, version: string, kind: string) {
  // resources.ts is keyed by plural; the kind's plural is not known here, so try the common spellings.
  const lower = kind.toLowerCase();
  for (const plural of [`${lower}s`, `${lower}es`, lower, lower.replace(/y$/, 'ies')]) {
    const r = findResource(group, version, plural);
    if (r && r.kind === kind) return r;
  }
  return undefined;
}

export function objectApiVersion(obj: KubeObject, kindKeyValue: string): string {
  if (obj.apiVersion) return obj.apiVersion;
  return kindKeyValue.slice(0, kindKeyValue.lastIndexOf('/'));
}

/**
 * Upstream keeps at most 10 Update entries: the oldest are folded, per apiVersion, into one "ancient-changes"
 * entry (which takes the time of the newest entry folded in).
 */
export function capUpdateManagers(managers: Map<string, ManagerEntry>, max = 10): void {
  const updaters = [...managers.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= max) return;
  const seconds = (e: ManagerEntry): number => (e.time ? Math.floor(Date.parse(e.time) / 1000) : 0);
  updaters.sort(([ka, a], [kb, b]) => seconds(a) - seconds(b) || compareStr(ka, kb));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const [id, e] = updaters[i];
    const bucketId = managerId({ manager: 'ancient-changes', operation: 'Update', apiVersion: e.apiVersion });
    const first = firstOfVersion.get(e.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(e.apiVersion, id);
      continue;
    }
    let bucket = managers.get(bucketId);
    if (!bucket) {
      const firstEntry = managers.get(first)!;
      managers.delete(first);
      bucket = { manager: 'ancient-changes', operation: 'Update', apiVersion: e.apiVersion, set: firstEntry.set };
      managers.set(bucketId, bucket);
    }
    bucket.set = union(e.set, bucket.set);
    if (e.time) bucket.time = e.time;
    else delete bucket.time;
    managers.delete(id);
    length--;
  }
}
