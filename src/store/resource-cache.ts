// One resource's slice of the watch cache (kube-apiserver's cacher + watchCache for one resource prefix such as
// "/registry/pods/"): a single backend list+watch keeps the current objects in memory and the last `bufferSize`
// events in a ring; any number of watchers below the prefix are fed from it. Invariants: `rev` is the revision the
// cache reflects (every event <= rev under the prefix has been applied and dispatched), and the ring holds every
// event with revision > `bufferStart`. A watcher registers and receives its replay in the same tick, so nothing
// falls between replay and live. If the backend watch breaks and cannot resume, the cache relists and ends its
// watchers with CompactedError (upstream terminates watchers the same way), so clients relist too.
import { setTimeout as sleep } from 'node:timers/promises';
import { EventQueue } from './event-queue.ts';
import {
  CompactedError,
  FutureRevisionError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type ProgressEvent,
  type Store,
  type WatchEvent,
} from './interface.ts';

export interface ResourceCacheOptions {
  bufferSize: number;
  /** Idle time after which the backend is asked for a progress item (moves `rev` without events). */
  backendProgressMs: number;
  watchQueueLimit: number;
}

interface CachedWatcher {
  prefix: string;
  after: number;
  queue: EventQueue<WatchEvent | ProgressEvent>;
}

const LIST_PAGE = 500;

/** Resolves true when ready settles first, false when the signal aborts first. */
export function untilReady(ready: Promise<void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void ready.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}

export class ResourceCache {
  private readonly items = new Map<string, KeyValue>();
  private sorted: string[] | undefined;
  private readonly ring: (WatchEvent | undefined)[];
  private ringStart = 0;
  private ringLen = 0;
  private bufferStart = 0;
  private rev = 0;
  private listed = false;
  private readonly watchers = new Set<CachedWatcher>();
  private revWaiters: { rev: number; resolve: () => void }[] = [];
  private readonly stop = new AbortController();
  readonly ready: Promise<void>;
  /** Set when the backend watch ended for good (the backend was closed); the owner then drops this cache. */
  dead = false;

  constructor(
    private readonly backend: Store,
    readonly prefix: string,
    private readonly opts: ResourceCacheOptions,
    /** The revision the first watcher asked to start after; undefined: start from the current state. */
    startRevision: number | undefined,
  ) {
    this.ring = new Array<WatchEvent | undefined>(opts.bufferSize);
    // Until the first list succeeds, `run` keeps retrying (an etcd may be briefly unreachable); waiters bound
    // their own wait with a signal or a timeout.
    this.ready = new Promise((resolve) => void this.run(startRevision, resolve));
  }

