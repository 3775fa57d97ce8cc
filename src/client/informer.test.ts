// Informers against the real API server (in this process, on loopback). FaultTransport stands in only for the
// network: it ends or cuts watch streams, holds a reconnect back, and injects the errors a healthy server does
// not produce on demand. "Too old resourceVersion" is the real server's: a watch cache of a few events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.ts';
import { byNodeName, byOwner } from './cache.ts';
import { FakeClock } from './clock.ts';
import { getEventListeners } from 'node:events';
import { Informer, InformerFactory, scopedInformers } from './informer.ts';
import type { RestClient } from './rest.ts';
import { resourceRef } from './resource-ref.ts';
import { startApiServer, type TestApiServer } from './testing/apiserver.ts';
import { FaultTransport } from './testing/fault-transport.ts';
import { until } from './testing/until.ts';

const pods = resourceRef('v1', 'pods');
const cms = resourceRef('v1', 'configmaps');
const ns = 'default';

function pod(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: 'x', ...labels } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
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

interface Setup {
  api: TestApiServer;
  /** The informers' client, through the fault transport. */
  client: RestClient;
  wire: FaultTransport;
  /** A second client for the test's own writes (not recorded, never faulted). */
  writer: RestClient;
  ac: AbortController;
  create(name: string, labels?: Record<string, string>): Promise<KubeObject>;
  relabel(name: string, labels: Record<string, string>): Promise<KubeObject>;
  remove(name: string): Promise<void>;
  done(): Promise<void>;
}

async function setup(o: { watchCacheSize?: number } = {}): Promise<Setup> {
  const api = await startApiServer(o);
  let wire: FaultTransport | undefined;
  const client = api.client({ wrap: (t) => (wire = new FaultTransport(t)) });
  const writer = api.client();
  const ac = new AbortController();
  return {
    api, client, wire: wire!, writer, ac,
    create: (name, labels) => writer.create(pods, pod(name, labels), { namespace: ns }),
    relabel: (name, labels) => writer.patch(pods, name, { metadata: { labels } }, 'merge', { namespace: ns }),
    remove: async (name) => {
      await writer.delete(pods, name, { namespace: ns, gracePeriodSeconds: 0 });
    },
    done: async () => {
      ac.abort();
      await api.stop();
    },
  };
}

const watchRequests = (wire: FaultTransport) => wire.requests.filter((r) => r.path.includes('watch=true'));
const listRequests = (wire: FaultTransport) => wire.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/v1/pods') && !r.path.includes('watch=true'));

test('re-watch after the stream ends resumes from the last resourceVersion: nothing lost, nothing repeated', async () => {
  const t = await setup();
  try {
    await t.create('a');
    await t.create('b');
    const inf = new Informer({ client: t.client, ref: pods, initialBackoffMs: 1 });
    const seen = recorder(inf);
    void inf.run(t.ac.signal);
    await inf.synced;
    assert.ok(inf.hasSynced());
    assert.deepEqual(seen, ['add a', 'add b']);
    await until(() => t.wire.watchCount() === 1, 'first watch');

    await t.create('c');
    await until(() => seen.length === 3, 'add c');
    // the reconnect waits until the changes below are made: they must be replayed by the next watch
    const release = t.wire.hold('GET', '/api/v1/pods?watch=true');
    t.wire.closeWatches();
    await t.create('d');
    await t.writer.createSubresource(pods, 'a', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'a', namespace: ns }, target: { kind: 'Node', name: 'n1' } }, { namespace: ns });
    await t.remove('b');
    release();
    await until(() => seen.length === 6, 'replayed events');
    await until(() => t.wire.watchCount() === 1, 're-watch');
    await t.create('e');
    await until(() => seen.length === 7, 'add e');
    assert.deepEqual(seen, ['add a', 'add b', 'add c', 'add d', 'update a', 'delete b', 'add e']);

    const watches = watchRequests(t.wire);
    assert.equal(watches.length, 2);
    assert.match(watches[0].path, /allowWatchBookmarks=true/);
    assert.equal(listRequests(t.wire).length, 1, 'resumed, not relisted');
    assert.equal((inf.lister.get(ns, 'a')?.spec as { nodeName?: string }).nodeName, 'n1');
    assert.deepEqual(inf.lister.byIndex(byNodeName, 'n1').map((o) => o.metadata?.name), ['a']);
    assert.equal(inf.lister.get(ns, 'b'), undefined);
  } finally {
    await t.done();
  }
});

