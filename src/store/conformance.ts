// One behavioural suite every Store backend must pass (etcd's semantics as the apiserver relies on them), in the way
// upstream's storage tests run against etcd3 and the cacher alike. Each test opens a fresh store, uses its own key
// prefix and reasons only relative to the revisions it observes, so it also works against a shared real etcd.
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { describe, it } from 'node:test';
import {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type Store,
  type WatchEvent,
} from './interface.ts';

/** Reads n items from a watch; fails (instead of hanging) if they do not arrive within a generous bound. */
export async function take(iter: AsyncIterable<WatchEvent>, n: number, timeoutMs = 10_000): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  if (n === 0) return out;
  const it = iter[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} events, got ${out.length}`)), timeoutMs);
  });
  try {
    while (out.length < n) {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) break;
      out.push(r.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

function summary(events: WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.kv.key}=${e.kv.value}`);
}

export function runStoreConformance(
  name: string,
  open: () => Promise<Store>,
  close: (s: Store) => Promise<void>,
): void {
  let n = 0;
  const withStore = (fn: (s: Store, p: string) => Promise<void>) => async () => {
    const s = await open();
    const p = `/conf/${process.pid}-${Date.now().toString(36)}-${n++}/`;
    try {
      await fn(s, p);
    } finally {
      await close(s);
    }
  };

  describe(`Store conformance: ${name}`, () => {
    it('create returns a kv whose revisions are the new global revision', withStore(async (s, p) => {
      const before = await s.currentRevision();
      const kv = await s.create(`${p}a`, 'one');
      assert.equal(kv.key, `${p}a`);
      assert.equal(kv.value, 'one');
      assert.ok(kv.modRevision > before);
      assert.equal(kv.createRevision, kv.modRevision);
      assert.equal(await s.currentRevision(), kv.modRevision);
      assert.deepEqual(await s.get(`${p}a`), kv);
      assert.equal(await s.get(`${p}missing`), undefined);
    }));

    it('revisions are global and strictly increasing across keys and kinds of write', withStore(async (s, p) => {
      const a = await s.create(`${p}a`, '1');
      const b = await s.create(`${p}b`, '1');
      const a2 = await s.update(`${p}a`, '2', a.modRevision);
      const d = await s.delete(`${p}b`);
      const revs = [a.modRevision, b.modRevision, a2.modRevision, d.modRevision];
      for (let i = 1; i < revs.length; i++) assert.ok((revs[i] as number) > (revs[i - 1] as number), `${revs}`);
      assert.equal(a2.createRevision, a.createRevision);
    }));

    it('create of an existing key fails; after delete it succeeds with a new createRevision', withStore(async (s, p) => {
      const first = await s.create(`${p}k`, 'v1');
      await assert.rejects(s.create(`${p}k`, 'v2'), KeyExistsError);
      assert.equal((await s.get(`${p}k`))?.value, 'v1');
      await s.delete(`${p}k`);
      const again = await s.create(`${p}k`, 'v3');
      assert.ok(again.createRevision > first.createRevision);
      assert.equal(again.createRevision, again.modRevision);
    }));

    it('update is compare-and-swap and a conflict carries the current kv', withStore(async (s, p) => {
      const kv = await s.create(`${p}k`, 'v1');
      const kv2 = await s.update(`${p}k`, 'v2', kv.modRevision);
      await assert.rejects(s.update(`${p}k`, 'v3', kv.modRevision), (err: unknown) => {
        assert.ok(err instanceof RevisionConflictError);
        assert.deepEqual(err.current, kv2);
        return true;
      });
      await assert.rejects(s.update(`${p}none`, 'x', 1), KeyNotFoundError);
      assert.equal((await s.get(`${p}k`))?.value, 'v2');
    }));

    it('delete checks the expected revision and returns the last value at the delete revision', withStore(async (s, p) => {
      const kv = await s.create(`${p}k`, 'v1');
      await assert.rejects(s.delete(`${p}k`, kv.modRevision + 1000), (err: unknown) => {
        assert.ok(err instanceof RevisionConflictError);
        assert.deepEqual(err.current, kv);
        return true;
      });
      const del = await s.delete(`${p}k`, kv.modRevision);
      assert.equal(del.value, 'v1');
      assert.equal(del.createRevision, kv.createRevision);
      assert.ok(del.modRevision > kv.modRevision);
      assert.equal(await s.currentRevision(), del.modRevision);
      assert.equal(await s.get(`${p}k`), undefined);
      await assert.rejects(s.delete(`${p}k`), KeyNotFoundError);
    }));

    it('concurrent creates of one key: exactly one wins', withStore(async (s, p) => {
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => s.create(`${p}race`, `v${i}`)));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof KeyExistsError);
    }));

    it('concurrent updates from one revision: exactly one wins', withStore(async (s, p) => {
      const kv = await s.create(`${p}k`, '0');
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.update(`${p}k`, `${i}`, kv.modRevision)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof RevisionConflictError);
    }));

    it('list returns keys under the prefix in key order, nothing outside it', withStore(async (s, p) => {
      for (const k of ['b', 'a', 'c/x', 'c']) await s.create(`${p}ns/${k}`, k);
      await s.create(`${p}ns2/a`, 'other');
      await s.create(`${p}n`, 'other');
      const r = await s.list(`${p}ns/`);
      assert.deepEqual(r.items.map((kv) => kv.key), ['a', 'b', 'c', 'c/x'].map((k) => `${p}ns/${k}`));
      assert.equal(r.more, false);
      assert.equal(r.revision, await s.currentRevision());
      assert.equal(await s.count(`${p}ns/`), 4);
      assert.equal(await s.count(`${p}`), 6);
      assert.deepEqual((await s.list(`${p}nothing/`)).items, []);
    }));

    it('list pages with limit and startAfter, all pages at the first page revision', withStore(async (s, p) => {
      for (let i = 0; i < 10; i++) await s.create(`${p}k${i}`, `${i}`);
      const first = await s.list(p, { limit: 4 });
      assert.equal(first.items.length, 4);
      assert.equal(first.more, true);
      if (first.remaining !== undefined) assert.equal(first.remaining, 6);
      await s.delete(`${p}k9`);
      await s.create(`${p}k99`, 'late');
      const keys = first.items.map((kv) => kv.key);
      let page = first;
      while (page.more) {
        page = await s.list(p, { limit: 4, startAfter: keys[keys.length - 1], revision: first.revision });
        assert.equal(page.revision, first.revision);
        keys.push(...page.items.map((kv) => kv.key));
      }
      assert.deepEqual(keys, Array.from({ length: 10 }, (_, i) => `${p}k${i}`));
      const now = await s.list(p);
      assert.deepEqual(now.items.map((kv) => kv.key).slice(-2), [`${p}k8`, `${p}k99`]);
    }));

    it('list at an old revision sees the state of that revision', withStore(async (s, p) => {
      const a = await s.create(`${p}a`, 'a1');
      await s.create(`${p}b`, 'b1');
      const at = await s.currentRevision();
      await s.update(`${p}a`, 'a2', a.modRevision);
      await s.delete(`${p}b`);
      await s.create(`${p}c`, 'c1');
      const old = await s.list(p, { revision: at });
      assert.deepEqual(old.items.map((kv) => `${kv.key}=${kv.value}`), [`${p}a=a1`, `${p}b=b1`]);
      assert.equal(old.revision, at);
      const now = await s.list(p);
      assert.deepEqual(now.items.map((kv) => `${kv.key}=${kv.value}`), [`${p}a=a2`, `${p}c=c1`]);
    }));

    it('a list at a revision the store has not reached fails with FutureRevisionError', withStore(async (s, p) => {
      await s.create(`${p}a`, '1');
      await assert.rejects(s.list(p, { revision: (await s.currentRevision()) + 1000 }), FutureRevisionError);
    }));

    it('compaction: reads below the compacted revision fail, reads at or above it work', withStore(async (s, p) => {
      const a = await s.create(`${p}a`, 'a1');
      const old = await s.currentRevision();
      const a2 = await s.update(`${p}a`, 'a2', a.modRevision);
      await s.create(`${p}b`, 'b1');
      await s.delete(`${p}b`);
      const c = await s.currentRevision();
      await s.update(`${p}a`, 'a3', a2.modRevision);
      await s.compact(c);
      assert.ok((await s.compactedRevision()) >= c);
      await assert.rejects(s.list(p, { revision: old }), CompactedError);
      const atC = await s.list(p, { revision: (await s.compactedRevision()) });
      assert.deepEqual(atC.items.map((kv) => kv.value), ['a2']);
      assert.deepEqual((await s.list(p)).items.map((kv) => kv.value), ['a3']);
      assert.equal((await s.get(`${p}a`))?.value, 'a3');
      await s.compact(c); // compacting again at or below is harmless
    }));

    it('watch delivers puts and deletes in revision order with prevKv', withStore(async (s, p) => {
      const ac = new AbortController();
      const start = await s.currentRevision();
      const w = s.watch(p, { afterRevision: start, signal: ac.signal });
      const got = take(w, 5);
      const a = await s.create(`${p}a`, '1');
      await s.create(`${p}b`, '1');
      await s.create(`/elsewhere${p}x`, 'not mine');
      const a2 = await s.update(`${p}a`, '2', a.modRevision);
      await s.delete(`${p}b`);
      await s.create(`${p}c`, '1');
      const events = await got;
      ac.abort();
      assert.deepEqual(summary(events), [`put ${p}a=1`, `put ${p}b=1`, `put ${p}a=2`, `delete ${p}b=1`, `put ${p}c=1`]);
      for (let i = 1; i < events.length; i++) assert.ok((events[i] as WatchEvent).revision > (events[i - 1] as WatchEvent).revision);
      for (const e of events) assert.equal(e.revision, e.kv.modRevision);
      assert.equal(events[0]?.prevKv, undefined);
      assert.deepEqual(events[2]?.prevKv, a);
      assert.equal(events[2]?.kv.createRevision, a.createRevision);
      assert.equal(events[2]?.revision, a2.modRevision);
      assert.equal(events[3]?.prevKv?.value, '1');
      assert.equal(events[3]?.prevKv?.modRevision, events[1]?.revision);
    }));

    it('watch from an old revision replays history, then continues live without gaps', withStore(async (s, p) => {
      const start = await s.currentRevision();
      for (let i = 0; i < 30; i++) await s.create(`${p}k${i}`, `${i}`);
      const ac = new AbortController();
      const w = s.watch(p, { afterRevision: start, signal: ac.signal });
      const got = take(w, 60);
      for (let i = 30; i < 60; i++) await s.create(`${p}k${i}`, `${i}`);
      const events = await got;
      ac.abort();
      assert.deepEqual(events.map((e) => e.kv.value), Array.from({ length: 60 }, (_, i) => `${i}`));
      const mid = (events[9] as WatchEvent).revision;
      const ac2 = new AbortController();
      const tail = await take(s.watch(p, { afterRevision: mid, signal: ac2.signal }), 50);
      ac2.abort();
      assert.equal(tail[0]?.kv.value, '10');
      assert.equal(tail.length, 50);
    }));

    it('writes racing a replaying watch are neither lost nor duplicated', withStore(async (s, p) => {
      const start = await s.currentRevision();
      for (let i = 0; i < 100; i++) await s.create(`${p}k${i}`, `${i}`);
      const ac = new AbortController();
      const w = s.watch(p, { afterRevision: start, signal: ac.signal });
      const got = take(w, 200);
      await Promise.all(Array.from({ length: 100 }, (_, i) => s.create(`${p}k${100 + i}`, `${100 + i}`)));
      const events = await got;
      ac.abort();
      const values = events.map((e) => Number(e.kv.value));
      assert.equal(new Set(values).size, 200);
      for (let i = 1; i < events.length; i++) assert.ok((events[i] as WatchEvent).revision > (events[i - 1] as WatchEvent).revision);
    }));

    it('watch from a compacted revision fails with CompactedError', withStore(async (s, p) => {
      const old = await s.currentRevision();
      const a = await s.create(`${p}a`, '1');
      await s.update(`${p}a`, '2', a.modRevision);
      const rev = await s.currentRevision();
      await s.compact(rev);
      const ac = new AbortController();
      await assert.rejects(take(s.watch(p, { afterRevision: old, signal: ac.signal }), 1), CompactedError);
      const ok = s.watch(p, { afterRevision: await s.compactedRevision(), signal: ac.signal });
      const next = take(ok, 1);
      await s.create(`${p}b`, '1');
      assert.equal((await next)[0]?.kv.key, `${p}b`);
      ac.abort();
    }));

    it('a watch from a future revision delivers only events after it', withStore(async (s, p) => {
      const ac = new AbortController();
      const future = (await s.currentRevision()) + 2;
      const w = s.watch(p, { afterRevision: future, signal: ac.signal });
      const got = take(w, 2);
      for (let i = 0; i < 4; i++) await s.create(`${p}k${i}`, `${i}`);
      assert.deepEqual((await got).map((e) => e.kv.value), ['2', '3']);
      ac.abort();
    }));

    it('watching one key sees only that key', withStore(async (s, p) => {
      const ac = new AbortController();
      const w = s.watch(`${p}a`, { afterRevision: await s.currentRevision(), signal: ac.signal });
      const got = take(w, 2);
      await s.create(`${p}b`, 'x');
      const a = await s.create(`${p}a`, '1');
      await s.delete(`${p}a`, a.modRevision);
      assert.deepEqual(summary(await got), [`put ${p}a=1`, `delete ${p}a=1`]);
      ac.abort();
    }));

    it('many watchers of one prefix each get every event', withStore(async (s, p) => {
      const ac = new AbortController();
      setMaxListeners(100, ac.signal);
      const rev = await s.currentRevision();
      const all = Array.from({ length: 20 }, () => take(s.watch(p, { afterRevision: rev, signal: ac.signal }), 10));
      for (let i = 0; i < 10; i++) await s.create(`${p}k${i}`, `${i}`);
      for (const events of await Promise.all(all)) assert.equal(events.length, 10);
      ac.abort();
    }));

    it('abort ends the iterator', withStore(async (s, p) => {
      const ac = new AbortController();
      const it = s.watch(p, { afterRevision: await s.currentRevision(), signal: ac.signal })[Symbol.asyncIterator]();
      const pending = it.next();
      await s.create(`${p}a`, '1');
      assert.equal((await pending).done, false);
      const waiting = it.next();
      ac.abort();
      assert.equal((await waiting).done, true);
    }));

    it('a signal aborted before iterating yields nothing', withStore(async (s, p) => {
      const ac = new AbortController();
      ac.abort();
      const events = await take(s.watch(p, { afterRevision: await s.currentRevision(), signal: ac.signal }), 1);
      assert.deepEqual(events, []);
    }));
  });
}
