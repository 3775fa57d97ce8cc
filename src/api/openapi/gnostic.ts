// Encodes an OpenAPI v2 JSON document as gnostic's `openapi.v2.Document` protobuf, the only form kubectl 1.27/1.28
// accept from /openapi/v2 (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf). Only the messages
// and fields Skiff's documents use are declared; field numbers are those of gnostic's openapiv2/OpenAPIv2.proto.
// Vendor extensions travel as YAML text (JSON is valid YAML), as gnostic stores them.
import protobuf from 'protobufjs';

type Fields = Record<string, { id: number; type: string; rule?: 'repeated' }>;

const str = (id: number) => ({ id, type: 'string' });
const strs = (id: number) => ({ id, type: 'string', rule: 'repeated' as const });
const msg = (id: number, type: string) => ({ id, type });
const msgs = (id: number, type: string) => ({ id, type, rule: 'repeated' as const });
const bool = (id: number) => ({ id, type: 'bool' });

const messages: Record<string, Fields> = {
  Document: {
    swagger: str(1), info: msg(2, 'Info'), consumes: strs(6), produces: strs(7), paths: msg(8, 'Paths'),
    definitions: msg(9, 'Definitions'), vendorExtension: msgs(16, 'NamedAny'),
  },
  Info: { title: str(1), version: str(2), description: str(3) },
  Paths: { vendorExtension: msgs(1, 'NamedAny'), path: msgs(2, 'NamedPathItem') },
  NamedPathItem: { name: str(1), value: msg(2, 'PathItem') },
  PathItem: {
    get: msg(2, 'Operation'), put: msg(3, 'Operation'), post: msg(4, 'Operation'), delete: msg(5, 'Operation'),
    patch: msg(8, 'Operation'), parameters: msgs(9, 'ParametersItem'), vendorExtension: msgs(10, 'NamedAny'),
  },
  Operation: {
    tags: strs(1), description: str(3), operationId: str(5), produces: strs(6), consumes: strs(7),
    parameters: msgs(8, 'ParametersItem'), responses: msg(9, 'Responses'), schemes: strs(10),
    vendorExtension: msgs(13, 'NamedAny'),
  },
  ParametersItem: { parameter: msg(1, 'Parameter') },
  Parameter: { bodyParameter: msg(1, 'BodyParameter'), nonBodyParameter: msg(2, 'NonBodyParameter') },
  BodyParameter: { description: str(1), name: str(2), in: str(3), required: bool(4), schema: msg(5, 'Schema') },
  NonBodyParameter: {
    queryParameterSubSchema: msg(3, 'QueryParameterSubSchema'), pathParameterSubSchema: msg(4, 'PathParameterSubSchema'),
  },
  QueryParameterSubSchema: {
    required: bool(1), in: str(2), description: str(3), name: str(4), type: str(6), uniqueItems: bool(20),
  },
  PathParameterSubSchema: {
    required: bool(1), in: str(2), description: str(3), name: str(4), type: str(5), uniqueItems: bool(19),
  },
  Responses: { responseCode: msgs(1, 'NamedResponseValue') },
  NamedResponseValue: { name: str(1), value: msg(2, 'ResponseValue') },
  ResponseValue: { response: msg(1, 'Response') },
  Response: { description: str(1), schema: msg(2, 'SchemaItem') },
  SchemaItem: { schema: msg(1, 'Schema') },
  Schema: {
    ref: str(1), format: str(2), description: str(4), required: strs(19),
    additionalProperties: msg(21, 'AdditionalPropertiesItem'), type: msg(22, 'TypeItem'), items: msg(23, 'ItemsItem'),
    properties: msg(25, 'Properties'), vendorExtension: msgs(31, 'NamedAny'),
  },
  AdditionalPropertiesItem: { schema: msg(1, 'Schema'), boolean: bool(2) },
  TypeItem: { value: strs(1) },
  ItemsItem: { schema: msgs(1, 'Schema') },
  Properties: { additionalProperties: msgs(1, 'NamedSchema') },
  Definitions: { additionalProperties: msgs(1, 'NamedSchema') },
  NamedSchema: { name: str(1), value: msg(2, 'Schema') },
  NamedAny: { name: str(1), value: msg(2, 'Any') },
  Any: { yaml: str(2) },
};

