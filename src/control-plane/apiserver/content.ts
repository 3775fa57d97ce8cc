// Request and response formats, and the one decoding boundary for request bodies. Bodies arrive as JSON, YAML or
// Kubernetes protobuf (the `k8s\0` envelope); decodeObject turns one into a KubeObject the way kube-apiserver's
// decoder does, in its order and with its words:
//   1. syntax (src/api/decode/body.ts: depth limit, prototype keys, YAML aliases/tags) — a failure is
//      `the object provided is unrecognized (must be of type Pod): <why> (<first bytes>)`;
//   2. apiVersion/kind read from the body (defaults from the URL); a body of another kind is
//      `Pod in version "v1" cannot be handled as a Namespace: converting (v1.Pod) to (core.Namespace): unknown conversion`;
//   3. the typed decode against the served OpenAPI schema (field-validation.ts SchemaWalker) — a value of the
//      wrong JSON type is `ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal …`.
// Everything after this boundary (defaulting, validation, merges) may trust the declared types.
// Responses are JSON, shaped as a Table or PartialObjectMetadata when the Accept header asks for it.
import { ApiError } from '../../api/errors.ts';
import { parseApiVersion, type KubeObject } from '../../api/object.ts';
import { decodeK8sProtobuf } from '../../api/protobuf/index.ts';
import { resources } from '../../api/resources.ts';
import { loadSchemas } from '../../api/openapi/load.ts';
import { DecodeError, assertNoPrototypeKeys, nestingDepth, parseJson, parseYaml } from '../../api/decode/body.ts';
import { maxNestingDepth } from '../../api/decode/go-json.ts';
import { SchemaWalker } from './field-validation.ts';

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

export interface DecodeTarget {
  apiVersion: string;
  kind: string;
}

export interface DecodeOptions {
  /** fieldValidation=Strict: duplicate keys are refused as upstream's strict decoding refuses them. */
  strict?: boolean;
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function bodyFormat(contentType: string | undefined): BodyFormat {
  const mt = mediaType(contentType);
  if (mt === 'application/json' || mt === '') return 'json';
  if (mt === 'application/yaml' || mt === 'application/apply-patch+yaml') return 'yaml';
  if (mt === 'application/vnd.kubernetes.protobuf') return 'protobuf';
  throw ApiError.unsupportedMediaType(contentType ?? '');
}

let walker: SchemaWalker | undefined;
/** The walker over the schemas the server serves (loadSchemas caches them, so this shares the server's copy). */
export function typedWalker(): SchemaWalker {
  return (walker ??= new SchemaWalker(loadSchemas(resources)));
}

/** Bench only: `SKIFF_BENCH_SKIP_TYPED_DECODE=1` measures create throughput without the typed decode. */
const skipTyped = process.env.SKIFF_BENCH_SKIP_TYPED_DECODE === '1';

/** upstream's summarizeData: the first 30 bytes, as text for a JSON object, else in hex. */
function summarize(body: Uint8Array): string {
  if (body.length === 0) return '<empty>';
  const head = Buffer.from(body.subarray(0, 30));
  const text = body[0] === 0x7b ? head.toString('utf8') : head.toString('hex');
  return body.length > 30 ? `${text} ...` : text;
}

function unrecognized(target: DecodeTarget, why: string, body: Uint8Array): ApiError {
  return ApiError.badRequest(`the object provided is unrecognized (must be of type ${target.kind}): ${why} (${summarize(body)})`);
}

const findKindType = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/** Bytes -> plain data, or the ApiError upstream gives for a body it cannot read at all. */
export function decodeValue(body: Buffer, format: BodyFormat, target: DecodeTarget, opts: DecodeOptions = {}): unknown {
  if (format === 'protobuf') {
    const obj = decodeK8sProtobuf(body);
    if (nestingDepth(obj) > maxNestingDepth) throw unrecognized(target, `exceeded max depth of ${maxNestingDepth}`, body);
    try {
      assertNoPrototypeKeys(obj);
    } catch (e) {
      throw unrecognized(target, (e as Error).message, body);
    }
    return obj;
  }
  try {
    return format === 'json' ? parseJson(body, { duplicates: opts.strict }) : parseYaml(body.toString('utf8'), { duplicates: opts.strict });
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    // Repeated keys are upstream's strict decoding errors, not decode failures.
    if (e.message.startsWith('json: duplicate field ')) throw ApiError.badRequest(`strict decoding error: ${e.message.slice(6)}`);
    if (e.message.startsWith('yaml: unmarshal errors:')) throw ApiError.badRequest(`strict decoding error: ${e.message}`);
    throw unrecognized(target, format === 'json' ? `couldn't get version/kind; json parse error: ${e.message}` : e.message, body);
  }
}

/** Go's internal package for a group: the one kube-apiserver converts every version of it into. */
function internalPackage(group: string): string {
  if (group === '' || group === 'events.k8s.io') return 'core';
  return group.split('.')[0];
}

function registered(apiVersion: string, kind: string): boolean {
  const { group, version } = parseApiVersion(apiVersion);
  return resources.some((r) => r.group === group && r.version === version && r.kind === kind) ||
    ['Status', 'DeleteOptions', 'Scale', 'Binding', 'Eviction', 'List', 'TokenRequest'].includes(kind);
}

/** Decodes an object body meant to be a `target`, as kube-apiserver's create/update decoding does. */
export function decodeObject(body: Buffer, format: BodyFormat, target: DecodeTarget, opts: DecodeOptions = {}): KubeObject {
  const value = decodeValue(body, format, target, opts) ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw unrecognized(target, `couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value} into Go value of type ${findKindType}`, body);
  }
  const obj = value as KubeObject;
  for (const field of ['apiVersion', 'kind'] as const) {
    const v: unknown = obj[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      const what = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
      throw unrecognized(target, `couldn't get version/kind; json parse error: json: cannot unmarshal ${what} into Go struct field .${field} of type string`, body);
    }
  }
  const kind = obj.kind || target.kind;
  const apiVersion = obj.apiVersion || target.apiVersion;
  if (kind !== target.kind) {
    if (!registered(apiVersion, kind)) {
      throw handledAs(apiVersion, kind, target, `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "pkg/api/legacyscheme/scheme.go:30"`);
    }
    const to = `${internalPackage(parseApiVersion(target.apiVersion).group)}.${target.kind}`;
    throw handledAs(apiVersion, kind, target, `converting (${parseApiVersion(apiVersion).version}.${kind}) to (${to}): unknown conversion`);
  }
  if (!skipTyped) {
    const w = typedWalker();
    const key = `${apiVersion}/${kind}`;
    const problem = w.typeError(w.knows(key) ? key : `${target.apiVersion}/${target.kind}`, obj);
    if (problem) throw handledAs(apiVersion, kind, target, problem);
  }
  return obj;
}

