// The store contract: etcd's semantics in one interface, so the apiserver runs unchanged on the embedded SQLite
// backend or on a real etcd cluster. Keys are plain strings ("/registry/pods/default/nginx"); values are the
// serialized object (JSON text). Every write bumps one global revision; a key's modRevision is the revision of
// its last write, and that number is what the API calls resourceVersion.

/** A stored key with its revisions, as etcd's mvccpb.KeyValue. */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision at which the key was created (etcd create_revision). */
  createRevision: number;
  /** Revision of the last write to the key (etcd mod_revision); the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** At most this many items; 0 or absent means no limit. */
  limit?: number;
  /** Start strictly after this key (the continue point of a previous page). */
  startAfter?: string;
  /** Read the state as of this revision (0 or absent: the current revision). Fails with CompactedError if compacted. */
  revision?: number;
  /**
   * May be served from a watch cache (upstream's resourceVersion=0 / NotOlderThan lists): possibly stale, but never
   * older than `revision` when one is given (a cache waits to catch up to it). Backends without a cache ignore it.
   */
  allowCache?: boolean;
}

export interface GetOptions {
  /**
   * May be answered from a watch cache (what upstream's admission plugins read from their informers): the cached
   * copy when the cache holds the key, else the store's. Backends without a cache ignore it.
   */
  allowCache?: boolean;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list reflects. */
  revision: number;
  /** True when more keys under the prefix remain after the last item returned. */
  more: boolean;
  /** How many keys remain after this page (upstream's remainingItemCount), when the backend knows it cheaply. */
  remaining?: number;
}

export type WatchEventType = 'put' | 'delete';

export interface WatchEvent {
  type: WatchEventType;
  /** For put: the new value. For delete: the key with its last value, modRevision = the delete's revision. */
  kv: KeyValue;
  /** The value before this event, if there was one (for put: undefined when the key was created). */
  prevKv?: KeyValue;
  /** Revision of this event. */
  revision: number;
}

export interface WatchOptions {
  /** Deliver every event with revision > afterRevision (in order, no gaps). Fails with CompactedError when compacted. */
  afterRevision: number;
  signal: AbortSignal;
}

/**
 * A watch-stream item saying every event under the watched prefix with revision <= `revision` has been yielded
 * already: what the apiserver needs to send a BOOKMARK. Only watchProgress yields it, never watch.
 */
export interface ProgressEvent {
  type: 'progress';
  revision: number;
}

export interface ProgressWatchOptions extends WatchOptions {
  /** Yield a ProgressEvent once the stream has been idle this long (ms, default 1000). */
  progressIntervalMs?: number;
}

export interface Store {
  /** The newest revision of the whole store. */
  currentRevision(): Promise<number>;
  get(key: string, opts?: GetOptions): Promise<KeyValue | undefined>;
  /** Keys that start with prefix, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Count of keys under prefix. */
  count(prefix: string): Promise<number>;
  /** Creates key; throws KeyExistsError when it exists. Returns the new KeyValue. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Compare-and-swap: writes only if the key's modRevision equals expectedModRevision.
   * Throws KeyNotFoundError when absent, RevisionConflictError (carrying the current kv) on a mismatch.
   */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /**
   * Deletes key, only if its modRevision equals expectedModRevision when one is given.
   * Returns the deleted kv (modRevision = revision of the delete). Throws KeyNotFoundError / RevisionConflictError.
   */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Events under prefix after opts.afterRevision, until the signal aborts. */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent>;
  /**
   * watch, interleaved with ProgressEvents while idle (for BOOKMARKs). Optional so simple fakes stay simple;
   * callers fall back to watch when it is absent (see watchWithProgress in src/store/progress.ts).
   */
  watchProgress?(prefix: string, opts: ProgressWatchOptions): AsyncIterable<WatchEvent | ProgressEvent>;
  /** Forget history at or below revision; reads/watches older than it then fail with CompactedError. */
  compact(revision: number): Promise<void>;
  /** The oldest revision still readable (history at or below it was compacted away). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export class StoreError extends Error {}

export class KeyExistsError extends StoreError {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
  }
}

export class KeyNotFoundError extends StoreError {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}

export class RevisionConflictError extends StoreError {
  constructor(
    readonly key: string,
    readonly current: KeyValue,
  ) {
    super(`revision conflict on ${key}: now at ${current.modRevision}`);
  }
}

export class CompactedError extends StoreError {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted through ${compacted})`);
  }
}

/** A read or watch asked for a revision the store has not reached yet (upstream: "Too large resource version"). */
export class FutureRevisionError extends StoreError {
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`required revision ${requested} is a future revision (current ${current})`);
  }
}
