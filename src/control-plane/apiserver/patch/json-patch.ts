// JSON patch (RFC 6902, application/json-patch+json) and JSON merge patch (RFC 7386,
// application/merge-patch+json) with upstream's failure shapes: an undecodable patch is 400 BadRequest; an
// operation that does not apply (missing path, failed `test`) is 422 "the server rejected our request due to an
// error in our request" with the evanphx/json-patch message as an UnexpectedServerResponse cause; more than
// 10000 operations is 413.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiError } from '../../../api/errors.ts';
import { DecodeError, parseJson } from '../../../api/decode/body.ts';
import { deepEqual, isObject, own, setOwn, type Json, type JsonObject } from './typed.ts';

const maxOperations = 10000;

/** A patch body through the safe decoder (depth limit, no prototype keys); its refusals are 400s. */
export function parsePatchJson(text: string): unknown {
  try {
    return parseJson(Buffer.from(text, 'utf8'));
  } catch (e) {
    throw ApiError.badRequest(e instanceof DecodeError ? e.message : String(e));
  }
}

/** Go's encoding/json wording for the common ways a body fails to decode (safe decoding refusals included). */
export function goJsonError(text: string, target: string): string | undefined {
  let value: unknown;
  try {
    value = parseJson(Buffer.from(text, 'utf8'));
  } catch (e) {
    return e instanceof DecodeError ? e.message : String(e);
  }
  const kind = value === null ? undefined : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value;
  if (target === 'patch' && kind !== 'array' && kind !== undefined) {
    return `json: cannot unmarshal ${kind} into Go value of type jsonpatch.Patch`;
  }
  if (target === 'map' && kind !== 'object' && kind !== undefined) {
    return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
  }
  return undefined;
}

function rejected(message: string): ApiError {
  return ApiError.of(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Upstream's findObject: the container holding the last path token, or undefined when any parent is missing. */
function findContainer(doc: Json, path: string): { container: JsonObject | Json[]; key: string } | undefined {
  const parts = path.split('/');
  if (parts.length < 2) return undefined;
  let node: Json | undefined = doc;
  for (const raw of parts.slice(1, -1)) {
    const token = unescape(raw);
    if (Array.isArray(node)) node = /^\d+$/.test(token) ? node[Number(token)] : undefined;
    else if (isObject(node)) node = own(node, token);
    else node = undefined;
    if (node === undefined || node === null) return undefined;
  }
  if (!Array.isArray(node) && !isObject(node)) return undefined;
  return { container: node, key: unescape(parts[parts.length - 1]) };
}

function get(c: { container: JsonObject | Json[]; key: string }): Json | undefined {
  if (Array.isArray(c.container)) return /^\d+$/.test(c.key) ? c.container[Number(c.key)] : undefined;
  return Object.prototype.hasOwnProperty.call(c.container, c.key) ? c.container[c.key] : undefined;
}

/** The evanphx/json-patch error for an operation that cannot apply, or undefined when it can. */
function precheck(doc: Json, op: JsonObject): string | undefined {
  const kind = op.op;
  const path = op.path;
  if (typeof path !== 'string' && kind !== undefined && ['add', 'remove', 'replace', 'test'].includes(String(kind))) {
    return `${String(kind)} operation failed to decode path: missing value`;
  }
  const p = String(path);
  switch (kind) {
    case 'add': {
      const c = findContainer(doc, p);
      if (!c) return `add operation does not apply: doc is missing path: "${p}": missing value`;
      if (Array.isArray(c.container) && c.key !== '-' && (!/^\d+$/.test(c.key) || Number(c.key) > c.container.length)) {
        return `error in add for path: '${p}': Unable to access invalid index: ${c.key}: invalid index referenced`;
      }
      return undefined;
    }
    case 'remove': {
      const c = findContainer(doc, p);
      if (!c) return `remove operation does not apply: doc is missing path: "${p}": missing value`;
      if (get(c) === undefined) {
        return Array.isArray(c.container)
          ? `error in remove for path: '${p}': Unable to access invalid index: ${c.key}: invalid index referenced`
          : `error in remove for path: '${p}': Unable to remove nonexistent key: ${c.key}: missing value`;
      }
      return undefined;
    }
    case 'replace': {
      const c = findContainer(doc, p);
      if (!c) return `replace operation does not apply: doc is missing path: ${p}: missing value`;
      if (get(c) === undefined) return `replace operation does not apply: doc is missing key: ${p}: missing value`;
      return undefined;
    }
    case 'move':
    case 'copy': {
      const from = typeof op.from === 'string' ? op.from : '';
      const f = findContainer(doc, from);
      if (!f) return `${kind} operation does not apply: doc is missing from path: ${from}: missing value`;
      if (get(f) === undefined) return `error in ${kind} for path: '${f.key}': missing value`;
      const c = findContainer(doc, p);
      if (!c) return `${kind} operation does not apply: doc is missing destination path: ${p}: missing value`;
      return undefined;
    }
    case 'test': {
      const c = findContainer(doc, p);
      if (!c) return `test operation does not apply: is missing path: ${p}: missing value`;
      const actual = get(c);
      const expected = op.value ?? null;
      if ((actual === undefined || actual === null) && expected === null) return undefined;
      if (actual === undefined || !deepEqual(actual, expected)) return `testing value ${p} failed: test failed`;
      return undefined;
    }
    default:
      return `Unexpected kind: ${kind === undefined ? 'unknown' : String(kind)}`;
  }
}

export function applyJsonPatch(obj: JsonObject, patchText: string): JsonObject {
  const decodeError = goJsonError(patchText, 'patch');
  if (decodeError) throw ApiError.badRequest(decodeError);
  // `null` decodes to an empty patch in Go (a nil slice), which changes nothing.
  const ops = (parsePatchJson(patchText) ?? []) as unknown[];
  const bad = ops.find((o) => !isObject(o));
  if (bad !== undefined) {
    const kind = Array.isArray(bad) ? 'array' : bad === null ? 'null' : typeof bad;
    throw ApiError.badRequest(`json: cannot unmarshal ${kind} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > maxOperations) {
    throw ApiError.of(413, 'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${maxOperations}, got ${ops.length}`);
  }
  let doc: Json = structuredClone(obj);
  for (const raw of ops as JsonObject[]) {
    const problem = precheck(doc, raw);
    if (problem) throw rejected(problem);
    const op = { ...raw, value: raw.value ?? null } as unknown as Operation;
    try {
      doc = jsonpatch.applyOperation(doc, op, false, true, true).newDocument as Json;
    } catch (err) {
      throw rejected(err instanceof Error ? err.message.split('\n')[0] : String(err));
    }
  }
  if (!isObject(doc)) throw ApiError.badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
  return doc;
}

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function applyMergePatch(obj: JsonObject, patchText: string): JsonObject {
  let patch: unknown;
  try {
    patch = parseJson(Buffer.from(patchText, 'utf8'));
  } catch (e) {
    // Depth and prototype-key refusals say what they are; any other undecodable body is evanphx's error.
    const safety = e instanceof DecodeError && /max depth|__proto__/.test(e.message);
    throw ApiError.badRequest(safety ? e.message : 'Invalid JSON Patch');
  }
  if (!isObject(patch)) throw ApiError.badRequest('Invalid JSON Patch');
  return mergeInto(structuredClone(obj), patch);
}

function mergeInto(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (isObject(v)) {
      const cur = own(target, k);
      setOwn(target, k, mergeInto(isObject(cur) ? cur : {}, v));
    } else setOwn(target, k, v);
  }
  return target;
}
