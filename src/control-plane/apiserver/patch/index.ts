// The apiserver's front door to PATCH handling and field management. Pure functions on plain objects: nothing
// here talks HTTP or storage, and no input object is mutated except `updated` in updateManagedFields.
//   applyPatch           json / merge / strategic patches
//   parseApplyPatch      the body of an application/apply-patch+yaml request (YAML or JSON)
//   serverSideApply      merge an applied configuration, track ownership, 409 on conflicts
//   updateManagedFields  record an ordinary write in metadata.managedFields
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { parseYaml } from '../../../api/decode/body.ts';
import { applyJsonPatch, applyMergePatch, goJsonError, parsePatchJson } from './json-patch.ts';
import { strategicMergePatch } from './strategic.ts';
import { isObject, type JsonObject } from './typed.ts';

export type PatchType = 'json' | 'merge' | 'strategic';

/** The patch type for a PATCH Content-Type (parameters ignored), or undefined for an unsupported one. */
export function patchTypeOf(contentType: string): PatchType | 'apply' | undefined {
  const base = contentType.split(';')[0].trim().toLowerCase();
  switch (base) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      return undefined;
  }
}

export function applyPatch(args: { obj: KubeObject; patchType: PatchType; patch: Buffer | string; kindKey: string }): KubeObject {
  const text = typeof args.patch === 'string' ? args.patch : args.patch.toString('utf8');
  const obj = args.obj as JsonObject;
  switch (args.patchType) {
    case 'json':
      return applyJsonPatch(obj, text) as KubeObject;
    case 'merge':
      return applyMergePatch(obj, text) as KubeObject;
    case 'strategic': {
      const decodeError = goJsonError(text, 'map');
      if (decodeError) throw ApiError.badRequest(decodeError);
      const patch = parsePatchJson(text);
      if (!isObject(patch)) throw ApiError.badRequest('json: cannot unmarshal null into Go value of type map[string]interface {}');
      return strategicMergePatch(obj, patch, args.kindKey) as KubeObject;
    }
  }
}

/** Decodes an apply body (YAML or JSON, through the safe decoder); anything but a mapping is 400 like upstream's
 *  "error decoding YAML". */
export function parseApplyPatch(body: Buffer | string): KubeObject {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw ApiError.badRequest(`error decoding YAML: ${msg.replace(/^error converting YAML to JSON: yaml: /, '')}`);
  }
  if (!isObject(value)) {
    throw ApiError.badRequest('error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ' +
      `${Array.isArray(value) ? 'array' : value === null || value === undefined ? 'null' : typeof value} into Go value of type map[string]interface {}`);
  }
  return value as KubeObject;
}

export { serverSideApply, updateManagedFields } from './field-manager.ts';
export type { ServerSideApplyArgs, UpdateManagedFieldsArgs } from './field-manager.ts';
export { strategicMergePatch } from './strategic.ts';
export { applyJsonPatch, applyMergePatch } from './json-patch.ts';
export { decodeManagedFields, encodeManagedFields, rfc3339, type ManagerEntry } from './managed-fields.ts';
export { fromFieldsV1, toFieldsV1, pathString, type PathSet, type FieldsV1 } from './fieldpath.ts';
