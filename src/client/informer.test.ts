import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.ts';
import { byNodeName, byOwner } from './cache.ts';
import { FakeClock } from './clock.ts';
import { Informer, InformerFactory } from './informer.ts';
import { RestClient } from './rest.ts';
import { resourceRef } from './resource-ref.ts';
import { FakeApiServer } from './testing/fake-apiserver.ts';
import { until } from './testing/until.ts';

const pods = resourceRef('v1', 'pods');
const cms = resourceRef('v1', 'configmaps');

function pod(name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', labels: { app: 'x' } }, spec: {}, ...extra };
}

/** Records handler calls as short strings: "add a", "update a", "delete b". */
function recorder(inf: Informer): string[] {
  const seen: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => seen.push(`add ${o.metadata?.name}`),
    onUpdate: (_old, o) => seen.push(`update ${o.metadata?.name}`),
    onDelete: (o) => seen.push(`delete ${o.metadata?.name}`),
  });
  return seen;
}

async function setup(): Promise<{ srv: FakeApiServer; client: RestClient; ac: AbortController; done: () => Promise<void> }> {
  const srv = new FakeApiServer();
  const client = new RestClient({ server: await srv.start() });
  const ac = new AbortController();
  return {
    srv, client, ac,
    done: async () => {
      ac.abort();
      client.close();
      await srv.stop();
    },
  };
}

test('re-watch after the stream ends resumes from the last resourceVersion: nothing lost, nothing repeated', async () => {
  const { srv, client, ac, done } = await setup();
  try {
    srv.put('/pods', pod('a'));
    srv.put('/pods', pod('b'));
    const inf = new Informer({ client, ref: pods, initialBackoffMs: 1 });
    const seen = recorder(inf);
    void inf.run(ac.signal);
    await inf.synced;
    assert.ok(inf.hasSynced());
    assert.deepEqual(seen, ['add a', 'add b']);
    await until(() => srv.watchCount() === 1, 'first watch');

    srv.put('/pods', pod('c'));
    await until(() => seen.length === 3, 'add c');
    srv.closeWatches();
    // changes made while the client is disconnected must be replayed by the next watch
    srv.put('/pods', pod('d'));
    srv.put('/pods', pod('a', { spec: { nodeName: 'n1' } }));
    srv.remove('/pods', 'ns', 'b');
    await until(() => seen.length === 6, 'replayed events');
    await until(() => srv.watchCount() === 1, 're-watch');
    srv.put('/pods', pod('e'));
    await until(() => seen.length === 7, 'add e');
    assert.deepEqual(seen, ['add a', 'add b', 'add c', 'add d', 'update a', 'delete b', 'add e']);

    const watches = srv.requests.filter((r) => r.url.includes('watch=true'));
    assert.equal(watches.length, 2);
    assert.match(watches[0].url, /allowWatchBookmarks=true/);
    assert.equal((inf.lister.get('ns', 'a')?.spec as { nodeName?: string }).nodeName, 'n1');
    assert.deepEqual(inf.lister.byIndex(byNodeName, 'n1').map((o) => o.metadata?.name), ['a']);
    assert.equal(inf.lister.get('ns', 'b'), undefined);
  } finally {
    await done();
  }
});

test('bookmarks advance the resourceVersion a re-watch starts from', async () => {
  const { srv, client, ac, done } = await setup();
  try {
    const inf = new Informer({ client, ref: pods, initialBackoffMs: 1 });
    void inf.run(ac.signal);
    await inf.synced;
    await until(() => srv.watchCount() === 1, 'watch');
    srv.put('/configmaps', { metadata: { name: 'other', namespace: 'ns' } });
    srv.bookmark();
    const bookmarkRv = srv.currentRv();
    await until(() => inf.lastSyncResourceVersion() === bookmarkRv, 'bookmark seen');
    srv.closeWatches();
    await until(() => srv.watchCount() === 1, 're-watch');
    const last = srv.requests.filter((r) => r.url.includes('watch=true')).at(-1);
    assert.match(last?.url ?? '', new RegExp(`resourceVersion=${bookmarkRv}&`));
  } finally {
    await done();
  }
});

