// /readyz and /livez tell the truth: with a real etcd stopped under a running API server, the etcd check fails
// within seconds (500, `[-]etcd failed: reason withheld`), while a healthy server lists every check as ok.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { adminClient } from '../support/http.ts';
import { startEtcd, type EtcdHandle } from '../support/etcd.ts';
import { waitFor } from '../support/wait.ts';

describe('readyz on etcd', () => {
  let etcd: EtcdHandle;
  let s: TestServer;
  let c: ReturnType<typeof adminClient>;
  before(async () => {
    etcd = await startEtcd();
    s = await startTestServer({ datastoreEndpoint: etcd.endpoint });
    c = adminClient(s.kubeconfig);
  });
  after(async () => {
    await s.stop();
    await etcd.stop();
  });

  test('every check passes while etcd answers', async () => {
    const r = await c.send('GET', '/readyz?verbose', undefined, {}, true);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), [
      '[+]ping ok', '[+]log ok', '[+]etcd ok', '[+]etcd-readiness ok', '[+]informer-sync ok', '[+]shutdown ok', 'readyz check passed', '',
    ].join('\n'));
    assert.equal((await c.send('GET', '/readyz', undefined, {}, true)).body.toString(), 'ok');
    assert.equal((await c.send('GET', '/readyz/etcd')).body.toString(), 'ok');
    assert.equal((await c.send('GET', '/readyz/nonsense')).status, 404);
  });

  test('with etcd stopped, readyz and livez fail within seconds and say which check', async () => {
    await etcd.stop();
    const stoppedAt = Date.now();
    const failed = await waitFor('readyz to fail', async () => {
      const r = await c.send('GET', '/readyz?verbose', undefined, {}, true);
      return r.status === 500 ? r : undefined;
    }, 15_000, 200);
    assert.ok(Date.now() - stoppedAt < 10_000, `readyz took ${Date.now() - stoppedAt} ms to notice`);
    const body = failed.body.toString();
    assert.match(body, /^\[-\]etcd failed: reason withheld$/m);
    assert.match(body, /^\[\+\]ping ok$/m);
    assert.match(body, /readyz check failed\n$/);
    // Always verbose on failure, as upstream.
    const plain = await c.send('GET', '/readyz', undefined, {}, true);
    assert.equal(plain.status, 500);
    assert.match(plain.body.toString(), /\[-\]etcd failed/);
    const live = await c.send('GET', '/livez', undefined, {}, true);
    assert.equal(live.status, 500);
    assert.match(live.body.toString(), /\[-\]etcd failed: reason withheld/);
    assert.equal((await c.send('GET', '/readyz/etcd')).status, 500);
    assert.equal((await c.send('GET', '/readyz/ping')).status, 200);
  });
});

describe('readyz on the embedded store', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.stop());

  test('all checks pass; exclude skips one', async () => {
    const c = adminClient(s.kubeconfig);
    const r = await c.send('GET', '/readyz?verbose&exclude=informer-sync', undefined, {}, true);
    assert.equal(r.status, 200);
    assert.match(r.body.toString(), /^\[\+\]informer-sync excluded: ok$/m);
    assert.match(r.body.toString(), /^\[\+\]etcd ok$/m);
    assert.equal((await c.send('GET', '/healthz?verbose', undefined, {}, true)).body.toString(), '[+]ping ok\n[+]log ok\n[+]etcd ok\nhealthz check passed\n');
  });
});
