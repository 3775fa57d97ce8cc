// JSON object -> message bytes, the inverse of ./wire.ts: the JSON shapes of Time, MicroTime, Quantity,
// IntOrString, FieldsV1 and bytes are turned back into their messages, inline fields are gathered from the
// parent object, repeated scalars are written unpacked (proto2, as Go writes them), and fields absent from the
// JSON are not written. Keys the schema does not know are ignored. A value of the wrong JSON type is a WireError.
import protobuf from 'protobufjs';
import { FIELDS_V1, INT_OR_STRING, RAW_EXTENSION, MICRO_TIME, QUANTITY, TIME, WireError, type Json } from './wire.ts';


const byId = new WeakMap<protobuf.Type, protobuf.Field[]>();
function fieldsInOrder(type: protobuf.Type): protobuf.Field[] {
  let fields = byId.get(type);
  if (!fields) {
    fields = [...type.fieldsArray].sort((a, b) => a.id - b.id);
    byId.set(type, fields);
  }
  return fields;
}

const isInline = (f: protobuf.Field): boolean => f.options?.['(inline)'] === true;
const messageOf = (f: protobuf.FieldBase): protobuf.Type | null =>
  f.resolvedType instanceof protobuf.Type ? f.resolvedType : null;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(path: string, want: string, v: unknown): never {
  throw new WireError(`${path}: expected ${want}, got ${JSON.stringify(v)}`);
}

function writeScalar(w: protobuf.Writer, id: number, type: string, v: unknown, path: string): void {
  switch (type) {
    case 'string':
      if (typeof v !== 'string') fail(path, 'string', v);
      w.uint32((id << 3) | 2).string(v);
      return;
    case 'bytes':
      if (typeof v !== 'string') fail(path, 'base64 string', v);
      w.uint32((id << 3) | 2).bytes(Buffer.from(v, 'base64'));
      return;
    case 'bool':
      if (typeof v !== 'boolean') fail(path, 'boolean', v);
      w.uint32(id << 3).bool(v);
      return;
    case 'int32': case 'int64': case 'uint32': case 'uint64':
      if (typeof v !== 'number' || !Number.isInteger(v)) fail(path, 'integer', v);
      if (type === 'int32') w.uint32(id << 3).int32(v);
      else if (type === 'uint32') w.uint32(id << 3).uint32(v);
      else if (type === 'int64') w.uint32(id << 3).int64(v);
      else w.uint32(id << 3).uint64(v);
      return;
    default:
      throw new WireError(`${path}: unsupported scalar type ${type}`);
  }
}

/** Seconds and nanos of an RFC3339 timestamp, keeping the fraction Date.parse would round. */
function parseTime(v: unknown, path: string): { seconds: number; nanos: number } {
  if (typeof v !== 'string') fail(path, 'RFC3339 time', v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) fail(path, 'RFC3339 time', v);
  const frac = /\.(\d+)/.exec(v.slice(v.indexOf('T')));
  const nanos = frac ? Number(frac[1].slice(0, 9).padEnd(9, '0')) : 0;
  return { seconds: Math.floor(ms / 1000), nanos };
}

function writeMessageBody(w: protobuf.Writer, type: protobuf.Type, v: unknown, path: string): void {
  switch (type.fullName) {
    case TIME:
    case MICRO_TIME: {
      const t = parseTime(v, path);
      w.uint32(1 << 3).int64(t.seconds);
      // metav1.Time travels with whole seconds only; MicroTime carries microseconds in nanos.
      const nanos = type.fullName === MICRO_TIME ? Math.floor(t.nanos / 1000) * 1000 : 0;
      if (nanos) w.uint32(2 << 3).int32(nanos);
      return;
    }
    case QUANTITY:
      if (typeof v !== 'string' && typeof v !== 'number') fail(path, 'quantity', v);
      w.uint32((1 << 3) | 2).string(String(v));
      return;
    case INT_OR_STRING:
      if (typeof v === 'number' && Number.isInteger(v)) {
        w.uint32(1 << 3).int64(0);
        w.uint32(2 << 3).int32(v);
      } else if (typeof v === 'string') {
        w.uint32(1 << 3).int64(1);
        w.uint32((3 << 3) | 2).string(v);
      } else {
        fail(path, 'integer or string', v);
      }
      return;
    case FIELDS_V1:
    case RAW_EXTENSION:
      w.uint32((1 << 3) | 2).bytes(Buffer.from(JSON.stringify(v), 'utf8'));
      return;
    default:
      if (!isObject(v)) fail(path, 'object', v);
      writeFields(w, type, v, path);
  }
}

function writeValue(w: protobuf.Writer, f: protobuf.Field, v: unknown, path: string): void {
  const msg = messageOf(f);
  if (!msg) {
    writeScalar(w, f.id, f.type, v, path);
    return;
  }
  w.uint32((f.id << 3) | 2).fork();
  writeMessageBody(w, msg, v, path);
  w.ldelim();
}

function writeFields(w: protobuf.Writer, type: protobuf.Type, obj: Json, path: string): void {
  for (const f of fieldsInOrder(type)) {
    const msg = messageOf(f);
    if (isInline(f) && msg) {
      w.uint32((f.id << 3) | 2).fork();
      writeFields(w, msg, obj, path);
      w.ldelim();
      continue;
    }
    const v = obj[f.name];
    const at = path ? `${path}.${f.name}` : f.name;
    if (v === undefined || v === null) continue;
    if (f instanceof protobuf.MapField) {
      if (!isObject(v)) fail(at, 'object', v);
      for (const [key, item] of Object.entries(v)) {
        if (item === null && msg) continue;
        w.uint32((f.id << 3) | 2).fork();
        w.uint32((1 << 3) | 2).string(key);
        if (msg) {
          w.uint32((2 << 3) | 2).fork();
          writeMessageBody(w, msg, item, `${at}[${key}]`);
          w.ldelim();
        } else {
          writeScalar(w, 2, f.type, item, `${at}[${key}]`);
        }
        w.ldelim();
      }
    } else if (f.repeated) {
      if (!Array.isArray(v)) fail(at, 'array', v);
      v.forEach((item, i) => writeValue(w, f, item, `${at}[${i}]`));
    } else {
      writeValue(w, f, v, at);
    }
  }
}

/** Encodes a JSON object as the given message. */
export function encodeMessage(type: protobuf.Type, obj: Json): Uint8Array {
  const w = protobuf.Writer.create();
  writeFields(w, type, obj, '');
  return w.finish();
}
