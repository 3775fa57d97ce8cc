// Semantic equality of API objects, as upstream's apiequality.Semantic.DeepEqual sees two decoded objects:
// map key order never matters, an absent field equals an explicit null (both decode to Go's nil), array order
// does matter. The registry uses it for "did this update change anything" and "did the spec change".
type Json = unknown;

const absent = (v: Json): boolean => v === undefined || v === null;

export function semanticEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (absent(a) || absent(b)) return absent(a) && absent(b);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as Json[];
    return a.length === bb.length && a.every((v, i) => semanticEqual(v, bb[i]));
  }
  const ao = a as Record<string, Json>;
  const bo = b as Record<string, Json>;
  for (const k of Object.keys(ao)) if (!semanticEqual(ao[k], bo[k])) return false;
  for (const k of Object.keys(bo)) if (!(k in ao) && !absent(bo[k])) return false;
  return true;
}
