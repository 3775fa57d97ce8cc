// An unbounded-until-limit FIFO between a producer that pushes synchronously (a commit, a backend watch) and one
// async consumer. It is how every watch in src/store turns pushes into an AsyncIterable: the producer never waits,
// ordering is the push order, and the consumer learns of an end or a failure only after draining what came before.
// `idle` lets a consumer yield a synthetic item (a progress notification) when nothing arrived for a while.

export interface IterateOptions<T> {
  signal: AbortSignal;
  /** Called when the queue stayed empty for idleMs; a returned item is yielded. */
  idleMs?: number;
  onIdle?: () => T | undefined;
  /** Runs once when the consumer stops (abort, break, end or error). */
  onClose?: () => void;
}

export class EventQueue<T> {
  private items: T[] = [];
  private head = 0;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private ended = false;

  constructor(private readonly limit = Infinity) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get closed(): boolean {
    return this.ended || this.failure !== undefined;
  }

  /** Appends an item; returns false (and fails the queue) when the consumer fell more than `limit` behind. */
  push(item: T): boolean {
    if (this.closed) return false;
    if (this.size >= this.limit) {
      this.fail(new Error(`watcher fell more than ${this.limit} events behind`));
      return false;
    }
    this.items.push(item);
    this.notify();
    return true;
  }

  /** The consumer sees the error after the items already queued. */
  fail(err: Error): void {
    if (this.closed) return;
    this.failure = err;
    this.notify();
  }

  end(): void {
    if (this.closed) return;
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  async *iterate(opts: IterateOptions<T>): AsyncGenerator<T> {
    const { signal } = opts;
    const onAbort = (): void => this.notify();
    signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal.aborted) return;
        if (this.size > 0) {
          yield this.shift();
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.ended) return;
        const timedOut = await this.waitForPush(opts.idleMs);
        if (timedOut && this.size === 0 && !this.closed && opts.onIdle) {
          const item = opts.onIdle();
          if (item !== undefined) yield item;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.ended = true;
      this.items = [];
      this.head = 0;
      opts.onClose?.();
    }
  }

  /** Resolves true when idleMs passed without a push. */
  private waitForPush(idleMs: number | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve(false);
      };
      if (idleMs !== undefined && idleMs > 0) {
        timer = setTimeout(() => {
          this.wake = undefined;
          resolve(true);
        }, idleMs);
      }
    });
  }
}
