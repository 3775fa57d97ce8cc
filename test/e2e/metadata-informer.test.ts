// Informers against the real API server. Metadata-only ones (what the garbage collector runs on): the list and
// the watch answer PartialObjectMetadata when asked with upstream's Accept headers, bookmarks included, so a
// Secret's data never reaches the client's cache. Scoped views (what a restarted controller gets): handlers
// registered through one stop receiving events when its signal aborts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from 'kubernetes-types/core/v1.js';
import {
  InformerFactory, RestClient, metadataObjectAccept, parseWatchStream, resourceRef, scopedInformers, type ApiObject,
} from '../../src/client/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const secrets = resourceRef('v1', 'secrets');

describe('informers: metadata-only list and watch, scoped handlers', () => {
  let s: TestServer;
  let client: RestClient;
  const ac = new AbortController();

  before(async () => {
    s = await startTestServer();
    client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'metadata-test', qps: 0 });
  });
  after(async () => {
    ac.abort();
    client.close();
    await s.stop();
  });

  test('an informer with metadataOnly caches PartialObjectMetadata from the list and from watch events', async () => {
    await client.create<Secret>(secrets, { metadata: { name: 'listed', namespace: 'default', labels: { a: '1' } }, stringData: { password: 'hunter2' } });
    const factory = new InformerFactory(client);
    const meta = factory.informerFor<ApiObject>(secrets, { namespace: 'default', metadataOnly: true });
    const whole = factory.informerFor<Secret>(secrets, { namespace: 'default' });
    assert.notEqual(meta, whole, 'metadata-only and whole-object informers are separate');
    factory.start(ac.signal);
    assert.ok(await factory.waitForSync(ac.signal));

    const listed = meta.lister.get('default', 'listed') as ApiObject & { data?: unknown };
    assert.equal(listed.kind, 'PartialObjectMetadata');
    assert.equal(listed.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(listed.metadata?.labels, { a: '1' });
    assert.equal(listed.data, undefined, 'no secret data in the metadata cache');
    assert.ok(whole.lister.get('default', 'listed')?.data?.password, 'the whole-object informer has it');

    await client.create<Secret>(secrets, { metadata: { name: 'watched', namespace: 'default' }, stringData: { token: 'x' } });
    const added = await waitFor('watch ADDED', () => meta.lister.get('default', 'watched'));
    assert.equal(added.kind, 'PartialObjectMetadata');
    assert.equal((added as { data?: unknown }).data, undefined);
    await client.delete(secrets, 'watched', { namespace: 'default' });
    await waitFor('watch DELETED', () => meta.lister.get('default', 'watched') === undefined);
  });

  test('every non-error event of a metadata watch is PartialObjectMetadata, bookmarks too', async () => {
    const rv = (await client.list(secrets, { namespace: 'default' })).metadata.resourceVersion!;
    const watchAc = new AbortController();
    const res = await client.send({
      method: 'GET', accept: metadataObjectAccept, signal: watchAc.signal,
      path: `/api/v1/namespaces/default/secrets?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=${rv}`,
    });
    const kinds: string[] = [];
    try {
      for await (const ev of parseWatchStream(res.body)) {
        kinds.push(`${ev.type} ${ev.object.kind}`);
        if (ev.type === 'BOOKMARK') break; // the initial-events-end bookmark
      }
    } finally {
      watchAc.abort();
    }
    assert.ok(kinds.includes('ADDED PartialObjectMetadata'), kinds.join(', '));
    assert.deepEqual(kinds.filter((k) => !k.endsWith(' PartialObjectMetadata')), [], kinds.join(', '));
    assert.equal(kinds.at(-1), 'BOOKMARK PartialObjectMetadata');
  });
  test('a handler registered through a scoped view is removed when the scope aborts', async () => {
    const factory = new InformerFactory(client);
    const scope = new AbortController();
    const scoped: string[] = [];
    const plain: string[] = [];
    const cms = resourceRef('v1', 'configmaps');
    scopedInformers(factory, scope.signal).informerFor(cms, { namespace: 'default' })
      .addEventHandler({ onAdd: (o) => scoped.push(o.metadata!.name!) });
    const shared = factory.informerFor(cms, { namespace: 'default' });
    shared.addEventHandler({ onAdd: (o) => plain.push(o.metadata!.name!) });
    factory.start(ac.signal);
    assert.ok(await factory.waitForSync(ac.signal));
    await client.create(cms, { metadata: { name: 'before', namespace: 'default' } });
    await waitFor('both handlers see "before"', () => scoped.includes('before') && plain.includes('before'));
    scope.abort();
    await client.create(cms, { metadata: { name: 'after', namespace: 'default' } });
    await waitFor('the unscoped handler sees "after"', () => plain.includes('after'));
    assert.ok(!scoped.includes('after'), 'the scoped handler was removed with its scope');
  });
});
