// A resource's watch: the store's events under a prefix turned into API watch events (ADDED / MODIFIED /
// DELETED through a filter, BOOKMARK for progress, ERROR 410 once the start revision is compacted).
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { CompactedError, type KeyValue, type Store, type WatchEvent } from '../../../store/interface.ts';
import { watchWithProgress } from '../../../store/progress.ts';
import type { ApiWatchEvent, ObjectFilter } from './types.ts';

export interface WatchSource {
  store: Store;
  prefix: string;
  decode(kv: KeyValue): KubeObject;
  /** apiVersion/kind for BOOKMARK objects. */
  typeMeta: { apiVersion: string; kind: string };
}

export async function* watchFrom(
  src: WatchSource, after: number, filter: ObjectFilter, signal: AbortSignal, bookmarkIntervalMs?: number,
): AsyncGenerator<ApiWatchEvent> {
  try {
    const events = bookmarkIntervalMs
      ? watchWithProgress(src.store, src.prefix, { afterRevision: after, signal, progressIntervalMs: bookmarkIntervalMs })
      : src.store.watch(src.prefix, { afterRevision: after, signal });
    for await (const ev of events) {
      if (ev.type === 'progress') {
        // Every event up to this revision has been yielded, so a client may resume from it.
        yield { type: 'BOOKMARK', object: { ...src.typeMeta, metadata: { resourceVersion: String(ev.revision) } } };
        continue;
      }
      const out = toApiEvent(src, ev, filter);
      if (out) yield out;
    }
  } catch (e) {
    if (e instanceof CompactedError) {
      yield { type: 'ERROR', object: ApiError.gone(`too old resource version: ${after} (${e.compacted + 1})`).status as unknown as KubeObject };
      return;
    }
    if (signal.aborted) return;
    throw e;
  }
}

function toApiEvent(src: WatchSource, ev: WatchEvent, filter: ObjectFilter): ApiWatchEvent | undefined {
  const object = src.decode(ev.kv);
  if (ev.type === 'delete') return filter(object) ? { type: 'DELETED', object } : undefined;
  const now = filter(object);
  if (!ev.prevKv) return now ? { type: 'ADDED', object } : undefined;
  const before = filter(src.decode(ev.prevKv));
  // An object moving into or out of a selector appears as ADDED/DELETED, as upstream's filtered watch does.
  if (now && before) return { type: 'MODIFIED', object };
  if (now) return { type: 'ADDED', object };
  if (before) return { type: 'DELETED', object };
  return undefined;
}
