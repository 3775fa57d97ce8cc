import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runStoreConformance } from './conformance.ts';
import type { ProgressEvent, WatchEvent } from './interface.ts';
import { openSqliteStore } from './sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStoreConformance(
  'sqlite',
  async () => openSqliteStore(join(dir, `conf-${n++}.db`), { compactIntervalMs: 0 }),
  (s) => s.close(),
);

describe('sqlite store specifics', () => {
  it('keeps data, revisions and the compacted revision across reopen', async () => {
    const file = join(dir, 'reopen.db');
    const s1 = openSqliteStore(file, { compactIntervalMs: 0 });
    const a = await s1.create('/registry/pods/default/a', '{"a":1}');
    await s1.update('/registry/pods/default/a', '{"a":2}', a.modRevision);
    const b = await s1.create('/registry/pods/default/b', '{}');
    await s1.delete('/registry/pods/default/b', b.modRevision);
    const rev = await s1.currentRevision();
    await s1.compact(rev);
    await s1.close();
    const s2 = openSqliteStore(file, { compactIntervalMs: 0 });
    assert.equal(await s2.currentRevision(), rev);
    assert.equal(await s2.compactedRevision(), rev);
    assert.equal((await s2.get('/registry/pods/default/a'))?.value, '{"a":2}');
    const c = await s2.create('/registry/pods/default/c', '{}');
    assert.equal(c.modRevision, rev + 1);
    await s2.close();
  });

  it('compaction keeps the newest row of live keys and drops superseded rows and tombstones', async () => {
    const s = openSqliteStore(':memory:', { compactIntervalMs: 0 });
    let kv = await s.create('/k/a', '0');
    for (let i = 1; i < 50; i++) kv = await s.update('/k/a', `${i}`, kv.modRevision);
    const d = await s.create('/k/d', 'x');
    await s.delete('/k/d', d.modRevision);
    await s.compact(await s.currentRevision());
    const db = (s as unknown as { db: { prepare(q: string): { get(): unknown } } }).db;
    assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM kv').get(), { n: 1 });
    assert.equal((await s.get('/k/a'))?.value, '49');
    await s.close();
  });

  it('the automatic compactor keeps the last compactRetain revisions', async () => {
    const s = openSqliteStore(':memory:', { compactIntervalMs: 5, compactRetain: 10 });
    let kv = await s.create('/k/a', '0');
    for (let i = 1; i < 40; i++) kv = await s.update('/k/a', `${i}`, kv.modRevision);
    while ((await s.compactedRevision()) < 30) await new Promise((r) => setTimeout(r, 5));
    assert.equal(await s.compactedRevision(), 30);
    await s.close();
  });

  it('watchProgress yields a progress item carrying the current revision while idle', async () => {
    const s = openSqliteStore(':memory:', { compactIntervalMs: 0 });
    await s.create('/other/x', '1');
    const ac = new AbortController();
    const rev = await s.currentRevision();
    const items: (WatchEvent | ProgressEvent)[] = [];
    const watch = s.watchProgress('/k/', { afterRevision: rev, signal: ac.signal, progressIntervalMs: 10 });
    const pending = (async () => {
      for await (const item of watch) {
        items.push(item);
        if (item.type === 'progress' && item.revision > rev) break;
      }
    })();
    await s.create('/k/a', '1');
    await s.create('/other/y', '1');
    await pending;
    ac.abort();
    assert.equal(items[0]?.type, 'put');
    assert.deepEqual(items[items.length - 1], { type: 'progress', revision: rev + 2 });
    await s.close();
  });
});
