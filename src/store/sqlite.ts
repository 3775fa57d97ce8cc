// The embedded Store: one SQLite table of revisions, in the spirit of k3s's kine. Every write appends one row whose
// id is the new global revision; a key's current value is its newest row (a tombstone row when deleted). Writes are
// compare-and-swap inside one transaction. better-sqlite3 is synchronous and this process owns the file
// (locking_mode=EXCLUSIVE), so a commit and the fan-out of its event happen in the same tick: watchers see events
// strictly in revision order with no gaps, and a watch from an old revision replays rows from the table while live
// events queue up behind the replay. WAL with synchronous=NORMAL survives kill -9 of the process (the WAL is
// written before the commit returns); synchronous: 'full' also survives power loss at the cost of an fsync a write.
import Database from 'better-sqlite3';
import { EventQueue } from './event-queue.ts';
import {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  StoreError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type ProgressEvent,
  type ProgressWatchOptions,
  type Store,
  type WatchEvent,
  type WatchOptions,
} from './interface.ts';
import { SqliteStatements, prefixEnd, type Row } from './sqlite-schema.ts';

export interface SqliteStoreOptions {
  /** 'normal' (default) survives a process crash; 'full' fsyncs every commit and survives power loss. */
  synchronous?: 'normal' | 'full';
  /** Automatic compaction period in ms; 0 turns it off. Default 5 minutes, as kine. */
  compactIntervalMs?: number;
  /** How many recent revisions automatic compaction keeps. Default 1000. */
  compactRetain?: number;
  /** A watcher this many events behind is ended with an error instead of buffering without bound. */
  watchQueueLimit?: number;
}

interface Watcher {
  prefix: string;
  /** Only events after this revision (it can lie in the future, as etcd allows). */
  after: number;
  queue: EventQueue<WatchEvent>;
}

const REPLAY_PAGE = 500;
const COMPACT_BATCH = 10_000;

function rowKv(r: Row): KeyValue {
  return { key: r.name, value: r.value, createRevision: r.create_revision, modRevision: r.id };
}

