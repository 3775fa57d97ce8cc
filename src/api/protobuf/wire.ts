// Message bytes <-> the JSON form Kubernetes uses, driven by the protobufjs reflection types of ./registry.ts.
// Decoding mirrors what Go does (unmarshal into the typed struct, then marshal to JSON): absent fields stay
// absent, zero scalars of non-pointer fields are dropped (Go writes them always, JSON omits them), present
// messages become objects ({} when empty), and the apimachinery types get their JSON shapes:
// Time -> RFC3339 seconds, MicroTime -> RFC3339 with microseconds, Quantity -> string, IntOrString -> number or
// string, FieldsV1 -> its JSON, bytes -> base64. Unknown field numbers are skipped. Errors are WireError.
import protobuf from 'protobufjs';
import { parseJson } from '../decode/body.ts';

export type Json = Record<string, unknown>;

export class WireError extends Error {}

export const META = '.k8s.io.apimachinery.pkg.apis.meta.v1.';
export const TIME = `${META}Time`;
export const MICRO_TIME = `${META}MicroTime`;
export const FIELDS_V1 = `${META}FieldsV1`;
export const QUANTITY = '.k8s.io.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = '.k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const MAX_DEPTH = 100;

const isPtr = (f: protobuf.Field): boolean => f.options?.['(ptr)'] === true;
const isInline = (f: protobuf.Field): boolean => f.options?.['(inline)'] === true;
const messageOf = (f: protobuf.FieldBase): protobuf.Type | null =>
  f.resolvedType instanceof protobuf.Type ? f.resolvedType : null;

/** Wire type each scalar is written with. */
function wireTypeOf(type: string): number {
  switch (type) {
    case 'string': case 'bytes': return 2;
    case 'int32': case 'int64': case 'uint32': case 'uint64': case 'bool': return 0;
    default: throw new WireError(`unsupported scalar type ${type}`);
  }
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  return (v as { toNumber(): number }).toNumber();
}

function readScalar(r: protobuf.Reader, type: string): unknown {
  switch (type) {
    case 'string': return r.string();
    case 'bytes': return Buffer.from(r.bytes()).toString('base64');
    case 'int32': return r.int32();
    case 'uint32': return r.uint32();
    case 'int64': return toNumber(r.int64());
    case 'uint64': return toNumber(r.uint64());
    case 'bool': return r.bool();
    default: throw new WireError(`unsupported scalar type ${type}`);
  }
}

/** Raw field values by name, in wire order; no JSON shaping yet. */
function readFields(type: protobuf.Type, bytes: Uint8Array, depth: number): Json {
  if (depth > MAX_DEPTH) throw new WireError('message nesting too deep');
  const r = protobuf.Reader.create(bytes);
  const out: Json = {};
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wt = tag & 7;
    if (id === 0) throw new WireError(`invalid field number 0 in ${type.name}`);
    const f = type.fieldsById[id];
    if (!f) {
      r.skipType(wt);
      continue;
    }
    if (f instanceof protobuf.MapField) {
      expectWireType(f, wt, 2);
      const [k, v] = readMapEntry(f, r.bytes(), depth + 1);
      // A map key is data: it must never become an assignment to the object's prototype.
      if (k === '__proto__') throw new WireError(`map ${f.name} has the key "__proto__", which is not accepted`);
      const m = (out[f.name] ??= {}) as Json;
      m[k] = v;
    } else if (f.repeated) {
      const list = (out[f.name] ??= []) as unknown[];
      if (wt === 2 && !messageOf(f) && wireTypeOf(f.type) === 0) {
        const end = r.uint32() + r.pos;
        if (end > r.len) throw new WireError(`truncated packed field ${f.name}`);
        while (r.pos < end) list.push(readScalar(r, f.type));
        if (r.pos !== end) throw new WireError(`malformed packed field ${f.name}`);
      } else {
        list.push(readValue(r, f, wt, depth));
      }
    } else {
      out[f.name] = readValue(r, f, wt, depth);
    }
  }
  return out;
}

