// A watch response: HTTP 200, chunked, one JSON watch event per line, until the client goes away, the
// timeout passes or the server shuts down. Events are objects, or one-row Tables when kubectl asks for them.
// Failures stay inside this request: before the head is sent a throw becomes the request's error Status; after
// it, a failing event (encoding, the store's stream) ends this watch with an ERROR event carrying a 500 Status,
// as upstream's watch server does, and the client re-watches. A watch that starts while the server is shutting
// down ends at once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { responseShape } from './content.ts';
import { listOptionsOf } from './query.ts';
import type { ApiWatchEvent, GenericStore } from './registry/generic-store.ts';
import { buildFilter } from './selectors.ts';
import { toPartialMetadata, toTable } from './table.ts';
import { countWatchEvent, watchMetrics } from './metrics.ts';
import { ApiError } from '../../api/errors.ts';

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
  let sentColumns = false;
  const encode = (ev: ApiWatchEvent): string => {
    let object: unknown = ev.object;
    // upstream transforms bookmarks too: a metadata watch carries PartialObjectMetadata in every non-error event
    if (shape === 'metadata' && ev.type !== 'ERROR') object = toPartialMetadata(ev.object);
    else if (shape === 'table' && ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') {
      object = toTable(store, [ev.object], { resourceVersion: ev.object.metadata?.resourceVersion, includeObject, omitColumns: sentColumns });
      sentColumns = true;
    }
    return JSON.stringify({ type: ev.type, object }) + '\n';
  };
  const { group, version, kind } = store.info;

  // Registered first: if this throws, nothing else was set up, and the request answers with the error.
  const gauge = watchMetrics.open(group, version, kind, store.info.resource);
  let timer: NodeJS.Timeout | undefined;
  try {
    // For a streaming response the client's departure shows on the response, not the request (see kubectl-wire.md).
    res.on('close', stop);
    if (shutdown.aborted) stop();
    else shutdown.addEventListener('abort', stop, { once: true });
    timer = setTimeout(stop, Math.max(0, timeoutSeconds) * 1000);
    const iterator = store.watch(namespace, {
      filter,
      resourceVersion: opts.resourceVersion,
      sendInitialEvents,
      bookmarkIntervalMs: bookmarks ? bookmarkIntervalMs : undefined,
      signal: abort.signal,
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    try {
      for await (const ev of iterator) {
        if (ev.type === 'BOOKMARK' && !bookmarks) continue;
        if (!res.write(encode(ev))) await waitDrain(res, abort.signal);
        if (ev.type !== 'BOOKMARK') countWatchEvent(group, version, kind);
        if (abort.signal.aborted) break;
      }
    } catch (e) {
      if (!abort.signal.aborted) {
        if (!(e instanceof ApiError)) console.error('apiserver: watch failed:', e);
        const status = (e instanceof ApiError ? e : ApiError.internal(e instanceof Error ? e.message : String(e))).status;
        if (!res.destroyed) res.write(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
      }
    }
  } finally {
    gauge.close();
    clearTimeout(timer);
    res.off('close', stop);
    shutdown.removeEventListener('abort', stop);
    abort.abort();
    if (res.headersSent && !res.writableEnded && !res.destroyed) res.end();
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
