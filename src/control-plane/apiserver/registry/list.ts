// A consistent, paged list of one resource's objects (upstream's storage GetList): pages from the store at one
// revision, filtered, with continue tokens and remainingItemCount as the client's limit asks; an old continue
// token is a 410.
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { CompactedError, type KeyValue, type Store } from '../../../store/interface.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import { parseResourceVersion } from './meta-util.ts';
import type { ListRequest, ListResponse } from './types.ts';

export interface ListSource {
  store: Store;
  prefix: string;
  decode(kv: KeyValue): KubeObject;
}

export async function listObjects(src: ListSource, req: ListRequest): Promise<ListResponse> {
  const { store, prefix } = src;
  let revision: number | undefined;
  let startAfter: string | undefined;
  if (req.continueToken) {
    const token = decodeContinue(req.continueToken, prefix);
    revision = token.revision;
    startAfter = token.startAfter;
  } else if (req.resourceVersion && req.resourceVersion !== '0') {
    const rv = parseResourceVersion(req.resourceVersion);
    if (req.resourceVersionMatch === 'Exact') revision = rv;
    else if (rv > (await store.currentRevision())) {
      throw ApiError.of(504, 'Timeout', `Too large resource version: ${rv}, current: ${await store.currentRevision()}`);
    }
  }
  const allowCache = req.resourceVersion === '0' && !req.continueToken;
  const limit = req.limit && req.limit > 0 ? req.limit : 0;
  const items: KubeObject[] = [];
  let continueToken: string | undefined;
  let remainingItemCount: number | undefined;
  let listRevision = 0;
  for (;;) {
    const page = await listPage(store, prefix, { limit: limit ? Math.max(limit - items.length, 1) : 0, startAfter, revision, allowCache });
    listRevision = page.revision;
    revision = page.revision;
    let stoppedAt = -1;
    for (let i = 0; i < page.items.length; i++) {
      const obj = src.decode(page.items[i]);
      if (!req.filter || req.filter(obj)) items.push(obj);
      if (limit && items.length >= limit) {
        stoppedAt = i;
        break;
      }
    }
    if (stoppedAt >= 0) {
      const moreHere = stoppedAt < page.items.length - 1;
      if (moreHere || page.more) {
        continueToken = encodeContinue(listRevision, page.items[stoppedAt].key);
        if (!req.filter && page.remaining !== undefined) remainingItemCount = page.remaining + (page.items.length - 1 - stoppedAt);
      }
      break;
    }
    if (!page.more || page.items.length === 0) break;
    startAfter = page.items[page.items.length - 1].key;
  }
  return { items, resourceVersion: String(listRevision), continueToken, remainingItemCount };
}

async function listPage(store: Store, prefix: string, opts: { limit: number; startAfter?: string; revision?: number; allowCache: boolean }) {
  try {
    return await store.list(prefix, opts);
  } catch (e) {
    if (e instanceof CompactedError) {
      throw ApiError.gone(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      );
    }
    throw e;
  }
}
