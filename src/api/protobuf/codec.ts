// The Kubernetes protobuf envelope (Content-Type application/vnd.kubernetes.protobuf): the magic bytes "k8s\0"
// followed by a runtime.Unknown {typeMeta{apiVersion=1, kind=2}=1, raw=2, contentEncoding=3, contentType=4}
// whose raw field is the object's message. decodeK8sProtobuf gives the object in its JSON form with apiVersion
// and kind from the envelope; every malformed, truncated or unknown input is an ApiError 400.
import protobuf from 'protobufjs';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { messageTypeFor } from './registry.ts';
import { decodeMessage, WireError } from './wire.ts';
import { encodeMessage } from './wire-encode.ts';

export { protobufKinds } from './registry.ts';

export const K8S_PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export function hasK8sProtobufMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && K8S_PROTOBUF_MAGIC.every((b, i) => bytes[i] === b);
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
}

function readTypeMeta(bytes: Uint8Array): { apiVersion: string; kind: string } {
  const r = protobuf.Reader.create(bytes);
  let apiVersion = '';
  let kind = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) apiVersion = r.string();
    else if (tag === ((2 << 3) | 2)) kind = r.string();
    else r.skipType(tag & 7);
  }
  return { apiVersion, kind };
}

function readEnvelope(bytes: Uint8Array): Envelope {
  const r = protobuf.Reader.create(bytes.subarray(4));
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 2: Object.assign(env, readTypeMeta(r.bytes())); break;
      case (2 << 3) | 2: env.raw = r.bytes(); break;
      case (3 << 3) | 2: env.contentEncoding = r.string(); break;
      case (4 << 3) | 2: r.string(); break;
      default: r.skipType(tag & 7);
    }
  }
  return env;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Decodes a protobuf request body into the object's JSON form. */
export function decodeK8sProtobuf(bytes: Uint8Array): KubeObject {
  if (!hasK8sProtobufMagic(bytes)) {
    throw ApiError.badRequest('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  let env: Envelope;
  try {
    env = readEnvelope(bytes);
  } catch (err) {
    throw ApiError.badRequest(`unable to decode the protobuf envelope: ${describe(err)}`);
  }
  if (!env.kind) throw ApiError.badRequest("Object 'Kind' is missing in protobuf envelope");
  if (env.contentEncoding) throw ApiError.badRequest(`unsupported protobuf content encoding "${env.contentEncoding}"`);
  const type = messageTypeFor(env.apiVersion, env.kind);
  if (!type) throw ApiError.badRequest(`no kind "${env.kind}" is registered for version "${env.apiVersion}"`);
  try {
    return { apiVersion: env.apiVersion, kind: env.kind, ...decodeMessage(type, env.raw) };
  } catch (err) {
    // Reader range errors, stack exhaustion on hostile nesting and WireErrors all mean a bad body.
    const what = err instanceof WireError ? err.message : describe(err);
    throw ApiError.badRequest(`unable to decode ${env.kind} from protobuf: ${what}`);
  }
}

/**
 * Encodes an object (apiVersion and kind set) in the envelope. Kinds without a message type are a 406, so a
 * server can answer JSON instead.
 */
export function encodeK8sProtobuf(obj: KubeObject): Uint8Array {
  const apiVersion = obj.apiVersion ?? '';
  const kind = obj.kind ?? '';
  const type = messageTypeFor(apiVersion, kind);
  if (!type) {
    throw ApiError.of(406, 'NotAcceptable', `no protobuf message is known for ${apiVersion}, Kind=${kind}`);
  }
  let raw: Uint8Array;
  try {
    raw = encodeMessage(type, obj);
  } catch (err) {
    throw ApiError.internal(`unable to encode ${kind} as protobuf: ${describe(err)}`);
  }
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork();
  w.uint32((1 << 3) | 2).string(apiVersion);
  w.uint32((2 << 3) | 2).string(kind);
  w.ldelim();
  w.uint32((2 << 3) | 2).bytes(raw);
  // Go writes the empty contentEncoding and contentType too; so do we, for byte-compatible envelopes.
  w.uint32((3 << 3) | 2).string('');
  w.uint32((4 << 3) | 2).string('');
  const body = w.finish();
  const out = new Uint8Array(4 + body.length);
  out.set(K8S_PROTOBUF_MAGIC, 0);
  out.set(body, 4);
  return out;
}

/** True when encodeK8sProtobuf can encode this apiVersion and kind. */
export function protobufSupports(apiVersion: string, kind: string): boolean {
  return messageTypeFor(apiVersion, kind) !== undefined;
}