const nested: Record<string, { fields: Fields }> = {};
for (const [name, fields] of Object.entries(messages)) nested[name] = { fields };
const documentType = protobuf.Root.fromJSON({ nested: { openapi: { nested: { v2: { nested } } } } })
  .lookupType('openapi.v2.Document');

type Json = Record<string, unknown>;

function extensions(o: Json): Json[] {
  return Object.keys(o).filter((k) => k.startsWith('x-'))
    .map((k) => ({ name: k, value: { yaml: `${JSON.stringify(o[k])}\n` } }));
}

function schema(s: Json): Json {
  const out: Json = {};
  if (typeof s.$ref === 'string') out.ref = s.$ref;
  if (typeof s.format === 'string') out.format = s.format;
  if (typeof s.description === 'string') out.description = s.description;
  if (Array.isArray(s.required)) out.required = s.required;
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    out.additionalProperties = { schema: schema(s.additionalProperties as Json) };
  }
  if (typeof s.type === 'string') out.type = { value: [s.type] };
  if (s.items && typeof s.items === 'object') out.items = { schema: [schema(s.items as Json)] };
  if (s.properties && typeof s.properties === 'object') {
    out.properties = { additionalProperties: Object.entries(s.properties as Record<string, Json>)
      .map(([name, p]) => ({ name, value: schema(p) })) };
  }
  const ext = extensions(s);
  if (ext.length > 0) out.vendorExtension = ext;
  return out;
}

function parameter(p: Json): Json {
  if (p.in === 'body') {
    return { parameter: { bodyParameter: {
      name: p.name, in: 'body', required: p.required === true, schema: schema(p.schema as Json),
    } } };
  }
  const sub = { required: p.required === true, in: p.in, description: p.description, name: p.name, type: p.type,
    uniqueItems: p.uniqueItems === true };
  return { parameter: { nonBodyParameter: p.in === 'path' ? { pathParameterSubSchema: sub } : { queryParameterSubSchema: sub } } };
}

function operation(o: Json): Json {
  const responses = Object.entries((o.responses ?? {}) as Record<string, Json>).map(([name, r]) => ({
    name,
    value: { response: { description: r.description, ...(r.schema ? { schema: { schema: schema(r.schema as Json) } } : {}) } },
  }));
  return {
    tags: o.tags, description: o.description, operationId: o.operationId, produces: o.produces, consumes: o.consumes,
    parameters: ((o.parameters ?? []) as Json[]).map(parameter), responses: { responseCode: responses },
    schemes: o.schemes, vendorExtension: extensions(o),
  };
}

/** The protobuf bytes of a v2 document built by v2Document(). */
export function encodeV2Document(doc: Json): Buffer {
  const paths = Object.entries((doc.paths ?? {}) as Record<string, Json>).map(([name, item]) => {
    const value: Json = {};
    for (const m of ['get', 'put', 'post', 'delete', 'patch']) if (item[m]) value[m] = operation(item[m] as Json);
    if (Array.isArray(item.parameters)) value.parameters = (item.parameters as Json[]).map(parameter);
    return { name, value };
  });
  const definitions = Object.entries((doc.definitions ?? {}) as Record<string, Json>)
    .map(([name, s]) => ({ name, value: schema(s) }));
  const message = documentType.fromObject({
    swagger: doc.swagger, info: doc.info, paths: { path: paths }, definitions: { additionalProperties: definitions },
  });
  return Buffer.from(documentType.encode(message).finish());
}

/** Decodes bytes written by encodeV2Document (for tests and debugging). */
export function decodeV2Document(bytes: Uint8Array): Json {
  return documentType.toObject(documentType.decode(bytes), { defaults: false }) as Json;
}
