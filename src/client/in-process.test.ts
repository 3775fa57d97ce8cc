import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.ts';
import { inProcessTransport } from './in-process.ts';
import { RestClient } from './rest.ts';
import { resourceRef } from './resource-ref.ts';
import { makeTestPki } from './testing/certs.ts';
import { FakeApiServer } from './testing/fake-apiserver.ts';
import { until } from './testing/until.ts';

const cms = resourceRef('v1', 'configmaps');

test('in-process over plain HTTP: requests and a watch, without a listening port', async () => {
  const srv = new FakeApiServer();
  const client = new RestClient({ server: 'http://in-process', transport: inProcessTransport(srv.nodeServer, {}) });
  const ac = new AbortController();
  try {
    await client.create(cms, { metadata: { name: 'a', namespace: 'ns' } });
    const seen: string[] = [];
    const watching = (async () => {
      for await (const ev of client.watch(cms, { namespace: 'ns', signal: ac.signal })) seen.push(`${ev.type} ${(ev.object as KubeObject).metadata?.name}`);
    })();
    await until(() => seen.length === 1, 'initial event');
    await client.create(cms, { metadata: { name: 'b', namespace: 'ns' } });
    await until(() => seen.length === 2, 'live event');
    assert.deepEqual(seen, ['ADDED a', 'ADDED b']);
    for (let i = 0; i < 20; i++) await client.get(cms, 'a', { namespace: 'ns' });
    ac.abort();
    await watching;
    await until(() => srv.watchCount() === 0, 'watch closed');
  } finally {
    client.close();
    await srv.stop();
  }
});

test('in-process over TLS keeps client-certificate authentication', async () => {
  const pki = await makeTestPki();
  const srv = new FakeApiServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true });
  const client = new RestClient({
    server: 'https://in-process',
    transport: inProcessTransport(srv.nodeServer, { ca: Buffer.from(pki.ca), cert: Buffer.from(pki.clientCert), key: Buffer.from(pki.clientKey) }),
  });
  try {
    await client.create(cms, { metadata: { name: 'tls', namespace: 'ns' } });
    assert.equal(srv.requests.at(-1)?.clientCN, 'tester');
    const untrusting = new RestClient({ server: 'https://in-process', transport: inProcessTransport(srv.nodeServer, {}) });
    await assert.rejects(untrusting.get(cms, 'tls', { namespace: 'ns' }));
    untrusting.close();
  } finally {
    client.close();
    await srv.stop();
  }
});
