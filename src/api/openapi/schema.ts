// The shape of one OpenAPI schema as Skiff stores and serves it. Stored schemas are in OpenAPI v3 form
// (`#/components/schemas/<name>` references, a described reference wrapped in `allOf`); v2.ts rewrites them.

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface Schema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema;
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-int-or-string'?: boolean;
}

/** All component schemas, keyed by upstream's dotted name (`io.k8s.api.apps.v1.Deployment`). */
export type SchemaSet = Record<string, Schema>;

export const v3RefPrefix = '#/components/schemas/';

export function refName(ref: string): string {
  const i = ref.lastIndexOf('/');
  return i < 0 ? ref : ref.slice(i + 1);
}

/** Every schema name a schema refers to, directly or through nested properties and items. */
export function refsOf(schema: Schema, out: Set<string> = new Set()): Set<string> {
  if (schema.$ref) out.add(refName(schema.$ref));
  for (const s of schema.allOf ?? []) refsOf(s, out);
  for (const s of schema.oneOf ?? []) refsOf(s, out);
  for (const s of Object.values(schema.properties ?? {})) refsOf(s, out);
  if (schema.items) refsOf(schema.items, out);
  if (schema.additionalProperties) refsOf(schema.additionalProperties, out);
  return out;
}

/** The named schemas plus everything they reach, in name order (so documents are stable byte for byte). */
export function closure(all: SchemaSet, roots: Iterable<string>): SchemaSet {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (seen.has(name) || !all[name]) continue;
    seen.add(name);
    for (const r of refsOf(all[name])) stack.push(r);
  }
  const out: SchemaSet = {};
  for (const name of [...seen].sort()) out[name] = all[name];
  return out;
}
