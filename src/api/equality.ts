// Semantic equality of API objects, as upstream's apiequality.Semantic.DeepEqual sees two decoded objects:
// map key order never matters, array order does, and what decodes to the same Go value is equal —
//  - an absent field and an explicit null (both Go's nil);
//  - an empty array and an absent or null one: Semantic.DeepEqual (k8s's fork of reflect.DeepEqual) holds a nil
//    and an empty slice equal, and the apiserver's no-op update check, which compares the encoded object,
//    agrees (protobuf and `omitempty` JSON encode both alike).
// An empty object is NOT equal to an absent one: at this level a Go map (where upstream would say equal) cannot be
// told from a pointer to a struct (where it says different: `emptyDir: {}` is not the absence of emptyDir), and
// treating a real change as none would be the worse mistake. The registry uses this for "did this update change
// anything" and "did the spec change"; controllers for "does the status need writing".
type Json = unknown;

const absent = (v: Json): boolean => v === undefined || v === null;
/** Absent, null or []: all Go's empty slice. */
const noItems = (v: Json): boolean => absent(v) || (Array.isArray(v) && v.length === 0);

export function semanticEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (absent(a) || absent(b)) return (absent(a) && absent(b)) || (noItems(a) && noItems(b));
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as Json[];
    return a.length === bb.length && a.every((v, i) => semanticEqual(v, bb[i]));
  }
  const ao = a as Record<string, Json>;
  const bo = b as Record<string, Json>;
  for (const k of Object.keys(ao)) if (!semanticEqual(ao[k], bo[k])) return false;
  for (const k of Object.keys(bo)) if (!(k in ao) && !noItems(bo[k])) return false;
  return true;
}
