// withWatchCache(store): the Store decorator kube-apiserver calls the cacher. Watches (and lists that allow a
// possibly-stale answer) below a resource prefix — the first two path segments, "/registry/pods/" — are served from
// one in-memory ResourceCache per resource, started lazily, so N API watchers cost one backend watch; so are gets that
// allow the cache (admission's reads) when the cache holds the key. Everything else (other gets, writes, count,
// consistent lists, keys outside /<a>/<b>/) goes straight to the store.
//
// Bookmarks: watchProgress(prefix, {progressIntervalMs}) yields {type:'progress', revision} after the stream was idle
// that long; it means every event under prefix up to that revision was already yielded, so the apiserver can send
// a BOOKMARK with resourceVersion = revision. The cache learns of revisions that carry no event of its resource from
// the backend's own progress items (SQLite: when idle for backendProgressMs; etcd: its progress notifications).
import {
  type GetOptions,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type ProgressEvent,
  type ProgressWatchOptions,
  type Store,
  type WatchEvent,
  type WatchOptions,
} from './interface.ts';
import { ResourceCache, untilReady } from './resource-cache.ts';

export interface WatchCacheOptions {
  /** Events kept per resource for watchers that resume from a recent revision. Default 1000. */
  bufferSize?: number;
  /** How long list({allowCache, revision}) waits for the cache to reach revision before asking the store. Default 3000. */
  catchUpTimeoutMs?: number;
  /** Idle time after which the cache asks its backend watch for a progress item. Default 100. */
  backendProgressMs?: number;
  /** A watcher this many events behind is ended with an error. Default 10000. */
  watchQueueLimit?: number;
}

export interface WatchCacheStats {
  resources: { prefix: string; revision: number; watchers: number }[];
}

/** "/registry/pods/default/x" -> "/registry/pods/"; undefined when the prefix does not name a resource. */
export function resourcePrefixOf(prefix: string): string | undefined {
  // Two indexOf, not a regex match: every admission read and cached list asks this (~1 % of a pod create's CPU).
  if (prefix[0] !== '/') return undefined;
  const first = prefix.indexOf('/', 1);
  if (first <= 1) return undefined;
  const second = prefix.indexOf('/', first + 1);
  return second > first + 1 ? prefix.slice(0, second + 1) : undefined;
}

export class CachedStore implements Store {
  private readonly caches = new Map<string, ResourceCache>();
  private readonly bufferSize: number;
  private readonly catchUpTimeoutMs: number;
  private readonly backendProgressMs: number;
  private readonly watchQueueLimit: number;

  constructor(
    readonly backend: Store,
    opts: WatchCacheOptions = {},
  ) {
    this.bufferSize = opts.bufferSize ?? 1000;
    this.catchUpTimeoutMs = opts.catchUpTimeoutMs ?? 3000;
    this.backendProgressMs = opts.backendProgressMs ?? 100;
    this.watchQueueLimit = opts.watchQueueLimit ?? 10_000;
  }

  /** The cache for prefix's resource, started on first use (from startRevision when a watch asked for it). */
  private cacheFor(resource: string, startRevision: number | undefined): ResourceCache {
    let cache = this.caches.get(resource);
    if (!cache || cache.dead) {
      cache = new ResourceCache(this.backend, resource, {
        bufferSize: this.bufferSize,
        backendProgressMs: this.backendProgressMs,
        watchQueueLimit: this.watchQueueLimit,
      }, startRevision);
      this.caches.set(resource, cache);
    }
    return cache;
  }

  stats(): WatchCacheStats {
    return {
      resources: [...this.caches.values()].map((c) => ({ prefix: c.prefix, revision: c.revision, watchers: c.watcherCount })),
    };
  }

  currentRevision(): Promise<number> {
    return this.backend.currentRevision();
  }

  get(key: string, opts?: GetOptions): Promise<KeyValue | undefined> {
    const resource = opts?.allowCache ? resourcePrefixOf(key) : undefined;
    if (!resource) return this.backend.get(key);
    // A keyed read waits for nothing: a hit is the cached copy, and a miss (or a cache still filling) reads the
    // store, which is never older than the cache. No list, no timer, no promise per call beyond the answer's.
    const kv = this.cacheFor(resource, undefined).peek(key);
    return kv ? Promise.resolve(kv) : this.backend.get(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const resource = resourcePrefixOf(prefix);
    if (!opts.allowCache || !resource) return this.backend.list(prefix, opts);
    const cache = this.cacheFor(resource, undefined);
    const timeout = AbortSignal.timeout(this.catchUpTimeoutMs);
    const caughtUp =
      (await untilReady(cache.ready, timeout)) &&
      (!opts.revision || (await cache.waitFor(opts.revision, this.catchUpTimeoutMs)));
    // Not caught up in time: the store's current state is also "not older than" the requested revision.
    if (!caughtUp) return this.backend.list(prefix, { ...opts, revision: undefined, allowCache: undefined });
    return cache.list(prefix, opts);
  }

  count(prefix: string): Promise<number> {
    return this.backend.count(prefix);
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.backend.create(key, value);
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.backend.update(key, value, expectedModRevision);
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.backend.delete(key, expectedModRevision);
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    const resource = resourcePrefixOf(prefix);
    if (!resource) return this.backend.watch(prefix, opts);
    return this.cacheFor(resource, opts.afterRevision).watch(prefix, opts.afterRevision, opts.signal) as AsyncIterable<WatchEvent>;
  }

  watchProgress(prefix: string, opts: ProgressWatchOptions): AsyncIterable<WatchEvent | ProgressEvent> {
    const resource = resourcePrefixOf(prefix);
    const progressMs = opts.progressIntervalMs ?? 1000;
    if (!resource) {
      return this.backend.watchProgress ? this.backend.watchProgress(prefix, opts) : this.backend.watch(prefix, opts);
    }
    return this.cacheFor(resource, opts.afterRevision).watch(prefix, opts.afterRevision, opts.signal, progressMs);
  }

  compact(revision: number): Promise<void> {
    return this.backend.compact(revision);
  }

  compactedRevision(): Promise<number> {
    return this.backend.compactedRevision();
  }

  async close(): Promise<void> {
    for (const cache of this.caches.values()) cache.close();
    this.caches.clear();
    await this.backend.close();
  }
}

export function withWatchCache(store: Store, opts?: WatchCacheOptions): CachedStore {
  return new CachedStore(store, opts);
}