  get revision(): number {
    return this.rev;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  close(): void {
    this.stop.abort();
    for (const w of this.watchers) w.queue.end();
    this.watchers.clear();
  }

  private async run(startRevision: number | undefined, ready: () => void): Promise<void> {
    let needList = true;
    let backoff = 50;
    while (!this.stop.signal.aborted) {
      try {
        if (needList) {
          await this.relist(startRevision);
          startRevision = undefined;
          needList = false;
          backoff = 50;
          ready();
        }
        await this.follow();
        // The backend ended the stream without an error: it is closing. So do our watchers.
        this.dead = true;
        this.close();
        return;
      } catch (err) {
        if (this.stop.signal.aborted) return;
        // A compacted position cannot be resumed: relist at once. Anything else (a dropped connection): resume the
        // watch from `rev` after a backoff, which watchers never notice.
        if (err instanceof CompactedError) {
          needList = true;
        } else {
          await sleep(backoff, undefined, { signal: this.stop.signal }).catch(() => undefined);
          backoff = Math.min(backoff * 2, 5000);
        }
      }
    }
  }

  /**
   * Loads the objects (as of startRevision when it is still readable, else the current ones) and restarts the event
   * window. startRevision 0 (a watch from the very beginning) is the empty state at revision 0, no list needed.
   */
  private async relist(startRevision: number | undefined): Promise<void> {
    if (startRevision === 0 && (await this.backend.compactedRevision()) > 0) startRevision = undefined;
    let revision = startRevision ?? 0;
    let attempts = 0;
    const items: KeyValue[] = [];
    for (let startAfter: string | undefined; startRevision !== 0; ) {
      let page: ListResult;
      try {
        page = await this.backend.list(this.prefix, { limit: LIST_PAGE, startAfter, revision });
      } catch (err) {
        if (revision === 0 || startAfter !== undefined || attempts++ > 3) throw err;
        // The wished-for start is compacted: start at the oldest readable revision, so the event window reaches as
        // far back as the store's history. Not reached yet: start at the current one, which is still below it.
        if (err instanceof CompactedError) revision = Math.max(revision, await this.backend.compactedRevision());
        else if (err instanceof FutureRevisionError) revision = Math.min(revision, await this.backend.currentRevision());
        else throw err;
        continue;
      }
      revision = page.revision;
      items.push(...page.items);
      if (!page.more) break;
      startAfter = page.items[page.items.length - 1]?.key;
    }
    const hadState = this.listed;
    this.listed = true;
    this.items.clear();
    for (const kv of items) this.items.set(kv.key, kv);
    this.sorted = undefined;
    this.ringStart = 0;
    this.ringLen = 0;
    this.ring.fill(undefined);
    if (hadState) {
      for (const w of this.watchers) w.queue.fail(new CompactedError(w.after, revision));
      this.watchers.clear();
    }
    this.rev = Math.max(this.rev, revision);
    this.bufferStart = revision;
    this.wakeRevWaiters();
  }

  private async follow(): Promise<void> {
    const opts = { afterRevision: this.rev, signal: this.stop.signal, progressIntervalMs: this.opts.backendProgressMs };
    const stream: AsyncIterable<WatchEvent | ProgressEvent> = this.backend.watchProgress
      ? this.backend.watchProgress(this.prefix, opts)
      : this.backend.watch(this.prefix, opts);
    for await (const item of stream) {
      if (item.type === 'progress') {
        if (item.revision > this.rev) {
          this.rev = item.revision;
          this.wakeRevWaiters();
        }
      } else {
        this.apply(item);
      }
    }
  }

  private apply(event: WatchEvent): void {
    if (event.revision <= this.rev) return;
    const key = event.kv.key;
    if (event.type === 'delete') {
      if (this.items.delete(key)) this.sorted = undefined;
    } else {
      if (!this.items.has(key)) this.sorted = undefined;
      this.items.set(key, event.kv);
    }
    if (this.ringLen === this.ring.length) {
      const evicted = this.ring[this.ringStart] as WatchEvent;
      this.bufferStart = evicted.revision;
      this.ringStart = (this.ringStart + 1) % this.ring.length;
      this.ringLen--;
    }
    this.ring[(this.ringStart + this.ringLen) % this.ring.length] = event;
    this.ringLen++;
    this.rev = event.revision;
    for (const w of this.watchers) {
      if (event.revision > w.after && key.startsWith(w.prefix) && !w.queue.push(event)) this.watchers.delete(w);
    }
    this.wakeRevWaiters();
  }

  private wakeRevWaiters(): void {
    if (this.revWaiters.length === 0) return;
    const still: typeof this.revWaiters = [];
    for (const w of this.revWaiters) (w.rev <= this.rev ? w.resolve() : still.push(w));
    this.revWaiters = still;
  }

  /** Resolves true once the cache reflects at least `rev`, false after timeoutMs. */
  waitFor(rev: number, timeoutMs: number): Promise<boolean> {
    if (this.rev >= rev) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.revWaiters = this.revWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = {
        rev,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.revWaiters.push(waiter);
    });
  }

  /** The key's value from memory; undefined when the cache lacks it or has not listed yet (then ask the store). */
  peek(key: string): KeyValue | undefined {
    return this.listed ? this.items.get(key) : undefined;
  }

  /** Keys under prefix from memory, in key order, as of `revision`. */
  list(prefix: string, opts: ListOptions): ListResult {
    this.sorted ??= [...this.items.keys()].sort();
    const keys = this.sorted;
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : prefix;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string) < from || (from === opts.startAfter && keys[mid] === from)) lo = mid + 1;
      else hi = mid;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KeyValue[] = [];
    let i = lo;
    for (; i < keys.length && (keys[i] as string).startsWith(prefix); i++) {
      if (items.length === limit) break;
      items.push(this.items.get(keys[i] as string) as KeyValue);
    }
    let remaining = 0;
    for (let j = i; j < keys.length && (keys[j] as string).startsWith(prefix); j++) remaining++;
    const result: ListResult = { items, revision: this.rev, more: remaining > 0 };
    if (remaining > 0) result.remaining = remaining;
    return result;
  }

  /** Events under prefix after `after`: the buffered ones at once, then live ones; progress items when asked. */
  async *watch(
    prefix: string,
    after: number,
    signal: AbortSignal,
    progressMs?: number,
  ): AsyncGenerator<WatchEvent | ProgressEvent> {
    if (!(await untilReady(this.ready, signal))) return;
    if (after < this.bufferStart) throw new CompactedError(after, this.bufferStart);
    const queue = new EventQueue<WatchEvent | ProgressEvent>(this.opts.watchQueueLimit);
    for (let i = 0; i < this.ringLen; i++) {
      const e = this.ring[(this.ringStart + i) % this.ring.length] as WatchEvent;
      if (e.revision > after && e.kv.key.startsWith(prefix)) queue.push(e);
    }
    const watcher: CachedWatcher = { prefix, after, queue };
    this.watchers.add(watcher);
    yield* queue.iterate({
      signal,
      idleMs: progressMs,
      onIdle: progressMs === undefined ? undefined : () => ({ type: 'progress', revision: Math.max(this.rev, after) }),
      onClose: () => this.watchers.delete(watcher),
    });
  }
}
