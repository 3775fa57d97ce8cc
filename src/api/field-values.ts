// Builders for selectable field values (upstream's ToSelectableFields): each reads one path of an object as
// the string a field selector compares against. Absent values read as Go's zero value, as upstream.
import type { KubeObject } from './object.ts';
import type { FieldValue } from './strategy.ts';

function at(o: unknown, path: string): unknown {
  let cur = o;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** A string field; absent reads as "". */
export const str = (path: string): FieldValue => (o) => {
  const v = at(o, path);
  return v === undefined || v === null ? '' : String(v);
};
export const bool = (path: string): FieldValue => (o) => String(at(o, path) === true);
export const int = (path: string): FieldValue => (o) => String(typeof at(o, path) === 'number' ? at(o, path) : 0);

/** Selectable fields read straight from their own paths. */
export function fieldsAt(...paths: string[]): Record<string, FieldValue> {
  return Object.fromEntries(paths.map((p) => [p, str(p)]));
}

export function podIPs(o: KubeObject): string {
  const ips = at(o, 'status.podIPs');
  return Array.isArray(ips) ? ips.map((x) => String((x as { ip?: string }).ip ?? '')).join(',') : '';
}
