// Renders the single OpenAPI v2 (Swagger 2.0) document upstream serves at /openapi/v2: every path of every served
// resource and `definitions` in v2 form (`#/definitions/` references with siblings beside `$ref`, no `oneOf`).
import { renderPaths, type Operation, type Param, type PathItem } from './paths.ts';
import type { Schema, SchemaSet } from './schema.ts';
import { closure, refName } from './schema.ts';
import { pathSchemas } from './v3.ts';

export const v2RefPrefix = '#/definitions/';

const produces = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const patchTypes = ['application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** One stored (v3-form) schema in v2 form. */
export function toV2Schema(s: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s) as [keyof Schema, unknown][]) {
    if (v === undefined) continue;
    switch (k) {
      case 'allOf': {
        const only = s.allOf?.length === 1 ? s.allOf[0] : undefined;
        if (only?.$ref) out.$ref = v2RefPrefix + refName(only.$ref);
        break;
      }
      case '$ref':
        out.$ref = v2RefPrefix + refName(s.$ref as string);
        break;
      case 'oneOf':
        // v2 has no oneOf: int-or-string and quantities travel as strings, as upstream's v2 document says.
        if (!s.type) out.type = 'string';
        break;
      case 'properties': {
        const props: Record<string, Schema> = {};
        for (const [name, p] of Object.entries(s.properties ?? {})) props[name] = toV2Schema(p);
        out.properties = props;
        break;
      }
      case 'items':
      case 'additionalProperties':
        out[k] = toV2Schema(v as Schema);
        break;
      default:
        (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

function param(p: Param): object {
  return {
    description: p.description, in: p.in, name: p.name, ...(p.required ? { required: true } : {}),
    type: p.type, uniqueItems: true,
  };
}

function operation(o: Operation): object {
  const params: object[] = [];
  if (o.body) {
    params.push({ in: 'body', name: 'body', ...(o.body.required ? { required: true } : {}),
      schema: { $ref: v2RefPrefix + o.body.schema } });
  }
  params.push(...o.params.map(param));
  const responses: Record<string, object> = {};
  for (const r of o.responses) responses[r.code] = { description: r.description, schema: { $ref: v2RefPrefix + r.schema } };
  responses['401'] = { description: 'Unauthorized' };
  return {
    consumes: o.body?.patch ? patchTypes : ['*/*'],
    description: o.description,
    operationId: o.operationId,
    ...(params.length > 0 ? { parameters: params } : {}),
    produces,
    responses,
    schemes: ['https'],
    tags: [o.tag],
    ...(o.action ? { 'x-kubernetes-action': o.action } : {}),
    ...(o.gvk.kind ? { 'x-kubernetes-group-version-kind': o.gvk } : {}),
  };
}

export function v2Document(items: PathItem[], schemas: SchemaSet): object {
  const paths = renderPaths(items, operation, param);
  const definitions: Record<string, Schema> = {};
  for (const [name, s] of Object.entries(closure(schemas, pathSchemas(items)))) definitions[name] = toV2Schema(s);
  return {
    definitions,
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    security: [{ BearerToken: [] }],
    securityDefinitions: {
      BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' },
    },
    swagger: '2.0',
  };
}
