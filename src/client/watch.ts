// A watch is an AsyncIterable of events parsed from the server's newline-delimited JSON stream
// (GET …?watch=true&resourceVersion=…&allowWatchBookmarks=true&timeoutSeconds=…). It ends when the server closes
// the stream or the signal aborts (quietly: aborting is how callers stop it); a failure to start throws StatusError.
import type { ApiObject } from './types.ts';
import { StringDecoder } from 'node:string_decoder';
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { RestClient } from './rest.ts';
import { type ResourceRef, resourcePath, queryString } from './resource-ref.ts';

export type WatchEvent<T extends ApiObject = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  /** Carries only metadata.resourceVersion: "everything up to here has been sent". */
  | { type: 'BOOKMARK'; object: T }
  /** Usually a 410 Expired Status: the requested resourceVersion is gone, relist. */
  | { type: 'ERROR'; object: Status };

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version; unset or "0" starts with synthetic ADDED events for current state. */
  resourceVersion?: string;
  /** Default true. */
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
  /** Accept header (default application/json); e.g. metadataObjectAccept for PartialObjectMetadata events. */
  accept?: string;
}

const eventTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Splits a byte stream into lines (UTF-8 safe across chunk borders) and parses each as one watch event. */
export async function* parseWatchStream<T extends ApiObject = KubeObject>(body: AsyncIterable<Buffer | string>): AsyncGenerator<WatchEvent<T>> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const parse = (line: string): WatchEvent<T> => {
    const ev = JSON.parse(line) as { type?: unknown; object?: unknown };
    if (typeof ev.type !== 'string' || !eventTypes.has(ev.type) || typeof ev.object !== 'object' || ev.object === null) {
      throw new Error(`malformed watch event: ${line.slice(0, 200)}`);
    }
    return ev as WatchEvent<T>;
  };
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield parse(line);
    }
  }
  const rest = (pending + decoder.end()).trim();
  if (rest) yield parse(rest);
}

export function watchPath(ref: ResourceRef, o: WatchOptions): string {
  return resourcePath(ref, { namespace: ref.namespaced ? o.namespace : undefined }) + queryString({
    watch: 'true',
    resourceVersion: o.resourceVersion,
    allowWatchBookmarks: o.allowWatchBookmarks === false ? undefined : 'true',
    labelSelector: o.labelSelector,
    fieldSelector: o.fieldSelector,
    timeoutSeconds: o.timeoutSeconds,
  });
}

export async function* watch<T extends ApiObject = KubeObject>(client: RestClient, ref: ResourceRef, o: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
  const signal = o.signal;
  if (signal?.aborted) return;
  let res;
  try {
    res = await client.send({ method: 'GET', path: watchPath(ref, o), signal, accept: o.accept });
  } catch (err) {
    if (signal?.aborted) return;
    throw err;
  }
  try {
    yield* parseWatchStream<T>(res.body);
  } catch (err) {
    if (signal?.aborted) return;
    throw err;
  }
}
