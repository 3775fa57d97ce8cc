// Interop between client-side `kubectl apply` (the last-applied-configuration annotation) and server-side apply,
// as upstream's lastAppliedManager / lastAppliedUpdater do it, only for the field manager "kubectl":
// - conflicts on fields whose live value still equals the annotation's are not conflicts (the user is moving the
//   same configuration from client-side to server-side apply);
// - an existing annotation is rewritten to the newly applied configuration, so a later client-side apply diffs
//   against what was really applied.
import type { KubeObject } from '../../../api/object.ts';
import { parseJson } from '../../../api/decode/body.ts';
import { difference, type PathSet } from './fieldpath.ts';
import { compare, isObject, setOwn, toFieldSet, type Json, type JsonObject, type Ref } from './typed.ts';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
const interopManager = 'kubectl';

function annotationOf(obj: JsonObject): string | undefined {
  const meta = obj.metadata;
  if (!isObject(meta) || !isObject(meta.annotations)) return undefined;
  const v = meta.annotations[lastAppliedAnnotation];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Fields whose live value is what the annotation last applied; undefined when there is no usable annotation. */
export function allowedConflicts(manager: string, live: JsonObject, ref: Ref): PathSet | undefined {
  if (manager !== interopManager) return undefined;
  const text = annotationOf(live);
  if (text === undefined) return undefined;
  try {
    const lastApplied = parseJson(Buffer.from(text, 'utf8')) as Json;
    if (!isObject(lastApplied)) return undefined;
    const cmp = compare(lastApplied, live, ref);
    return difference(difference(difference(toFieldSet(lastApplied, ref), cmp.modified), cmp.added), cmp.removed);
  } catch {
    return undefined;
  }
}

/** Go's json.Encoder output for decoded JSON: sorted keys, HTML-escaped, newline-terminated. */
export function goJsonEncode(v: Json): string {
  const sorted = (x: Json): Json => {
    if (Array.isArray(x)) return x.map(sorted);
    if (!isObject(x)) return x;
    const out: JsonObject = {};
    for (const k of Object.keys(x).sort()) setOwn(out, k, sorted(x[k]));
    return out;
  };
  const escaped = JSON.stringify(sorted(v))
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `${escaped}\n`;
}

/** Rewrites an existing annotation on `result` (mutated) to the configuration just applied. */
export function syncLastApplied(manager: string, result: KubeObject, applied: KubeObject): void {
  if (manager !== interopManager || annotationOf(result as JsonObject) === undefined) return;
  const config = structuredClone(applied) as JsonObject;
  if (isObject(config.metadata) && isObject(config.metadata.annotations)) {
    delete config.metadata.annotations[lastAppliedAnnotation];
  }
  result.metadata!.annotations![lastAppliedAnnotation] = goJsonEncode(config);
}
