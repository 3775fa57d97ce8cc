// A watch response: HTTP 200, chunked, one JSON watch event per line, until the client goes away, the
// timeout passes or the server shuts down. Events are objects, or one-row Tables when kubectl asks for them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { responseShape } from './content.ts';
import { listOptionsOf } from './query.ts';
import type { ApiWatchEvent, GenericStore } from './registry/generic-store.ts';
import { buildFilter } from './selectors.ts';
import { toPartialMetadata, toTable } from './table.ts';
import { watchMetrics } from './metrics.ts';

// Bookmarks while a watch is idle: often enough that a reconnecting client rarely needs a relist.
const bookmarkIntervalMs = 10_000;

export async function streamWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: GenericStore,
  namespace: string,
  query: URLSearchParams,
  accept: string | undefined,
  shutdown: AbortSignal,
): Promise<void> {
  const filter = buildFilter(store, query);
  const opts = listOptionsOf(query);
  // Absent or zero: upstream's default, a random 30-60 minutes so that watchers do not all reconnect at once.
  const timeoutSeconds = opts.timeoutSeconds || 1800 + Math.floor(Math.random() * 1800);
  const bookmarks = opts.allowWatchBookmarks;
  const sendInitialEvents = opts.sendInitialEvents ?? false;
  const shape = responseShape(accept);
  const includeObject = query.get('includeObject');

  const abort = new AbortController();
  const stop = () => abort.abort();
  // For a streaming response the client's departure shows on the response, not the request (see kubectl-wire.md).
  res.on('close', stop);
  shutdown.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, Math.max(0, timeoutSeconds) * 1000);

  let sentColumns = false;
  const encode = (ev: ApiWatchEvent): string => {
    let object: unknown = ev.object;
    if (ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') {
      if (shape === 'table') {
        object = toTable(store, [ev.object], { resourceVersion: ev.object.metadata?.resourceVersion, includeObject, omitColumns: sentColumns });
        sentColumns = true;
      } else if (shape === 'metadata') {
        object = toPartialMetadata(ev.object);
      }
    }
    return JSON.stringify({ type: ev.type, object }) + '\n';
  };

  const iterator = store.watch(namespace, {
    filter,
    resourceVersion: opts.resourceVersion,
    sendInitialEvents,
    bookmarkIntervalMs: bookmarks ? bookmarkIntervalMs : undefined,
    signal: abort.signal,
  });
  const gauge = watchMetrics.open(store.info.group, store.info.version, store.info.kind, store.info.resource);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  try {
    for await (const ev of iterator) {
      if (ev.type === 'BOOKMARK' && !bookmarks) continue;
      if (!res.write(encode(ev))) await waitDrain(res, abort.signal);
      if (abort.signal.aborted) break;
    }
  } catch (e) {
    if (!abort.signal.aborted) console.error('apiserver: watch failed:', e);
  } finally {
    gauge.close();
    clearTimeout(timer);
    shutdown.removeEventListener('abort', stop);
    abort.abort();
    if (!res.writableEnded && !res.destroyed) res.end();
  }
}

function waitDrain(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
