// The reflector keeps a Cache equal to the server's state for one resource: list, then watch from the list's
// resourceVersion; when a watch ends, watch again from the last resourceVersion seen (events and bookmarks both
// advance it), so nothing is lost or repeated; when that version is gone (410 / ERROR Expired), list again and
// replace the cache, reporting only the differences. Errors back off exponentially. Every change to the cache is
// reported to `notify` in order, after the cache holds it. With metadataOnly it lists and watches
// PartialObjectMetadata instead of whole objects.
import type { ApiObject } from './types.ts';
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../api/object.ts';
import { type Clock, realClock, sleep } from './clock.ts';
import { type Cache, objectKey } from './cache.ts';
import { isGone, StatusError } from './errors.ts';
import type { RestClient } from './rest.ts';
import type { ResourceRef } from './resource-ref.ts';

export type Delta<T> =
  | { type: 'add'; object: T; initial: boolean }
  | { type: 'update'; old: T; object: T }
  | { type: 'delete'; object: T };

export interface ListWatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List and watch only metadata (PartialObjectMetadata), as upstream's metadata informers: for consumers that
   *  read nothing else (the garbage collector), so Secrets' data and pods' specs are never held in memory. */
  metadataOnly?: boolean;
}

/** What upstream's metadata client asks for (lists; watches and GETs): a server that cannot answer falls back to whole objects. */
export const metadataListAccept = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
export const metadataObjectAccept = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

export interface ReflectorOptions<T extends ApiObject> extends ListWatchOptions {
  client: RestClient;
  ref: ResourceRef;
  cache: Cache<T>;
  notify: (d: Delta<T>) => void;
  /** Called after every successful list has been applied (the first one means "synced"). */
  onListed?: () => void;
  clock?: Clock;
  /** Backoff after failures: starts here and doubles up to maxBackoffMs (defaults 800 ms, 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Server-side watch timeout; default a random 5–10 minutes so many clients do not reconnect in step. */
  watchTimeoutSeconds?: number;
  pageSize?: number;
}

type WatchEnd = 'ended' | 'expired';

export class Reflector<T extends ApiObject = KubeObject> {
  /** The newest resourceVersion this reflector has seen; a re-watch starts here. */
  lastSyncResourceVersion = '';
  private readonly clock: Clock;
  private backoffMs = 0;

  constructor(private readonly o: ReflectorOptions<T>) {
    this.clock = o.clock ?? realClock;
  }

  /** Runs until signal aborts; never throws. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.listAndReplace(signal);
        this.resetBackoff();
        for (;;) {
          const end = await this.watchOnce(signal);
          if (signal.aborted || end === 'expired') break;
        }
      } catch (err) {
        if (signal.aborted) break;
        if (!isGone(err)) this.report('list', err);
        await this.backoff(signal);
      }
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const { client, ref, namespace, labelSelector, fieldSelector } = this.o;
    const accept = this.o.metadataOnly ? metadataListAccept : undefined;
    const list = await client.listAll<T>(ref, { namespace, labelSelector, fieldSelector, limit: this.o.pageSize ?? 500, signal, accept });
    this.replace(list.items ?? []);
    this.lastSyncResourceVersion = list.metadata?.resourceVersion ?? '';
    this.o.onListed?.();
  }

  /** Makes the cache equal to items, reporting adds, changed objects and deletions. */
  private replace(items: T[]): void {
    const { cache, notify } = this.o;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = cache.set(obj);
      if (!old) notify({ type: 'add', object: obj, initial: true });
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) notify({ type: 'update', old, object: obj });
    }
    for (const key of cache.keys()) {
      if (seen.has(key)) continue;
      const old = cache.delete(key);
      if (old) notify({ type: 'delete', object: old });
    }
  }

  /**
   * One watch from lastSyncResourceVersion. Returns 'ended' when the stream closed (re-watch), 'expired' when the
   * version is gone (relist). Errors while streaming back off and re-watch from the last version seen.
   */
  private async watchOnce(signal: AbortSignal): Promise<WatchEnd> {
    const { client, ref, namespace, labelSelector, fieldSelector } = this.o;
    const timeoutSeconds = this.o.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    let events = 0;
    const started = this.clock.now();
    try {
      const stream = client.watch<T>(ref, {
        namespace, labelSelector, fieldSelector, resourceVersion: this.lastSyncResourceVersion,
        allowWatchBookmarks: true, timeoutSeconds, signal, accept: this.o.metadataOnly ? metadataObjectAccept : undefined,
      });
      for await (const ev of stream) {
        if (ev.type === 'ERROR') {
          const status: Status = ev.object;
          if (isGone(new StatusError(status))) return 'expired';
          throw new StatusError(status);
        }
        events++;
        this.apply(ev.type, ev.object);
        const rv = ev.object.metadata?.resourceVersion;
        if (rv) this.lastSyncResourceVersion = rv;
      }
    } catch (err) {
      if (signal.aborted) return 'ended';
      if (isGone(err)) return 'expired';
      this.report('watch', err);
      await this.backoff(signal);
      return 'ended';
    }
    // A stream that closes at once, empty, again and again (a server refusing us quietly) must not become a busy
    // loop; one that simply timed out, or delivered events, is re-watched at once.
    if (events === 0 && this.clock.now() - started < 1000) await this.backoff(signal);
    else this.resetBackoff();
    return 'ended';
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', obj: T): void {
    if (type === 'BOOKMARK') return;
    const { cache, notify } = this.o;
    if (type === 'DELETED') {
      const old = cache.delete(objectKey(obj));
      if (old) notify({ type: 'delete', object: obj });
      return;
    }
    const old = cache.set(obj);
    if (!old) notify({ type: 'add', object: obj, initial: false });
    // An event we already hold (same resourceVersion) is a replay, not a change.
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) notify({ type: 'update', old, object: obj });
  }

  private resetBackoff(): void {
    this.backoffMs = 0;
  }

  private async backoff(signal: AbortSignal): Promise<void> {
    const initial = this.o.initialBackoffMs ?? 800;
    this.backoffMs = this.backoffMs === 0 ? initial : Math.min(this.backoffMs * 2, this.o.maxBackoffMs ?? 30_000);
    await sleep(this.clock, this.backoffMs, signal);
  }

  private report(what: string, err: unknown): void {
    const r = this.o.ref;
    console.error(`reflector ${r.group || 'core'}/${r.version}/${r.resource}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
