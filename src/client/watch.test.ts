import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.ts';
import { isGone } from './errors.ts';
import { RestClient } from './rest.ts';
import { resourceRef } from './resource-ref.ts';
import { FakeApiServer } from './testing/fake-apiserver.ts';
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
  const srv = new FakeApiServer();
  const client = new RestClient({ server: await srv.start() });
  const cms = resourceRef('v1', 'configmaps');
  try {
    srv.put('/configmaps', { metadata: { name: 'before', namespace: 'ns' } });
    const rv = srv.currentRv();
    srv.put('/configmaps', { metadata: { name: 'after', namespace: 'ns' } });
    const ac = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const ev of client.watch(cms, { namespace: 'ns', resourceVersion: rv, timeoutSeconds: 30, signal: ac.signal })) {
        seen.push(`${ev.type} ${(ev.object as KubeObject).metadata?.name}`);
      }
    })();
    await until(() => seen.length === 1, 'replayed event');
    srv.remove('/configmaps', 'ns', 'after');
    await until(() => seen.length === 2, 'live event');
    assert.deepEqual(seen, ['ADDED after', 'DELETED after']);
    assert.match(srv.requests.at(-1)?.url ?? '', /^\/api\/v1\/namespaces\/ns\/configmaps\?watch=true&resourceVersion=\d+&allowWatchBookmarks=true&timeoutSeconds=30$/);
    ac.abort();
    await done;

    srv.compact();
    const errs: WatchEvent[] = [];
    for await (const ev of client.watch(cms, { resourceVersion: rv })) errs.push(ev);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].type, 'ERROR');
    assert.equal(errs[0].type === 'ERROR' && errs[0].object.code, 410);

    srv.goneAsHttpStatus = true;
    await assert.rejects(async () => {
      for await (const _ of client.watch(cms, { resourceVersion: rv })) void _;
    }, isGone);
  } finally {
    client.close();
    await srv.stop();
  }
});
