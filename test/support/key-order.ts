// For tests of "a key-order-only difference is no change": a deep copy of a JSON value whose object keys come in
// reverse order (list order kept), so JSON.stringify of the copy differs from the original whenever any object
// has two or more keys.
export function reverseKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reverseKeys) as T;
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) as T;
  }
  return v;
}