test('bookmarks from the server advance the resourceVersion a re-watch starts from', async () => {
  const t = await setup();
  try {
    const inf = new Informer({ client: t.client, ref: pods, initialBackoffMs: 1 });
    void inf.run(t.ac.signal);
    await inf.synced;
    await until(() => t.wire.watchCount() === 1, 'watch');
    const start = Number(inf.lastSyncResourceVersion());
    // a write to another resource moves the revision; only a BOOKMARK can tell the pod informer (the server
    // sends one after 10 s without pod events)
    const other = await t.writer.create<KubeObject>(cms, { metadata: { name: 'other', namespace: ns } });
    const otherRv = Number(other.metadata?.resourceVersion);
    assert.ok(otherRv > start);
    await until(() => Number(inf.lastSyncResourceVersion()) >= otherRv, 'bookmark seen', 30_000);
    const bookmarkRv = inf.lastSyncResourceVersion();
    t.wire.closeWatches();
    await until(() => watchRequests(t.wire).length === 2 && t.wire.watchCount() === 1, 're-watch');
    assert.match(watchRequests(t.wire)[1].path, new RegExp(`resourceVersion=${bookmarkRv}&`));
  } finally {
    await t.done();
  }
});

for (const asHttp of [false, true]) {
  test(`410 Gone (${asHttp ? 'HTTP status' : 'ERROR event'}) relists and reports only the differences`, async () => {
    // three events per resource in the watch cache: the writes below push the informer's version out of it
    const t = await setup({ watchCacheSize: 3 });
    try {
      await t.create('keep');
      await t.create('change');
      await t.create('drop');
      const inf = new Informer({ client: t.client, ref: pods, initialBackoffMs: 1 });
      const seen = recorder(inf);
      const deleted: KubeObject[] = [];
      inf.addEventHandler({ onDelete: (o) => deleted.push(o) });
      void inf.run(t.ac.signal);
      await inf.synced;
      await until(() => t.wire.watchCount() === 1, 'watch');
      const release = t.wire.hold('GET', '/api/v1/pods?watch=true');
      t.wire.closeWatches();
      await t.relabel('change', { v: '2' });
      await t.remove('drop');
      await t.create('new');
      await t.create('pad');
      await t.remove('pad');
      if (asHttp) t.wire.inject('GET', '/api/v1/pods?watch=true', { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version' });
      release();
      await until(() => seen.length === 6, 'relist differences');
      assert.deepEqual(seen.slice(3).sort(), ['add new', 'delete drop', 'update change']);
      assert.equal(deleted[0]?.metadata?.name, 'drop');
      await until(() => t.wire.watchCount() === 1, 'watch after relist');
      assert.equal(listRequests(t.wire).length, 2);
      assert.deepEqual(inf.lister.list(ns).map((o) => o.metadata?.name).sort(), ['change', 'keep', 'new']);
    } finally {
      await t.done();
    }
  });
}

test('list errors back off and retry until synced', async () => {
  const t = await setup();
  try {
    t.wire.inject('GET', '/api/v1/pods', { kind: 'Status', status: 'Failure', code: 500, reason: 'InternalError', message: 'boom' }, 2);
    const inf = new Informer({ client: t.client, ref: pods, initialBackoffMs: 1 });
    void inf.run(t.ac.signal);
    await inf.synced;
    assert.equal(listRequests(t.wire).length, 3);
  } finally {
    await t.done();
  }
});

test('factory shares one informer (one watch) per resource; late handlers get the cache replayed', async () => {
  const t = await setup();
  try {
    await t.writer.create(cms, { metadata: { name: 'c1', namespace: ns, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u1' }] } });
    const f = new InformerFactory(t.client, { initialBackoffMs: 1 });
    const a = f.informerFor(cms);
    const b = f.informerFor(cms);
    assert.equal(a, b);
    f.start(t.ac.signal);
    const late = f.informerFor(pods);
    assert.ok(late.isRunning());
    assert.equal(await f.waitForSync(t.ac.signal), true);
    await until(() => t.wire.watchCount() === 2, 'two watches');
    assert.equal(await t.api.watchers('ConfigMap'), 1);
    const seen = recorder(a);
    assert.deepEqual(seen, ['add c1']);
    assert.deepEqual(a.lister.byIndex(byOwner, 'u1').map((o) => o.metadata?.name), ['c1']);
    assert.deepEqual(a.lister.list(undefined, 'app=nope'), []);
  } finally {
    await t.done();
  }
});

test('abort stops the informer and closes its watch', async () => {
  const t = await setup();
  try {
    const inf = new Informer({ client: t.client, ref: pods, initialBackoffMs: 1 });
    const run = inf.run(t.ac.signal);
    await inf.synced;
    await until(async () => (await t.api.watchers('Pod')) === 1, 'server-side watch');
    t.ac.abort();
    await run;
    assert.equal(t.wire.watchCount(), 0);
    await until(async () => (await t.api.watchers('Pod')) === 0, 'the server sees the watch closed');
  } finally {
    await t.done();
  }
});

test('resync replays every cached object as an update on the clock', async () => {
  const t = await setup();
  try {
    await t.create('a');
    const clock = new FakeClock();
    const inf = new Informer({ client: t.client, ref: pods, resyncPeriodMs: 1000, clock });
    const seen = recorder(inf);
    void inf.run(t.ac.signal);
    await inf.synced;
    clock.step(999);
    assert.deepEqual(seen, ['add a']);
    clock.step(1);
    clock.step(1000);
    assert.deepEqual(seen, ['add a', 'update a', 'update a']);
  } finally {
    await t.done();
  }
});

test('a watch connection cut mid-stream backs off and resumes without losing events', async () => {
  const t = await setup();
  try {
    const inf = new Informer({ client: t.client, ref: pods, initialBackoffMs: 1 });
    const seen = recorder(inf);
    void inf.run(t.ac.signal);
    await inf.synced;
    await until(() => t.wire.watchCount() === 1, 'watch');
    await t.create('a');
    await until(() => seen.length === 1, 'add a');
    const release = t.wire.hold('GET', '/api/v1/pods?watch=true');
    t.wire.breakWatches();
    await t.create('b');
    await t.remove('a');
    release();
    await until(() => seen.length === 3, 'replayed after the break');
    assert.deepEqual(seen, ['add a', 'add b', 'delete a']);
    assert.equal(listRequests(t.wire).length, 1, 'resumed, not relisted');
  } finally {
    await t.done();
  }
});

test('a scoped view ends its handlers with its signal, holding one abort listener however many it registers', async () => {
  const t = await setup();
  try {
    await t.create('p1');
    const f = new InformerFactory(t.client, { initialBackoffMs: 1 });
    f.informerFor(pods);
    f.start(t.ac.signal);
    assert.equal(await f.waitForSync(t.ac.signal), true);
    const scope = new AbortController();
    const view = scopedInformers(f, scope.signal);
    const seen: string[] = [];
    const removes: (() => void)[] = [];
    for (let i = 0; i < 30; i++) removes.push(view.informerFor(pods).addEventHandler({ onAdd: (o) => seen.push(`${i} ${o.metadata?.name}`) }));
    assert.equal(seen.length, 30); // the cache replayed to each
    assert.equal(getEventListeners(scope.signal, 'abort').length, 1);
    removes[0](); // one removed by hand, the rest by the signal
    scope.abort();
    assert.equal(getEventListeners(scope.signal, 'abort').length, 0);
    // a barrier: a handler outside the scope sees p2, so the scoped ones would have too
    const outside: string[] = [];
    f.informerFor(pods).addEventHandler({ onAdd: (o) => outside.push(o.metadata?.name ?? '') });
    await t.create('p2');
    await until(() => outside.includes('p2'), 'p2 reached the informer');
    assert.equal(seen.length, 30);
    // registering on an ended view is a no-op
    view.informerFor(pods).addEventHandler({ onAdd: () => seen.push('late') });
    assert.equal(seen.length, 30);
  } finally {
    await t.done();
  }
});
