import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdHandle } from '../../test/support/etcd.ts';
import { runStoreConformance } from './conformance.ts';
import { openEtcdStore } from './etcd.ts';
import type { ProgressEvent, WatchEvent } from './interface.ts';
import { withWatchCache } from './watch-cache.ts';

let etcd: EtcdHandle;
before(async () => {
  etcd = await startEtcd({ progressNotifyInterval: '200ms' });
});
after(async () => {
  await etcd?.stop();
});

runStoreConformance(
  'etcd',
  async () => openEtcdStore({ endpoints: [etcd.endpoint] }),
  (s) => s.close(),
);

runStoreConformance(
  'watch cache over etcd',
  async () => withWatchCache(openEtcdStore({ endpoints: [etcd.endpoint] })),
  (s) => s.close(),
);

describe('etcd store specifics', () => {
  it('keeps keys under its prefix and strips it on the way out', async () => {
    const a = openEtcdStore({ endpoints: [etcd.endpoint], prefix: '/tenant-a' });
    const b = openEtcdStore({ endpoints: [etcd.endpoint], prefix: '/tenant-b' });
    try {
      await a.create('/registry/pods/default/x', 'from-a');
      assert.equal(await b.get('/registry/pods/default/x'), undefined);
      const listed = await a.list('/registry/pods/');
      assert.deepEqual(listed.items.map((kv) => kv.key), ['/registry/pods/default/x']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('watchProgress passes on etcd progress notifications', async () => {
    const s = openEtcdStore({ endpoints: [etcd.endpoint] });
    const ac = new AbortController();
    try {
      const rev = await s.currentRevision();
      const items: (WatchEvent | ProgressEvent)[] = [];
      const watch = s.watchProgress('/progress-test/', { afterRevision: rev, signal: ac.signal });
      const done = (async () => {
        for await (const item of watch) {
          items.push(item);
          if (item.type === 'progress' && item.revision > rev) break;
        }
      })();
      await s.create('/progress-test/a', '1');
      await s.create('/elsewhere/b', '1');
      await done;
      assert.equal(items[0]?.type, 'put');
      const last = items[items.length - 1];
      assert.equal(last?.type, 'progress');
      assert.ok((last?.revision ?? 0) >= rev + 2);
    } finally {
      ac.abort();
      await s.close();
    }
  });
});