function expectWireType(f: protobuf.FieldBase, got: number, want: number): void {
  if (got !== want) throw new WireError(`field ${f.name} has wire type ${got}, expected ${want}`);
}

function readValue(r: protobuf.Reader, f: protobuf.Field, wt: number, depth: number): unknown {
  const msg = messageOf(f);
  if (msg) {
    expectWireType(f, wt, 2);
    return readMessage(msg, r.bytes(), depth + 1);
  }
  expectWireType(f, wt, wireTypeOf(f.type));
  return readScalar(r, f.type);
}

function readMapEntry(f: protobuf.MapField, bytes: Uint8Array, depth: number): [string, unknown] {
  const r = protobuf.Reader.create(bytes);
  let key = '';
  let value: unknown;
  const msg = messageOf(f);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wt = tag & 7;
    if (id === 1 && wt === 2) key = r.string();
    else if (id === 2 && msg && wt === 2) value = readMessage(msg, r.bytes(), depth + 1);
    else if (id === 2 && !msg && wt === wireTypeOf(f.type)) value = readScalar(r, f.type);
    else r.skipType(wt);
  }
  if (value === undefined) value = msg ? readMessage(msg, new Uint8Array(0), depth + 1) ?? null : zeroOf(f.type);
  return [key, value];
}

function zeroOf(type: string): unknown {
  return type === 'bool' ? false : type === 'string' || type === 'bytes' ? '' : 0;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function formatTime(seconds: number, micros: number | null): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new WireError(`time out of range: ${seconds}`);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return micros === null ? `${base}Z` : `${base}.${pad(micros, 6)}Z`;
}

/** A message value in its JSON shape; undefined for a zero Time (Go's JSON null). */
function readMessage(type: protobuf.Type, bytes: Uint8Array, depth: number): unknown {
  switch (type.fullName) {
    case TIME:
    case MICRO_TIME: {
      if (bytes.length === 0) return undefined;
      const t = readFields(type, bytes, depth);
      const seconds = (t.seconds as number | undefined) ?? 0;
      // metav1.Time drops nanos on decode; MicroTime keeps microseconds.
      const nanos = (t.nanos as number | undefined) ?? 0;
      if (nanos < 0 || nanos > 999_999_999) throw new WireError(`nanos out of range: ${nanos}`);
      return formatTime(seconds, type.fullName === TIME ? null : Math.floor(nanos / 1000));
    }
    case QUANTITY: {
      const q = readFields(type, bytes, depth);
      return (q.string as string | undefined) || '0';
    }
    case INT_OR_STRING: {
      const v = readFields(type, bytes, depth);
      return v.type === 1 ? ((v.strVal as string | undefined) ?? '') : ((v.intVal as number | undefined) ?? 0);
    }
    case FIELDS_V1: {
      const raw = readFields(type, bytes, depth).Raw as string | undefined;
      if (!raw) return {};
      try {
        return parseJson(Buffer.from(raw, 'base64'));
      } catch {
        throw new WireError('fieldsV1 is not valid JSON');
      }
    }
    default:
      return shape(type, readFields(type, bytes, depth));
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

/** Orders fields as the Go struct declares them, expands inline fields and drops what Go's JSON omits. */
function shape(type: protobuf.Type, raw: Json): Json {
  const out: Json = {};
  for (const f of type.fieldsArray) {
    const v = raw[f.name];
    if (v === undefined) continue;
    if (f.map) {
      if (Object.keys(v as Json).length > 0) out[f.name] = v;
    } else if (f.repeated) {
      if ((v as unknown[]).length > 0) out[f.name] = (v as unknown[]).map((x) => x ?? null);
    } else if (isInline(f)) {
      Object.assign(out, v as Json);
    } else if (isPtr(f) || !isZero(v)) {
      out[f.name] = v;
    }
  }
  return out;
}

/** Decodes one message's bytes to its JSON object. */
export function decodeMessage(type: protobuf.Type, bytes: Uint8Array): Json {
  const v = readMessage(type, bytes, 0);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new WireError(`${type.name} is not an object`);
  return v as Json;
}
