// Renders OpenAPI v3.0 documents, one per group version, as upstream serves at /openapi/v3/apis/<group>/<version>:
// the resources' paths plus the component schemas those paths reach.
import { renderPaths, type Operation, type Param, type PathItem } from './paths.ts';
import type { Schema, SchemaSet } from './schema.ts';
import { closure, v3RefPrefix } from './schema.ts';

const mediaTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json'];

export const securitySchemes = {
  BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' },
};

function param(p: Param): object {
  return {
    description: p.description, in: p.in, name: p.name, ...(p.required ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

function content(types: string[], schema: string): Record<string, { schema: Schema }> {
  const out: Record<string, { schema: Schema }> = {};
  for (const t of types) out[t] = { schema: { $ref: v3RefPrefix + schema } };
  return out;
}

function operation(o: Operation): object {
  const out: Record<string, unknown> = { description: o.description, operationId: o.operationId };
  if (o.params.length > 0) out.parameters = o.params.map(param);
  if (o.body) {
    out.requestBody = {
      content: content(o.body.patch ? patchTypes : ['*/*'], o.body.schema),
      ...(o.body.required ? { required: true } : {}),
    };
  }
  const responses: Record<string, unknown> = {};
  for (const r of o.responses) responses[r.code] = { content: content(mediaTypes, r.schema), description: r.description };
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out.tags = [o.tag];
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk.kind) out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

/** Schema names the operations of these paths use, as roots for the document's components. */
export function pathSchemas(items: PathItem[]): Set<string> {
  const out = new Set<string>();
  for (const item of items) {
    for (const o of item.ops) {
      if (o.body) out.add(o.body.schema);
      for (const r of o.responses) out.add(r.schema);
    }
  }
  return out;
}

export function v3Document(items: PathItem[], schemas: SchemaSet): object {
  const paths = renderPaths(items, operation, param);
  return {
    components: { schemas: closure(schemas, pathSchemas(items)), securitySchemes },
    info: { title: 'Kubernetes', version: 'unversioned' },
    openapi: '3.0.0',
    paths,
    security: [{ BearerToken: [] }],
  };
}
