import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.ts';
import { FakeClock } from './clock.ts';
import { isAlreadyExists, isConflict, isNotFound, isGone, StatusError, statusErrorFrom } from './errors.ts';
import { parseKubeconfig } from './kubeconfig.ts';
import { RestClient } from './rest.ts';
import { resourcePath, resourceRef } from './resource-ref.ts';
import { makeTestPki } from './testing/certs.ts';
import { FakeApiServer } from './testing/fake-apiserver.ts';
import { until } from './testing/until.ts';

const configmaps = resourceRef('v1', 'configmaps');
const deployments = resourceRef('apps/v1', 'deployments');
const nodes = resourceRef('v1', 'nodes', false);

test('resourcePath builds core, group, cluster-scoped and subresource URLs', () => {
  assert.equal(resourcePath(configmaps, { namespace: 'ns1' }), '/api/v1/namespaces/ns1/configmaps');
  assert.equal(resourcePath(configmaps), '/api/v1/configmaps');
  assert.equal(resourcePath(deployments, { namespace: 'a', name: 'web', subresource: 'scale' }), '/apis/apps/v1/namespaces/a/deployments/web/scale');
  assert.equal(resourcePath(nodes, { namespace: 'ignored', name: 'n1' }), '/api/v1/nodes/n1');
  assert.equal(resourcePath(resourceRef('coordination.k8s.io/v1', 'leases'), { namespace: 'kube-system', name: 'x' }),
    '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x');
});