function rowEvent(r: Row): WatchEvent {
  const kv = rowKv(r);
  const prevKv: KeyValue | undefined =
    r.created || r.old_value === null
      ? undefined
      : { key: r.name, value: r.old_value, createRevision: r.create_revision, modRevision: r.prev_revision };
  return { type: r.deleted ? 'delete' : 'put', kv, prevKv, revision: r.id };
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly st: SqliteStatements;
  private rev: number;
  private compactRev: number;
  private readonly watchers = new Set<Watcher>();
  private readonly compactor: NodeJS.Timeout | undefined;
  private readonly watchQueueLimit: number;
  private compacting: Promise<void> | undefined;
  private closed = false;

  constructor(file: string, opts: SqliteStoreOptions = {}) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.st = new SqliteStatements(this.db);
    this.rev = this.st.maxRevision();
    this.compactRev = this.st.readCompactRevision();
    this.watchQueueLimit = opts.watchQueueLimit ?? 100_000;
    const interval = opts.compactIntervalMs ?? 5 * 60_000;
    if (interval > 0) {
      const retain = opts.compactRetain ?? 1000;
      this.compactor = setInterval(() => {
        const target = this.rev - retain;
        if (target > this.compactRev && !this.compacting) this.compact(target).catch(() => undefined);
      }, interval);
      this.compactor.unref();
    }
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const r = this.st.latest.get(key) as Row | undefined;
    return r && !r.deleted ? rowKv(r) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = opts.revision || this.rev;
    this.checkReadable(revision);
    const end = prefixEnd(prefix);
    const after = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = (
      after === undefined
        ? this.st.listFrom.all(prefix, end, revision, limit < 0 ? -1 : limit + 1)
        : this.st.listAfter.all(after, end, revision, limit < 0 ? -1 : limit + 1)
    ) as Row[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    const result: ListResult = { items: rows.map(rowKv), revision, more };
    if (more) {
      const last = rows[rows.length - 1] as Row;
      result.remaining = (this.st.countAfter.get(last.name, end, revision) as { n: number }).n;
    }
    return result;
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    return (this.st.countFrom.get(prefix, prefixEnd(prefix), this.rev) as { n: number }).n;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    const row = this.st.write(() => {
      const cur = this.st.latest.get(key) as Row | undefined;
      if (cur && !cur.deleted) throw new KeyExistsError(key);
      const id = this.rev + 1;
      return this.st.append({ id, name: key, created: 1, deleted: 0, create_revision: id, prev_revision: cur?.id ?? 0, value, old_value: null });
    });
    this.committed(row);
    return rowKv(row);
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const row = this.st.write(() => {
      const cur = this.current(key, expectedModRevision);
      return this.st.append({ id: this.rev + 1, name: key, created: 0, deleted: 0, create_revision: cur.create_revision, prev_revision: cur.id, value, old_value: cur.value });
    });
    this.committed(row);
    return rowKv(row);
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const row = this.st.write(() => {
      const cur = this.current(key, expectedModRevision);
      return this.st.append({ id: this.rev + 1, name: key, created: 0, deleted: 1, create_revision: cur.create_revision, prev_revision: cur.id, value: cur.value, old_value: cur.value });
    });
    this.committed(row);
    return rowKv(row);
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    return this.watchItems(prefix, opts) as AsyncIterable<WatchEvent>;
  }

  watchProgress(prefix: string, opts: ProgressWatchOptions): AsyncIterable<WatchEvent | ProgressEvent> {
    return this.watchItems(prefix, opts, opts.progressIntervalMs ?? 1000);
  }

  private async *watchItems(prefix: string, opts: WatchOptions, progressMs?: number): AsyncGenerator<WatchEvent | ProgressEvent> {
    this.checkOpen();
    const after = opts.afterRevision;
    if (after < this.compactRev) throw new CompactedError(after, this.compactRev);
    // Registered before the replay, in the same tick that reads `until`: live events > until queue up meanwhile.
    const until = this.rev;
    const queue = new EventQueue<WatchEvent | ProgressEvent>(this.watchQueueLimit);
    const watcher: Watcher = { prefix, after, queue: queue as EventQueue<WatchEvent> };
    this.watchers.add(watcher);
    try {
      const end = prefixEnd(prefix);
      for (let cursor = after; cursor < until && !opts.signal.aborted; ) {
        if (cursor < this.compactRev) throw new CompactedError(cursor, this.compactRev);
        const rows = this.st.history.all(cursor, until, prefix, end, REPLAY_PAGE) as Row[];
        for (const r of rows) yield rowEvent(r);
        cursor = rows.length < REPLAY_PAGE ? until : (rows[rows.length - 1] as Row).id;
      }
      yield* queue.iterate({
        signal: opts.signal,
        idleMs: progressMs,
        onIdle: progressMs === undefined ? undefined : () => ({ type: 'progress', revision: Math.max(this.rev, after) }),
      });
    } finally {
      this.watchers.delete(watcher);
      queue.end();
    }
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    while (this.compacting) await this.compacting;
    if (revision <= this.compactRev) return;
    this.compacting = this.compactInBatches(revision);
    try {
      await this.compacting;
    } finally {
      this.compacting = undefined;
    }
  }

  // Batches keep one compaction from holding the (synchronous) database for long; other calls run in between.
  private async compactInBatches(revision: number): Promise<void> {
    while (this.compactRev < revision && !this.closed) {
      const upTo = Math.min(revision, this.compactRev + COMPACT_BATCH);
      this.st.compactRange(this.compactRev, upTo);
      this.compactRev = upTo;
      if (upTo < revision) await new Promise((r) => setImmediate(r));
    }
  }

  async compactedRevision(): Promise<number> {
    return this.compactRev;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.compactor) clearInterval(this.compactor);
    for (const w of this.watchers) w.queue.end();
    this.watchers.clear();
    this.db.close();
  }

  private current(key: string, expected: number | undefined): Row {
    const cur = this.st.latest.get(key) as Row | undefined;
    if (!cur || cur.deleted) throw new KeyNotFoundError(key);
    if (expected !== undefined && cur.id !== expected) throw new RevisionConflictError(key, rowKv(cur));
    return cur;
  }

  private committed(row: Row): void {
    this.rev = row.id;
    let event: WatchEvent | undefined;
    for (const w of this.watchers) {
      if (row.id <= w.after || !row.name.startsWith(w.prefix)) continue;
      event ??= rowEvent(row);
      w.queue.push(event);
    }
  }

  private checkReadable(revision: number): void {
    if (revision < this.compactRev) throw new CompactedError(revision, this.compactRev);
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('store is closed');
  }
}

export function openSqliteStore(file: string, opts?: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(file, opts);
}
