import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.ts';
import { isGone } from './errors.ts';
import { resourceRef } from './resource-ref.ts';
import { startApiServer } from './testing/apiserver.ts';
import { FaultTransport } from './testing/fault-transport.ts';
import { until } from './testing/until.ts';
import { parseWatchStream, type WatchEvent } from './watch.ts';

async function collect(body: AsyncIterable<Buffer>): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  for await (const e of parseWatchStream(body)) out.push(e);
  return out;
}

test('lines split across chunks (even inside a UTF-8 character) parse as whole events', async () => {
  const text = Buffer.from('{"type":"ADDED","object":{"metadata":{"name":"ü"}}}\n\n{"type":"DELETED","object":{"metadata":{"name":"b"}}}');
  const chunks = async function* () {
    for (let i = 0; i < text.length; i += 7) yield text.subarray(i, i + 7);
  };
  const evs = await collect(chunks());
  assert.deepEqual(evs.map((e) => [e.type, (e.object as KubeObject).metadata?.name]), [['ADDED', 'ü'], ['DELETED', 'b']]);
  await assert.rejects(collect((async function* () { yield Buffer.from('{"type":"NOPE","object":{}}\n'); })()), /malformed/);
});

test('watch streams events from a resourceVersion, reports ERROR for expired versions, and ends on abort', async () => {
  // a watch cache of 3 events per resource: a few writes push an old resourceVersion out of the window
  const api = await startApiServer({ watchCacheSize: 3 });
  let wire: FaultTransport | undefined;
  const client = api.client({ wrap: (t) => (wire = new FaultTransport(t)) });
  const cms = resourceRef('v1', 'configmaps');
  try {
    assert.ok(wire);
    const before = await client.create<KubeObject>(cms, { metadata: { name: 'before', namespace: 'default' } });
    const rv = before.metadata?.resourceVersion ?? '';
    await client.create(cms, { metadata: { name: 'after', namespace: 'default' } });
    const ac = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const ev of client.watch(cms, { namespace: 'default', resourceVersion: rv, timeoutSeconds: 30, signal: ac.signal })) {
        if (ev.type !== 'BOOKMARK') seen.push(`${ev.type} ${(ev.object as KubeObject).metadata?.name}`);
      }
    })();
    await until(() => seen.length === 1, 'replayed event');
    await client.delete(cms, 'after', { namespace: 'default' });
    await until(() => seen.length === 2, 'live event');
    assert.deepEqual(seen, ['ADDED after', 'DELETED after']);
    assert.match(wire.requests.find((r) => r.path.includes('watch=true'))?.path ?? '', /^\/api\/v1\/namespaces\/default\/configmaps\?watch=true&resourceVersion=\d+&allowWatchBookmarks=true&timeoutSeconds=30$/);
    assert.equal(await api.watchers('ConfigMap'), 1, 'the server holds the watch');
    ac.abort();
    await done;
    await until(() => wire?.watchCount() === 0, 'client side closed');

    for (let i = 0; i < 4; i++) await client.create(cms, { metadata: { name: `push-${i}`, namespace: 'default' } });
    const errs: WatchEvent[] = [];
    for await (const ev of client.watch(cms, { resourceVersion: rv })) errs.push(ev);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].type, 'ERROR');
    assert.equal(errs[0].type === 'ERROR' && errs[0].object.code, 410);
    assert.equal(errs[0].type === 'ERROR' && errs[0].object.reason, 'Expired');

    // some servers answer an expired watch with HTTP 410 instead of an ERROR event (a fault injected here)
    wire.inject('GET', '/api/v1/configmaps?watch=true', { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version' });
    await assert.rejects(async () => {
      for await (const _ of client.watch(cms, { resourceVersion: rv })) void _;
    }, isGone);
    await until(async () => (await api.watchers('ConfigMap')) === 0, 'server side closed');
  } finally {
    await api.stop();
  }
});