test('CRUD, paging and error classification against a fake server', async () => {
  const srv = new FakeApiServer();
  const client = new RestClient({ server: await srv.start(), token: 'secret-token' });
  try {
    const created = await client.create<KubeObject>(configmaps, { metadata: { name: 'a', namespace: 'ns' }, data: { k: 'v' } });
    assert.ok(created.metadata?.resourceVersion);
    assert.equal(srv.requests.at(-1)?.headers.authorization, 'Bearer secret-token');
    assert.equal(srv.requests.at(-1)?.url, '/api/v1/namespaces/ns/configmaps');

    await assert.rejects(client.create(configmaps, { metadata: { name: 'a', namespace: 'ns' } }), (e) => isAlreadyExists(e) && !isConflict(e));
    await assert.rejects(client.get(configmaps, 'missing', { namespace: 'ns' }), (e) => isNotFound(e) && e instanceof StatusError && e.code === 404);

    const got = await client.get(configmaps, 'a', { namespace: 'ns' });
    assert.deepEqual(got.data, { k: 'v' });
    const updated = await client.update(configmaps, { ...got, data: { k: 'w' } });
    await assert.rejects(client.update(configmaps, { ...got, data: { k: 'stale' } }), isConflict);
    const patched = await client.patch(configmaps, 'a', { data: { extra: '1' } }, 'merge', { namespace: 'ns' });
    assert.deepEqual(patched.data, { k: 'w', extra: '1' });
    assert.equal(srv.requests.at(-1)?.headers['content-type'], 'application/merge-patch+json');
    const jp = await client.patch(configmaps, 'a', [{ op: 'remove', path: '/data/extra' }], 'json', { namespace: 'ns' });
    assert.deepEqual(jp.data, { k: 'w' });
    assert.notEqual(updated.metadata?.resourceVersion, jp.metadata?.resourceVersion);

    for (let i = 0; i < 5; i++) await client.create(configmaps, { metadata: { name: `p${i}`, namespace: 'ns', labels: { page: 'yes' } } });
    const page = await client.list(configmaps, { namespace: 'ns', limit: 2, labelSelector: 'page=yes' });
    assert.equal(page.items.length, 2);
    assert.ok(page.metadata.continue);
    assert.match(srv.requests.at(-1)?.url ?? '', /labelSelector=page%3Dyes/);
    const all = await client.listAll(configmaps, { namespace: 'ns', limit: 2, labelSelector: 'page=yes' });
    assert.deepEqual(all.items.map((o) => o.metadata?.name), ['p0', 'p1', 'p2', 'p3', 'p4']);
    assert.equal(all.metadata.resourceVersion, page.metadata.resourceVersion);

    const st = await client.updateStatus(deployments, await client.create(deployments, { metadata: { name: 'd', namespace: 'ns' }, spec: {} }));
    assert.equal(srv.requests.at(-1)?.url, '/apis/apps/v1/namespaces/ns/deployments/d/status');
    assert.equal(st.metadata?.name, 'd');

    await client.delete(configmaps, 'a', { namespace: 'ns', propagationPolicy: 'Background' });
    assert.deepEqual(JSON.parse(srv.requests.at(-1)?.body ?? ''), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    await assert.rejects(client.get(configmaps, 'a', { namespace: 'ns' }), isNotFound);
    assert.ok(!isGone(new Error('x')));
  } finally {
    client.close();
    await srv.stop();
  }
});

test('a non-Status error body still becomes a StatusError; 429 is retried', async () => {
  const srv = new FakeApiServer();
  const client = new RestClient({ server: await srv.start() });
  try {
    srv.inject('GET', '/api/v1/namespaces/ns/configmaps/x', { kind: 'Status', status: 'Failure', code: 429, reason: 'TooManyRequests', message: 'slow down' }, 2);
    await assert.rejects(client.get(configmaps, 'x', { namespace: 'ns' }), isNotFound);
    assert.equal(srv.requests.length, 3);
    const plain = statusErrorFrom(503, 'upstream connect error');
    assert.equal(plain.code, 503);
    assert.equal(plain.reason, 'ServiceUnavailable');
    assert.match(plain.message, /upstream connect error/);
    srv.inject('GET', '/api/v1/nodes', { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: 'too old' });
    await assert.rejects(client.list(nodes), isGone);
  } finally {
    client.close();
    await srv.stop();
  }
});

test('rate limiter holds requests beyond the burst until the clock moves', async () => {
  const srv = new FakeApiServer();
  const clock = new FakeClock();
  const client = new RestClient({ server: await srv.start(), qps: 1, burst: 2, clock });
  try {
    const calls = [1, 2, 3].map(() => client.list(nodes));
    await Promise.all(calls.slice(0, 2));
    assert.equal(srv.requests.length, 2);
    clock.step(999);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(srv.requests.length, 2);
    clock.step(1);
    await calls[2];
    assert.equal(srv.requests.length, 3);
  } finally {
    client.close();
    await srv.stop();
  }
});

test('abort rejects a call that is waiting', async () => {
  const clock = new FakeClock();
  const srv = new FakeApiServer();
  const client = new RestClient({ server: await srv.start(), qps: 1, burst: 1, clock });
  try {
    await client.list(nodes);
    const ac = new AbortController();
    const p = client.list(nodes, { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
  } finally {
    client.close();
    await srv.stop();
  }
});

test('mTLS: kubeconfig with inline CA and client cert talks to an https server', async () => {
  const pki = await makeTestPki();
  const srv = new FakeApiServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true });
  const url = await srv.start();
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const cfg = parseKubeconfig(`
apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster: {server: "${url}", certificate-authority-data: ${b64(pki.ca)}}
users:
- name: admin
  user: {client-certificate-data: ${b64(pki.clientCert)}, client-key-data: ${b64(pki.clientKey)}}
contexts:
- name: skiff
  context: {cluster: skiff, user: admin}
current-context: skiff
`);
  const client = RestClient.fromConfig(cfg);
  try {
    const obj: KubeObject = await client.create(configmaps, { metadata: { name: 'tls' } });
    assert.equal(obj.metadata?.namespace, 'default');
    assert.equal(srv.requests.at(-1)?.clientCN, 'tester');
    // a client that does not trust the CA must fail
    const stranger = new RestClient({ server: url });
    await assert.rejects(stranger.list(nodes));
    stranger.close();
    await until(() => true);
  } finally {
    client.close();
    await srv.stop();
  }
});

test('a custom transport carries requests; list items get apiVersion/kind from the list', async () => {
  const seen: string[] = [];
  const transport = {
    async send(req: { method: string; path: string }) {
      seen.push(`${req.method} ${req.path}`);
      const body = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '5' }, items: [{ metadata: { name: 'p' } }] });
      return { status: 200, headers: {}, body: (async function* () { yield Buffer.from(body); })() };
    },
    close() {},
  };
  const client = new RestClient({ server: 'http://unused', transport });
  const list = await client.list(resourceRef('v1', 'pods'), { fieldSelector: 'spec.nodeName=n1' });
  assert.deepEqual(list.items[0], { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } });
  assert.deepEqual(seen, ['GET /api/v1/pods?fieldSelector=spec.nodeName%3Dn1']);
});
