// The in-process transport carries HTTPS over an in-memory pipe into the real ApiServer (its httpsServer), with no
// TCP connection. What is under test is the byte path: keep-alive reuse, a long-lived streamed watch and its close
// as the server sees it, and TLS with client certificates feeding the server's authentication.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import type { KubeObject } from '../api/object.ts';
import { StatusError } from './errors.ts';
import { resourceRef } from './resource-ref.ts';
import { startApiServer } from './testing/apiserver.ts';
import { until } from './testing/until.ts';

const cms = resourceRef('v1', 'configmaps');

test('in-process into the real API server: CRUD and a watch over pipes, kept-alive between requests', async () => {
  const s = await startApiServer();
  const pipes = new Set<unknown>();
  // the server also listens on a port (for the test's metrics client): count only the connections without a socket
  s.httpsServer.on('connection', (c: unknown) => { if (!(c instanceof Socket)) pipes.add(c); });
  const client = s.inProcessClient();
  const ac = new AbortController();
  try {
    const seen: string[] = [];
    const watching = (async () => {
      for await (const ev of client.watch(cms, { namespace: 'default', signal: ac.signal })) seen.push(`${ev.type} ${(ev.object as KubeObject).metadata?.name}`);
    })();
    await until(async () => (await s.watchers('ConfigMap')) === 1, 'the server registered the watch');
    await client.create(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' }, data: { k: 'v' } });
    await client.create(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' } });
    await until(() => seen.length === 2, 'streamed events');
    assert.deepEqual(seen, ['ADDED a', 'ADDED b']);
    const before = pipes.size;
    assert.ok(before >= 1, 'requests went over in-memory pipes');
    for (let i = 0; i < 20; i++) assert.deepEqual((await client.get<KubeObject>(cms, 'a', { namespace: 'default' })).data, { k: 'v' });
    assert.equal(pipes.size, before, 'sequential requests reuse a kept-alive pipe');
    ac.abort();
    await watching;
    await until(async () => (await s.watchers('ConfigMap')) === 0, 'the server sees the watch closed');
  } finally {
    ac.abort();
    await s.stop();
  }
});

test('in-process TLS keeps client-certificate authentication: no certificate is 401, an untrusted server fails', async () => {
  const s = await startApiServer();
  try {
    const admin = s.inProcessClient();
    assert.equal((await admin.list(cms, { namespace: 'kube-system' })).kind, 'ConfigMapList');
    const anonymous = s.inProcessClient({ ca: s.connection.ca });
    await assert.rejects(anonymous.get(cms, 'x', { namespace: 'default' }), (e: unknown) => e instanceof StatusError && e.code === 401);
    const untrusting = s.inProcessClient({});
    await assert.rejects(untrusting.get(cms, 'x', { namespace: 'default' }), /self[- ]signed|unable to verify|certificate/i);
  } finally {
    await s.stop();
  }
});
