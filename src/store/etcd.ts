// The Store on a real etcd v3 cluster, as kube-apiserver's etcd3 storage does it: create is a txn guarded by
// create_revision == 0, update and delete are txns guarded by mod_revision == expected, reads are ranges (with
// limit, a start key and a revision), and every watch is its own gRPC watch stream with prev_kv, so a compaction
// cancel arrives with its compact_revision and becomes a CompactedError. Keys are stored under `prefix`.
// The compacted revision is also recorded under `<prefix>compact_rev_key` (like upstream's compactor), because
// etcd has no call that reports it.
import { Etcd3, type IKeyValue, type IWatchResponse } from 'etcd3';
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

export interface EtcdStoreOptions {
  endpoints: string[];
  /** Prepended to every key in etcd (and removed again on the way out). Default ''. */
  prefix?: string;
  /** A watcher this many events behind is ended with an error. */
  watchQueueLimit?: number;
}

const COMPACT_KEY = 'compact_rev_key';

function rangeEnd(key: Buffer): Buffer {
  // etcd's prefix range: the key with its last byte incremented, dropping trailing 0xff bytes.
  const end = Buffer.from(key);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly prefix: string;
  private readonly watchQueueLimit: number;
  private readonly streams = new Set<{ cancel(): void }>();

  constructor(opts: EtcdStoreOptions) {
    // Unpaged lists of a big resource exceed grpc's 4 MiB default; etcd's own request limits still apply.
    this.client = new Etcd3({ hosts: opts.endpoints, grpcOptions: { 'grpc.max_receive_message_length': -1 } });
    this.prefix = opts.prefix ?? '';
    this.watchQueueLimit = opts.watchQueueLimit ?? 100_000;
  }

  private buf(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  private kv(k: IKeyValue): KeyValue {
    return {
      key: k.key.toString().slice(this.prefix.length),
      value: k.value.toString(),
      createRevision: Number(k.create_revision),
      modRevision: Number(k.mod_revision),
    };
  }

  /** Turns etcd's revision errors into the Store's; anything else passes through. */
  private async translate(err: unknown, revision: number): Promise<never> {
    const msg = err instanceof Error ? err.message : String(err);
    if (msg.includes('required revision has been compacted')) {
      throw new CompactedError(revision, Math.max(await this.compactedRevision(), revision));
    }
    if (msg.includes('required revision is a future revision')) {
      throw new FutureRevisionError(revision, await this.currentRevision());
    }
    throw err;
  }

  async currentRevision(): Promise<number> {
    const res = await this.client.kv.range({ key: this.buf(COMPACT_KEY), count_only: true });
    return Number(res.header.revision);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.client.kv.range({ key: this.buf(key) });
    const first = res.kvs[0];
    return first ? this.kv(first) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = this.buf(prefix);
    const end = rangeEnd(start);
    const from =
      opts.startAfter !== undefined && opts.startAfter >= prefix
        ? Buffer.concat([this.buf(opts.startAfter), Buffer.from([0])])
        : start;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const revision = opts.revision ?? 0;
    const res = await this.client.kv
      .range({ key: from, range_end: end, limit, revision })
      .catch((err: unknown) => this.translate(err, revision));
    const items = res.kvs.map((k) => this.kv(k));
    const result: ListResult = { items, revision: Number(res.header.revision), more: res.more };
    if (revision > 0) result.revision = revision;
    if (res.more) result.remaining = Number(res.count) - items.length;
    return result;
  }

  async count(prefix: string): Promise<number> {
    const start = this.buf(prefix);
    const res = await this.client.kv.range({ key: start, range_end: rangeEnd(start), count_only: true });
    return Number(res.count);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = this.buf(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
    });
    if (!res.succeeded) throw new KeyExistsError(key);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const k = this.buf(key);
    const res = await this.client.kv.txn({
      compare: [
        { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
        { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision },
      ],
      success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) return this.failed(key, res.responses[0]?.response_range.kvs[0]);
    const prev = res.responses[0]?.response_put.prev_kv;
    const rev = Number(res.header.revision);
    return { key, value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = this.buf(key);
    const res = await this.client.kv.txn({
      compare: [
        { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
        ...(expectedModRevision === undefined
          ? []
          : [{ key: k, target: 'Mod' as const, result: 'Equal' as const, mod_revision: expectedModRevision }]),
      ],
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) return this.failed(key, res.responses[0]?.response_range.kvs[0]);
    const prev = res.responses[0]?.response_delete_range.prev_kvs[0];
    if (!prev) throw new KeyNotFoundError(key);
    return { ...this.kv(prev), modRevision: Number(res.header.revision) };
  }

  private failed(key: string, current: IKeyValue | undefined): never {
    if (!current) throw new KeyNotFoundError(key);
    throw new RevisionConflictError(key, this.kv(current));
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    return this.watchItems(prefix, opts, false) as AsyncIterable<WatchEvent>;
  }

  /** Progress items come from etcd's own progress notifications (--experimental-watch-progress-notify-interval). */
  watchProgress(prefix: string, opts: ProgressWatchOptions): AsyncIterable<WatchEvent | ProgressEvent> {
    return this.watchItems(prefix, opts, true);
  }

  private async *watchItems(prefix: string, opts: WatchOptions, progress: boolean): AsyncGenerator<WatchEvent | ProgressEvent> {
    if (opts.signal.aborted) return;
    const queue = new EventQueue<WatchEvent | ProgressEvent>(this.watchQueueLimit);
    const stream = await this.client.watchClient.watch();
    this.streams.add(stream);
    const start = this.buf(prefix);
    stream.on('data', (res: IWatchResponse) => this.onWatchResponse(res, queue, opts.afterRevision, progress));
    stream.on('error', (err: Error) => {
      if (!queue.closed) queue.fail(new StoreError(`etcd watch failed: ${err.message}`));
    });
    stream.on('end', () => queue.fail(new StoreError('etcd watch stream ended')));
    stream.write({
      create_request: {
        key: start,
        range_end: rangeEnd(start),
        start_revision: opts.afterRevision + 1,
        prev_kv: true,
        progress_notify: progress,
      },
    });
    try {
      yield* queue.iterate({ signal: opts.signal });
    } finally {
      this.streams.delete(stream);
      stream.cancel();
    }
  }

  private onWatchResponse(res: IWatchResponse, queue: EventQueue<WatchEvent | ProgressEvent>, after: number, progress: boolean): void {
    if (res.canceled) {
      const compacted = Number(res.compact_revision);
      queue.fail(compacted > 0 ? new CompactedError(after, compacted) : new StoreError(`etcd watch canceled: ${res.cancel_reason}`));
      return;
    }
    if (res.created) return;
    if (res.events.length === 0) {
      if (progress) queue.push({ type: 'progress', revision: Number(res.header.revision) });
      return;
    }
    for (const ev of res.events) {
      const prevKv = ev.prev_kv ? this.kv(ev.prev_kv) : undefined;
      const revision = Number(ev.kv.mod_revision);
      if (ev.type === 'Delete') {
        const kv: KeyValue = {
          key: ev.kv.key.toString().slice(this.prefix.length),
          value: prevKv?.value ?? '',
          createRevision: prevKv?.createRevision ?? 0,
          modRevision: revision,
        };
        queue.push({ type: 'delete', kv, prevKv, revision });
      } else {
        const kv = this.kv(ev.kv);
        queue.push({ type: 'put', kv, prevKv: kv.createRevision === revision ? undefined : prevKv, revision });
      }
    }
  }

  async compact(revision: number): Promise<void> {
    if (revision <= (await this.compactedRevision())) return;
    try {
      await this.client.kv.compact({ revision, physical: true });
    } catch (err) {
      // Already compacted further (by another client or etcd's own compactor) is what was asked for.
      const msg = err instanceof Error ? err.message : String(err);
      if (!msg.includes('required revision has been compacted')) await this.translate(err, revision);
    }
    await this.client.kv.put({ key: this.buf(COMPACT_KEY), value: Buffer.from(String(revision)) });
  }

  async compactedRevision(): Promise<number> {
    const res = await this.client.kv.range({ key: this.buf(COMPACT_KEY) });
    const first = res.kvs[0];
    return first ? Number(first.value.toString()) : 0;
  }

  async close(): Promise<void> {
    for (const s of this.streams) s.cancel();
    this.streams.clear();
    this.client.close();
  }
}

export function openEtcdStore(opts: EtcdStoreOptions): EtcdStore {
  return new EtcdStore(opts);
}
