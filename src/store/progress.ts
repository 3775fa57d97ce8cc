// watchWithProgress: what the apiserver calls to stream a watch with BOOKMARKs. It uses the store's watchProgress
// when the store has one (SQLite, etcd, the watch cache) and otherwise falls back to a plain watch, which then
// simply never yields a progress item: bookmarks are an optimisation clients must not depend on.
import type { ProgressEvent, ProgressWatchOptions, Store, WatchEvent } from './interface.ts';

export function watchWithProgress(
  store: Store,
  prefix: string,
  opts: ProgressWatchOptions,
): AsyncIterable<WatchEvent | ProgressEvent> {
  return store.watchProgress ? store.watchProgress(prefix, opts) : store.watch(prefix, opts);
}
