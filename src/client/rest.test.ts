// RestClient against the real API server (in this process, on loopback); FaultTransport supplies the errors a
// healthy server does not produce on demand (429, an HTTP 410).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.ts';
import { FakeClock } from './clock.ts';
import { isAlreadyExists, isConflict, isNotFound, isGone, StatusError, statusErrorFrom } from './errors.ts';
import { parseKubeconfig } from './kubeconfig.ts';
import { RestClient } from './rest.ts';
import { resourcePath, resourceRef } from './resource-ref.ts';
import { startApiServer } from './testing/apiserver.ts';
import { FaultTransport } from './testing/fault-transport.ts';
import { HttpTransport } from './transport.ts';

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

const deployment = (name: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});

test('CRUD, paging and error classification against the real API server (bearer token)', async () => {
  const api = await startApiServer();
  // no client certificate on this connection: the server must authenticate the token
  const wire = new FaultTransport(new HttpTransport({ server: api.url, ca: api.connection.ca }));
  const client = api.client({ transport: wire, token: api.token });
  try {
    const created = await client.create<KubeObject>(configmaps, { metadata: { name: 'a', namespace: 'default' }, data: { k: 'v' } });
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    assert.equal(wire.requests.at(-1)?.headers.authorization, `Bearer ${api.token}`);
    assert.equal(wire.requests.at(-1)?.path, '/api/v1/namespaces/default/configmaps');

    await assert.rejects(client.create(configmaps, { metadata: { name: 'a', namespace: 'default' } }), (e) => isAlreadyExists(e) && !isConflict(e));
    await assert.rejects(client.get(configmaps, 'missing', { namespace: 'default' }), (e) => isNotFound(e) && e instanceof StatusError && e.code === 404);

    const got = await client.get(configmaps, 'a', { namespace: 'default' });
    assert.deepEqual(got.data, { k: 'v' });
    const updated = await client.update(configmaps, { ...got, data: { k: 'w' } });
    await assert.rejects(client.update(configmaps, { ...got, data: { k: 'stale' } }), isConflict);
    const patched = await client.patch(configmaps, 'a', { data: { extra: '1' } }, 'merge', { namespace: 'default' });
    assert.deepEqual(patched.data, { k: 'w', extra: '1' });
    assert.equal(wire.requests.at(-1)?.headers['content-type'], 'application/merge-patch+json');
    const jp = await client.patch(configmaps, 'a', [{ op: 'remove', path: '/data/extra' }], 'json', { namespace: 'default' });
    assert.deepEqual(jp.data, { k: 'w' });
    assert.notEqual(updated.metadata?.resourceVersion, jp.metadata?.resourceVersion);

    for (let i = 0; i < 5; i++) await client.create(configmaps, { metadata: { name: `p${i}`, namespace: 'default', labels: { page: 'yes' } } });
    const page = await client.list(configmaps, { namespace: 'default', limit: 2, labelSelector: 'page=yes' });
    assert.equal(page.items.length, 2);
    assert.ok(page.metadata.continue);
    assert.match(wire.requests.at(-1)?.path ?? '', /labelSelector=page%3Dyes/);
    const all = await client.listAll(configmaps, { namespace: 'default', limit: 2, labelSelector: 'page=yes' });
    assert.deepEqual(all.items.map((o) => o.metadata?.name), ['p0', 'p1', 'p2', 'p3', 'p4']);
    assert.equal(wire.requests.filter((r) => r.path.includes('labelSelector=page')).length, 1 + 3, 'listAll followed continue over three pages');

    const d = await client.create(deployments, deployment('d'));
    const st = await client.updateStatus(deployments, { ...d, status: { observedGeneration: 1 } });
    assert.equal(wire.requests.at(-1)?.path, '/apis/apps/v1/namespaces/default/deployments/d/status');
    assert.equal(wire.requests.at(-1)?.method, 'PUT');
    assert.equal((st.status as { observedGeneration?: number }).observedGeneration, 1);

    await client.delete(configmaps, 'a', { namespace: 'default', propagationPolicy: 'Background' });
    assert.deepEqual(JSON.parse(wire.requests.at(-1)?.body ?? ''), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    await assert.rejects(client.get(configmaps, 'a', { namespace: 'default' }), isNotFound);
    assert.ok(!isGone(new Error('x')));
  } finally {
    await api.stop();
  }
});

test('a non-Status error body still becomes a StatusError; 429 is retried', async () => {
  const api = await startApiServer();
  let wire: FaultTransport | undefined;
  const client = api.client({ wrap: (t) => (wire = new FaultTransport(t)) });
  try {
    assert.ok(wire);
    wire.inject('GET', '/api/v1/namespaces/default/configmaps/x', { kind: 'Status', status: 'Failure', code: 429, reason: 'TooManyRequests', message: 'slow down' }, 2);
    await assert.rejects(client.get(configmaps, 'x', { namespace: 'default' }), isNotFound);
    assert.equal(wire.requests.length, 3, 'two 429s retried, then the real 404');
    const plain = statusErrorFrom(503, 'upstream connect error');
    assert.equal(plain.code, 503);
    assert.equal(plain.reason, 'ServiceUnavailable');
    assert.match(plain.message, /upstream connect error/);
    wire.inject('GET', '/api/v1/nodes', { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: 'too old' });
    await assert.rejects(client.list(nodes), isGone);
  } finally {
    await api.stop();
  }
});

test('rate limiter holds requests beyond the burst until the clock moves', async () => {
  const api = await startApiServer();
  const clock = new FakeClock();
  let wire: FaultTransport | undefined;
  const client = api.client({ qps: 1, burst: 2, clock, wrap: (t) => (wire = new FaultTransport(t)) });
  try {
    assert.ok(wire);
    const calls = [1, 2, 3].map(() => client.list(nodes));
    await Promise.all(calls.slice(0, 2));
    assert.equal(wire.requests.length, 2);
    // the third call waits on a timer of the fake clock; 999 ms do not fire it, so it cannot have been sent
    assert.equal(clock.waiters(), 1);
    clock.step(999);
    assert.equal(clock.waiters(), 1);
    assert.equal(wire.requests.length, 2);
    clock.step(1);
    assert.equal(clock.waiters(), 0);
    await calls[2];
    assert.equal(wire.requests.length, 3);
  } finally {
    await api.stop();
  }
});

test('abort rejects a call that is waiting', async () => {
  const api = await startApiServer();
  const clock = new FakeClock();
  const client = api.client({ qps: 1, burst: 1, clock });
  try {
    await client.list(nodes);
    const ac = new AbortController();
    const p = client.list(nodes, { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
  } finally {
    await api.stop();
  }
});

test('mTLS: kubeconfig with inline CA and client cert talks to the https API server', async () => {
  const api = await startApiServer();
  const b64 = (b: Buffer | undefined): string => (b ?? Buffer.alloc(0)).toString('base64');
  const cfg = parseKubeconfig(`
apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster: {server: "${api.url}", certificate-authority-data: ${b64(api.connection.ca)}}
users:
- name: admin
  user: {client-certificate-data: ${b64(api.connection.cert)}, client-key-data: ${b64(api.connection.key)}}
contexts:
- name: skiff
  context: {cluster: skiff, user: admin}
current-context: skiff
`);
  const client = RestClient.fromConfig(cfg);
  try {
    const obj: KubeObject = await client.create(configmaps, { metadata: { name: 'tls' } });
    assert.equal(obj.metadata?.namespace, 'default');
    // the same CA but no client certificate: the server answers 401, so the certificate is what authenticated
    const anonymous = new RestClient({ server: api.url, ca: api.connection.ca });
    await assert.rejects(anonymous.get(configmaps, 'tls', { namespace: 'default' }), (e) => e instanceof StatusError && e.code === 401);
    anonymous.close();
    // a client that does not trust the CA must fail
    const stranger = new RestClient({ server: api.url });
    await assert.rejects(stranger.list(nodes), (e: Error) => !(e instanceof StatusError));
    stranger.close();
  } finally {
    client.close();
    await api.stop();
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
