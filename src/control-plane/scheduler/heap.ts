// A binary min-heap over a comparator, with lazy removal: remove() marks an entry and pop()/peek() skip it, so
// deleting a pod from a queue is O(1) and ordering stays O(log n).
export interface HeapEntry<T> {
  value: T;
  removed: boolean;
}

export class Heap<T> {
  private items: HeapEntry<T>[] = [];
  private live = 0;

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.live;
  }

  push(value: T): HeapEntry<T> {
    const e: HeapEntry<T> = { value, removed: false };
    this.items.push(e);
    this.live++;
    this.up(this.items.length - 1);
    return e;
  }

  remove(e: HeapEntry<T>): void {
    if (e.removed) return;
    e.removed = true;
    this.live--;
  }

  peek(): T | undefined {
    this.skipRemoved();
    return this.items[0]?.value;
  }

  pop(): T | undefined {
    this.skipRemoved();
    if (!this.items.length) return undefined;
    const top = this.takeTop();
    this.live--;
    top.removed = true;
    return top.value;
  }

  private skipRemoved(): void {
    while (this.items.length && this.items[0].removed) this.takeTop();
  }

  private takeTop(): HeapEntry<T> {
    const top = this.items[0];
    const last = this.items.pop()!;
    if (this.items.length) {
      this.items[0] = last;
      this.down(0);
    }
    return top;
  }

  private up(i: number): void {
    const it = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(it[i].value, it[p].value)) break;
      [it[i], it[p]] = [it[p], it[i]];
      i = p;
    }
  }

  private down(i: number): void {
    const it = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < it.length && this.less(it[l].value, it[m].value)) m = l;
      if (r < it.length && this.less(it[r].value, it[m].value)) m = r;
      if (m === i) return;
      [it[i], it[m]] = [it[m], it[i]];
      i = m;
    }
  }
}
