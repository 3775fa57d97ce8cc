// How strategic merge patch orders merged lists, reproducing upstream's normalizeElementOrder: items from the
// patch follow the patch (or $setElementOrder) order, live-only items keep their live order, and the two are
// interleaved by live position. Go's sort and in-place slice mutation are mimicked where they change the result.
import { deepEqual, isObject, type Json } from './typed.ts';

export function sameItem(a: Json, b: Json, mergeKey: string): boolean {
  if (!mergeKey) return deepEqual(a, b);
  return isObject(a) && isObject(b) && deepEqual(a[mergeKey], b[mergeKey]);
}

export function indexIn(list: Json[], item: Json, mergeKey: string): number {
  return list.findIndex((x) => sameItem(x, item, mergeKey));
}

/** Go's sort.SliceStable (insertion sort for short lists) with upstream's less, quirks included. */
export function sortByOrder(items: Json[], order: Json[], mergeKey: string): Json[] {
  const out = [...items];
  const less = (a: Json, b: Json): boolean => {
    const ia = indexIn(order, a, mergeKey);
    const ib = ia >= 0 ? indexIn(order, b, mergeKey) : -1;
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && less(out[j], out[j - 1]); j--) [out[j], out[j - 1]] = [out[j - 1], out[j]];
  }
  return out;
}

/** A Go slice sharing its backing array with the caller's view of the live list (capacity = length). */
export class GoSlice {
  readonly array: Json[];
  private len: number;
  private aliased = true;

  constructor(list: Json[]) {
    this.array = [...list];
    this.len = list.length;
  }

  /** `s = append(s[:k], s[k+1:]...)`: shifts the tail left in place. */
  remove(k: number): void {
    if (!this.aliased) return;
    for (let i = k; i < this.len - 1; i++) this.array[i] = this.array[i + 1];
    this.len--;
  }

  set(k: number, v: Json): void {
    if (this.aliased) this.array[k] = v;
  }

  /** `s = append(s, v)`: writes into the shared array while capacity lasts, then reallocates. */
  push(v: Json): void {
    if (this.aliased && this.len < this.array.length) this.array[this.len++] = v;
    else this.aliased = false;
  }

  detach(): void {
    this.aliased = false;
  }
}

/** Interleaves server-only items (left) into patch items (right), keeping both relative orders. */
export function mergeSorted(left: Json[], right: Json[], serverOrder: Json[], key: string): Json[] {
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], key);
      const ri = indexIn(serverOrder, right[j], key);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
