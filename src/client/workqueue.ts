// The controller work queue, after client-go's util/workqueue: three sets make it safe and collapsing.
//   queue      items waiting, in order      dirty       items that need processing (queued or re-added)
//   processing items handed out by get() and not yet done()
// add() of an item already dirty is a no-op (bursts collapse); an item re-added while processing waits in dirty and
// is queued again by done(), so one item is never processed by two workers at once. addAfter() delays through the
// injected clock; addRateLimited() asks the rate limiter how long. get() resolves undefined once shut down and empty.
import { type Clock, type Timer, realClock } from './clock.ts';
import { type RateLimiter, defaultControllerRateLimiter } from './rate-limiters.ts';

export interface WorkQueueOptions<T> {
  clock?: Clock;
  rateLimiter?: RateLimiter<T>;
}

export class WorkQueue<T = string> {
  private queue: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: ((item: T | undefined) => void)[] = [];
  private readonly waiting = new Map<T, { at: number; timer: Timer }>();
  private shuttingDown = false;
  private drained?: { promise: Promise<void>; resolve: () => void };
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<T>;

  constructor(o: WorkQueueOptions<T> = {}) {
    this.clock = o.clock ?? realClock;
    this.limiter = o.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  /** Items queued and waiting for a worker (not counting processing or delayed ones). */
  len(): number {
    return this.queue.length - this.head;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.push(item);
  }

  /** Adds after ms; a pending earlier add of the same item wins over a later one. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const at = this.clock.now() + ms;
    const existing = this.waiting.get(item);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, ms);
    this.waiting.set(item, { at, timer });
  }

  addRateLimited(item: T): void {
    this.addAfter(item, this.limiter.when(item));
  }

  /** The item succeeded: reset its failure history (does not remove it from the queue). */
  forget(item: T): void {
    this.limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }

  /** The next item (now marked processing), or undefined once shut down with nothing left queued. */
  get(): Promise<T | undefined> {
    if (this.len() > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Must be called once per get(); re-queues the item if it was added while being processed. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) this.push(item);
    if (this.processing.size === 0) this.drained?.resolve();
  }

  /** Stops accepting items; waiting get() calls resolve undefined; items already queued are still handed out. */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) timer.cancel();
    this.waiting.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** shutdown(), then wait until every item handed out has been marked done. */
  shutDownWithDrain(): Promise<void> {
    this.shutdown();
    if (this.processing.size === 0) return Promise.resolve();
    if (!this.drained) {
      let resolve = (): void => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.drained = { promise, resolve };
    }
    return this.drained.promise;
  }

  private push(item: T): void {
    const w = this.waiters.shift();
    if (w) {
      w(this.takeItem(item));
      return;
    }
    this.queue.push(item);
  }

  private take(): T {
    const item = this.queue[this.head++];
    // compact once the consumed prefix dominates, keeping take() O(1) amortised
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return this.takeItem(item);
  }

  private takeItem(item: T): T {
    this.processing.add(item);
    this.dirty.delete(item);
    return item;
  }
}