for (const asHttp of [false, true]) {
  test(`410 Gone (${asHttp ? 'HTTP status' : 'ERROR event'}) relists and reports only the differences`, async () => {
    const { srv, client, ac, done } = await setup();
    srv.goneAsHttpStatus = asHttp;
    try {
      srv.put('/pods', pod('keep'));
      srv.put('/pods', pod('change'));
      srv.put('/pods', pod('drop'));
      const inf = new Informer({ client, ref: pods, initialBackoffMs: 1 });
      const seen = recorder(inf);
      const deleted: KubeObject[] = [];
      inf.addEventHandler({ onDelete: (o) => deleted.push(o) });
      void inf.run(ac.signal);
      await inf.synced;
      await until(() => srv.watchCount() === 1, 'watch');
      srv.closeWatches();
      srv.put('/pods', pod('change', { spec: { nodeName: 'n2' } }));
      srv.remove('/pods', 'ns', 'drop');
      srv.put('/pods', pod('new'));
      srv.compact();
      await until(() => seen.length === 6, 'relist differences');
      assert.deepEqual(seen.slice(3).sort(), ['add new', 'delete drop', 'update change']);
      assert.equal(deleted[0]?.metadata?.name, 'drop');
      await until(() => srv.watchCount() === 1, 'watch after relist');
      assert.equal(srv.requests.filter((r) => r.method === 'GET' && !r.url.includes('watch=true')).length, 2);
      assert.deepEqual(inf.lister.list('ns').map((o) => o.metadata?.name).sort(), ['change', 'keep', 'new']);
    } finally {
      await done();
    }
  });
}

test('list errors back off and retry until synced', async () => {
  const { srv, client, ac, done } = await setup();
  try {
    srv.inject('GET', '/api/v1/pods', { kind: 'Status', status: 'Failure', code: 500, reason: 'InternalError', message: 'boom' }, 2);
    const inf = new Informer({ client, ref: pods, initialBackoffMs: 1 });
    void inf.run(ac.signal);
    await inf.synced;
    assert.equal(srv.requests.filter((r) => !r.url.includes('watch')).length, 3);
  } finally {
    await done();
  }
});

test('factory shares one informer (one watch) per resource; late handlers get the cache replayed', async () => {
  const { srv, client, ac, done } = await setup();
  try {
    srv.put('/configmaps', { metadata: { name: 'c1', namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u1' }] } });
    const f = new InformerFactory(client, { initialBackoffMs: 1 });
    const a = f.informerFor(cms);
    const b = f.informerFor(cms);
    assert.equal(a, b);
    f.start(ac.signal);
    const late = f.informerFor(pods);
    assert.ok(late.isRunning());
    assert.equal(await f.waitForSync(ac.signal), true);
    await until(() => srv.watchCount() === 2, 'two watches');
    const seen = recorder(a);
    assert.deepEqual(seen, ['add c1']);
    assert.deepEqual(a.lister.byIndex(byOwner, 'u1').map((o) => o.metadata?.name), ['c1']);
    assert.deepEqual(a.lister.list(undefined, 'app=nope'), []);
  } finally {
    await done();
  }
});

test('abort stops the informer and closes its watch', async () => {
  const { srv, client, ac, done } = await setup();
  try {
    const inf = new Informer({ client, ref: pods, initialBackoffMs: 1 });
    const run = inf.run(ac.signal);
    await inf.synced;
    await until(() => srv.watchCount() === 1, 'watch');
    ac.abort();
    await run;
    await until(() => srv.watchCount() === 0, 'watch closed');
  } finally {
    await done();
  }
});

test('resync replays every cached object as an update on the clock', async () => {
  const { srv, client, ac, done } = await setup();
  try {
    srv.put('/pods', pod('a'));
    const clock = new FakeClock();
    const inf = new Informer({ client, ref: pods, resyncPeriodMs: 1000, clock });
    const seen = recorder(inf);
    void inf.run(ac.signal);
    await inf.synced;
    clock.step(999);
    assert.deepEqual(seen, ['add a']);
    clock.step(1);
    clock.step(1000);
    assert.deepEqual(seen, ['add a', 'update a', 'update a']);
  } finally {
    await done();
  }
});

test('a watch connection cut mid-stream backs off and resumes without losing events', async () => {
  const { srv, client, ac, done } = await setup();
  try {
    const inf = new Informer({ client, ref: pods, initialBackoffMs: 1 });
    const seen = recorder(inf);
    void inf.run(ac.signal);
    await inf.synced;
    await until(() => srv.watchCount() === 1, 'watch');
    srv.put('/pods', pod('a'));
    await until(() => seen.length === 1, 'add a');
    srv.breakWatches();
    srv.put('/pods', pod('b'));
    srv.remove('/pods', 'ns', 'a');
    await until(() => seen.length === 3, 'replayed after the break');
    assert.deepEqual(seen, ['add a', 'add b', 'delete a']);
  } finally {
    await done();
  }
});
