// How kube-apiserver's Go decoder names types and words type errors, for the typed decode in
// src/control-plane/apiserver/field-validation.ts. Facts carried over from encoding/json (UnmarshalTypeError:
// `json: cannot unmarshal <what> into Go struct field <Struct>.<path> of type <T>`, where <path> joins the field
// names from the root — map keys and list indices are not part of it) and from the custom unmarshalers of
// intstr.IntOrString, resource.Quantity and metav1.Time, whose errors carry no field context.
import type { Schema } from '../openapi/schema.ts';

/** Schema names whose JSON form is decided by a custom Go UnmarshalJSON rather than by the schema. */
export const special = {
  intOrString: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  time: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  microTime: 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  rawExtension: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
  fieldsV1: 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
} as const;

/** "io.k8s.api.core.v1.PodSpec" -> "v1.PodSpec": Go's package-qualified type name. */
export function goNamed(schemaName: string): string {
  const parts = schemaName.split('.');
  return parts.length >= 2 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : schemaName;
}

/** "io.k8s.api.core.v1.PodSpec" -> "PodSpec": the struct name an UnmarshalTypeError reports. */
export function goStructName(schemaName: string): string {
  return schemaName.slice(schemaName.lastIndexOf('.') + 1);
}

/** Go's name for the type a schema describes (pointers are dereferenced, as the decoder reports them). */
export function goTypeOf(schema: Schema, name: string | undefined, elem: (s: Schema) => string): string {
  if (name === special.intOrString) return 'intstr.IntOrString';
  if (name === special.quantity) return 'resource.Quantity';
  if (name) return goNamed(name);
  switch (schema.type) {
    case 'string':
      return schema.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return schema.format === 'int64' ? 'int64' : schema.format === 'int32' ? 'int32' : 'int';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'array':
      return `[]${schema.items ? elem(schema.items) : 'interface {}'}`;
    case 'object':
      return `map[string]${schema.additionalProperties ? elem(schema.additionalProperties) : 'interface {}'}`;
    default:
      return 'interface {}';
  }
}

/** The JSON kind Go names in "cannot unmarshal <kind>". */
export function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'object':
      return 'object';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'string';
  }
}

const int32Range = [-2147483648, 2147483647];
const int64Range = [-9223372036854775808, 9223372036854775807];

/** Go's literal text of a number (`number 1.5`, `number 1e+400`) in an integer/float error. */
function numberText(n: number): string {
  if (n === Infinity) return 'number 1e+400';
  if (n === -Infinity) return 'number -1e+400';
  return `number ${String(n)}`;
}

/** Whether a number fits the integer type; otherwise the "<what>" part of Go's error. */
export function integerProblem(n: number, format: string | undefined): string | undefined {
  if (!Number.isFinite(n) || !Number.isInteger(n)) return numberText(n);
  const [lo, hi] = format === 'int32' ? int32Range : int64Range;
  return n < lo || n > hi ? numberText(n) : undefined;
}

export function floatProblem(n: number): string | undefined {
  return Number.isFinite(n) ? undefined : numberText(n);
}

const quantityPattern = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const quantitySuffixes = new Set(['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E']);

/** resource.ParseQuantity's error for a JSON value, or undefined when it parses. */
const commonQuantity = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

export function quantityProblem(v: unknown): string | undefined {
  if (typeof v === 'number' ? Number.isFinite(v) && v >= 0 : typeof v === 'string' && commonQuantity.test(v)) return undefined;
  const text = typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? '';
  const m = quantityPattern.exec(text);
  if (!m) return "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  if ((m[1].match(/\./g) ?? []).length > 1 || m[1].replace(/^[+-]/, '') === '.') return 'unable to parse numeric part of quantity';
  const suffix = m[2];
  if (!quantitySuffixes.has(suffix) && !/^[eE][-+]?[0-9]+$/.test(suffix)) return "unable to parse quantity's suffix";
  return undefined;
}

/** metav1.Time's UnmarshalJSON: a string in RFC 3339, or null. */
export function timeProblem(v: unknown, micro: boolean): string | undefined {
  if (typeof v !== 'string') return `json: cannot unmarshal ${jsonKind(v)} into Go value of type string`;
  const layout = micro ? '2006-01-02T15:04:05.000000Z07:00' : '2006-01-02T15:04:05Z07:00';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v))) return undefined;
  return `parsing time ${JSON.stringify(v)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(v)} as "2006"`;
}

/** intstr.IntOrString's UnmarshalJSON: a string, or an int32 decoded by encoding/json. */
export function intOrStringProblem(v: unknown): string | undefined {
  if (typeof v === 'string') return undefined;
  if (typeof v === 'number') {
    const p = integerProblem(v, 'int32');
    return p ? `json: cannot unmarshal ${p} into Go value of type int32` : undefined;
  }
  return `json: cannot unmarshal ${jsonKind(v)} into Go value of type int32`;
}

/** encoding/base64 (StdEncoding) as Go decodes a []byte field. */
export function base64Problem(v: string): string | undefined {
  const bad = v.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return `illegal base64 data at input byte ${bad}`;
  const pad = v.indexOf('=');
  if (pad >= 0 && (!/^=={0,1}$/.test(v.slice(pad)) || v.length % 4 !== 0)) return `illegal base64 data at input byte ${pad}`;
  if (v.length % 4 !== 0) return `illegal base64 data at input byte ${v.length - (v.length % 4)}`;
  return undefined;
}
