// Canonical JSON for comparisons and hashes that must not depend on key order: object keys sorted, and null,
// empty-list and empty-object members dropped (upstream's semantic equality treats nil and empty alike). Shared by
// the Deployment controller (pod-template-hash, status no-op checks) and the EndpointSlice planner (port-set keys).

/**
 * JSON with object keys sorted and null, empty-list and empty-object members dropped, so templates that are equal
 * as the API means it (upstream's semantic equality, where nil and empty are the same) hash and compare equal.
 * kubectl rollout undo, for one, sends `creationTimestamp: null` in the template it restores.
 */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(normalize(v)) ?? 'null';
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = normalize((v as Record<string, unknown>)[k]);
      if (x === undefined || x === null) continue;
      if (Array.isArray(x) && x.length === 0) continue;
      if (typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0) continue;
      out[k] = x;
    }
    return out;
  }
  return v;
}