/** upstream's transformDecodeError once the body's kind is known. */
function handledAs(apiVersion: string, kind: string, target: DecodeTarget, why: string): ApiError {
  const { version } = parseApiVersion(apiVersion);
  return ApiError.badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${target.kind}: ${why}`);
}

/** The typed check of an object produced by a patch: upstream's 422 naming the field "patch". */
export function checkPatchedTypes(kindKey: string, patched: KubeObject): void {
  if (skipTyped) return;
  const problem = typedWalker().typeError(kindKey, patched);
  if (problem) {
    throw ApiError.invalid('', '', '', [{ type: 'FieldValueInvalid', field: 'patch', value: JSON.stringify(patched), detail: problem }]);
  }
}

/** The typed check of a server-side apply configuration: upstream fails to build its typed patch object. */
export function checkAppliedTypes(kindKey: string, applied: KubeObject): void {
  if (skipTyped) return;
  const problem = typedWalker().typeError(kindKey, applied);
  if (!problem) return;
  const slash = kindKey.lastIndexOf('/');
  const { group, version } = parseApiVersion(kindKey.slice(0, slash));
  throw ApiError.badRequest(`failed to create typed patch object (${group}/${version}, Kind=${kindKey.slice(slash + 1)}): ${problem}`);
}

/** DeleteOptions from a DELETE body (an empty body is no options); type errors are 400s. */
export function decodeDeleteOptions(body: Buffer, format: BodyFormat): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  const target = { apiVersion: 'v1', kind: 'DeleteOptions' };
  const value = decodeValue(body, format, target) ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw ApiError.badRequest(`json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type v1.DeleteOptions`);
  }
  const problem = typedWalker().typeErrorOf('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', value);
  if (problem) throw ApiError.badRequest(problem);
  return value as Record<string, unknown>;
}

export type ResponseShape = 'object' | 'table' | 'metadata';

/** What the client asked to receive: a Table, PartialObjectMetadata(List), or the object itself. */
export function responseShape(accept: string | undefined): ResponseShape {
  if (!accept) return 'object';
  for (const clause of accept.split(',')) {
    const params = new Map<string, string>();
    for (const p of clause.split(';').slice(1)) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k && v) params.set(k, v);
    }
    const as = params.get('as');
    const g = params.get('g');
    const v = params.get('v');
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table') return 'table';
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return 'metadata';
  }
  return 'object';
}
