import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { describe, it } from 'node:test';
import { runStoreConformance, take } from './conformance.ts';
import { CompactedError, type ProgressEvent, type Store, type WatchEvent, type WatchOptions } from './interface.ts';
import { openSqliteStore } from './sqlite.ts';
import { resourcePrefixOf, withWatchCache } from './watch-cache.ts';

/** Wraps a store, counting calls per method name. */
function counting(inner: Store): { store: Store; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

const sqlite = (): Store => openSqliteStore(':memory:', { compactIntervalMs: 0 });

runStoreConformance('watch cache over sqlite', async () => withWatchCache(sqlite()), (s) => s.close());

describe('watch cache', () => {
  it('derives the resource prefix from the first two path segments', () => {
    assert.equal(resourcePrefixOf('/registry/pods/default/x'), '/registry/pods/');
    assert.equal(resourcePrefixOf('/registry/deployments.apps/'), '/registry/deployments.apps/');
    assert.equal(resourcePrefixOf('/registry/pods'), undefined);
    assert.equal(resourcePrefixOf('/registry/'), undefined);
    assert.equal(resourcePrefixOf('registry/pods/x'), undefined);
    assert.equal(resourcePrefixOf('//pods/x'), undefined);
    assert.equal(resourcePrefixOf('/registry//x'), undefined);
    assert.equal(resourcePrefixOf('/registry/namespaces/default'), '/registry/namespaces/');
  });

  it('a get that allows the cache answers from memory once listed, and from the store for a key it lacks', async () => {
    const { store, calls } = counting(sqlite());
    const cache = withWatchCache(store);
    const key = '/registry/serviceaccounts/ns1/default';
    const gets = () => calls.get('get') ?? 0;
    try {
      await cache.create(key, 'a');
      // Before the cache has listed, the store answers (and the read starts the cache).
      assert.equal((await cache.get(key, { allowCache: true }))?.value, 'a');
      assert.equal(gets(), 1);
      await cache.list('/registry/serviceaccounts/', { allowCache: true });
      assert.equal((await cache.get(key, { allowCache: true }))?.value, 'a');
      assert.equal(gets(), 1);
      assert.equal(await cache.get('/registry/serviceaccounts/ns1/missing', { allowCache: true }), undefined);
      assert.equal(gets(), 2);
      // Without allowCache a get is the store's, always.
      assert.equal((await cache.get(key))?.value, 'a');
      assert.equal(gets(), 3);
    } finally {
      await cache.close();
    }
  });

  it('serves 100 watchers of one resource from one backend watch', async () => {
    const { store, calls } = counting(sqlite());
    const cache = withWatchCache(store);
    const ac = new AbortController();
    setMaxListeners(200, ac.signal);
    try {
      const rev = await cache.currentRevision();
      const watches = Array.from({ length: 100 }, (_, i) =>
        take(cache.watch(i % 2 ? '/registry/pods/' : '/registry/pods/ns1/', { afterRevision: rev, signal: ac.signal }), 5),
      );
      for (let i = 0; i < 5; i++) await cache.create(`/registry/pods/ns1/p${i}`, `${i}`);
      await cache.create('/registry/pods/ns2/other', 'x');
      const all = await Promise.all(watches);
      for (const events of all) assert.deepEqual(events.map((e) => e.kv.value), ['0', '1', '2', '3', '4']);
      const backendWatches = (calls.get('watch') ?? 0) + (calls.get('watchProgress') ?? 0);
      assert.equal(backendWatches, 1);
      assert.deepEqual(cache.stats().resources.map((r) => r.prefix), ['/registry/pods/']);
    } finally {
      ac.abort();
      await cache.close();
    }
  });

  it('a watch older than the event buffer fails with CompactedError; a recent one replays', async () => {
    const cache = withWatchCache(sqlite(), { bufferSize: 10 });
    const ac = new AbortController();
    try {
      const start = await cache.currentRevision();
      // Start the resource cache, then push 30 events through a 10-event ring.
      const first = take(cache.watch('/registry/cm/', { afterRevision: start, signal: ac.signal }), 30);
      for (let i = 0; i < 30; i++) await cache.create(`/registry/cm/default/c${i}`, `${i}`);
      assert.equal((await first).length, 30);
      await assert.rejects(take(cache.watch('/registry/cm/', { afterRevision: start + 5, signal: ac.signal }), 1), CompactedError);
      const recent = await take(cache.watch('/registry/cm/default/', { afterRevision: start + 25, signal: ac.signal }), 5);
      assert.deepEqual(recent.map((e) => e.kv.value), ['25', '26', '27', '28', '29']);
    } finally {
      ac.abort();
      await cache.close();
    }
  });

  it('list with allowCache is served from memory, and waits for a revision the caller saw', async () => {
    const { store, calls } = counting(sqlite());
    const cache = withWatchCache(store);
    try {
      for (const k of ['b', 'a', 'c']) await cache.create(`/registry/pods/ns1/${k}`, k);
      await cache.create('/registry/pods/ns2/z', 'z');
      const warm = await cache.list('/registry/pods/ns1/', { allowCache: true });
      assert.deepEqual(warm.items.map((kv) => kv.value), ['a', 'b', 'c']);
      const listsAfterWarmUp = calls.get('list');
      const kv = await cache.create('/registry/pods/ns1/d', 'd');
      const fresh = await cache.list('/registry/pods/ns1/', { allowCache: true, revision: kv.modRevision });
      assert.deepEqual(fresh.items.map((i) => i.value), ['a', 'b', 'c', 'd']);
      assert.ok(fresh.revision >= kv.modRevision);
      const page = await cache.list('/registry/pods/', { allowCache: true, limit: 2, startAfter: '/registry/pods/ns1/a' });
      assert.deepEqual(page.items.map((i) => i.value), ['b', 'c']);
      assert.equal(page.more, true);
      assert.equal(page.remaining, 2);
      assert.equal(calls.get('list'), listsAfterWarmUp);
      // Without allowCache the list is the store's.
      await cache.list('/registry/pods/');
      assert.equal(calls.get('list'), (listsAfterWarmUp ?? 0) + 1);
    } finally {
      await cache.close();
    }
  });

  it('catches up to a revision made by another resource through backend progress', async () => {
    const cache = withWatchCache(sqlite(), { backendProgressMs: 5 });
    try {
      await cache.list('/registry/pods/', { allowCache: true });
      const other = await cache.create('/registry/nodes/n1', '{}');
      const r = await cache.list('/registry/pods/', { allowCache: true, revision: other.modRevision });
      assert.ok(r.revision >= other.modRevision);
    } finally {
      await cache.close();
    }
  });

  it('watchProgress yields progress for bookmarks once idle, after the events before it', async () => {
    const cache = withWatchCache(sqlite(), { backendProgressMs: 5 });
    const ac = new AbortController();
    try {
      const rev = await cache.currentRevision();
      const items: (WatchEvent | ProgressEvent)[] = [];
      const watch = cache.watchProgress('/registry/pods/ns1/', { afterRevision: rev, signal: ac.signal, progressIntervalMs: 20 });
      const done = (async () => {
        for await (const item of watch) {
          items.push(item);
          if (item.type === 'progress' && item.revision >= rev + 3) break;
        }
      })();
      await cache.create('/registry/pods/ns1/a', '1');
      await cache.create('/registry/pods/ns2/b', '1');
      await cache.create('/registry/nodes/n1', '1');
      await done;
      assert.equal(items[0]?.type, 'put');
      for (const item of items.slice(1)) assert.equal(item.type, 'progress');
      assert.equal(items[items.length - 1]?.revision, rev + 3);
    } finally {
      ac.abort();
      await cache.close();
    }
  });

  it('resumes a broken backend watch without disturbing watchers; relists and ends them after compaction', async () => {
    const inner = sqlite();
    let failNext: Error | undefined;
    // A backend whose watch stream breaks with `failNext` after delivering one event.
    const flaky: Store = new Proxy(inner, {
      get(target, prop) {
        if (prop !== 'watch' && prop !== 'watchProgress') {
          const v: unknown = Reflect.get(target, prop, target);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        }
        return (prefix: string, opts: WatchOptions) =>
          (async function* () {
            for await (const e of inner.watch(prefix, opts)) {
              yield e;
              const err = failNext;
              failNext = undefined;
              if (err) throw err;
            }
          })();
      },
    });
    const cache = withWatchCache(flaky);
    const ac = new AbortController();
    try {
      const rev = await cache.currentRevision();
      const w = cache.watch('/registry/pods/', { afterRevision: rev, signal: ac.signal })[Symbol.asyncIterator]();
      failNext = new Error('connection reset');
      await cache.create('/registry/pods/ns/a', '1');
      assert.equal((await w.next()).value?.kv.value, '1');
      await cache.create('/registry/pods/ns/b', '2');
      assert.equal((await w.next()).value?.kv.value, '2');
      // Now the backend says the cache's position was compacted: it must relist and end the watcher with 410.
      failNext = new CompactedError(0, 0);
      await cache.create('/registry/pods/ns/c', '3');
      assert.equal((await w.next()).value?.kv.value, '3');
      await assert.rejects(w.next(), CompactedError);
      const listed = await cache.list('/registry/pods/', { allowCache: true, revision: await cache.currentRevision() });
      assert.deepEqual(listed.items.map((kv) => kv.value), ['1', '2', '3']);
    } finally {
      ac.abort();
      await cache.close();
    }
  });

  it('ends its watchers when the backend closes', async () => {
    const backend = sqlite();
    const cache = withWatchCache(backend);
    const ac = new AbortController();
    await cache.list('/registry/pods/', { allowCache: true });
    const it = cache.watch('/registry/pods/', { afterRevision: 0, signal: ac.signal })[Symbol.asyncIterator]();
    const next = it.next();
    await backend.close();
    assert.equal((await next).done, true);
    ac.abort();
    await cache.close();
  });
});
