// Random, truncated and mutated bodies thrown at every verb: the server answers each with a 2xx or a 4xx Status
// (never a 5xx, a crash or a hang), stays up, and a canary object that no request names is unchanged.
// Bounded: a fixed number of requests, loopback. (test/e2e/hostile-input.test.ts covers the attack classes.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { adminClient } from '../support/http.ts';

let s: TestServer;
let c: ReturnType<typeof adminClient>;
before(async () => {
  s = await startTestServer();
  c = adminClient(s.kubeconfig);
});
after(() => s.stop());

// A deterministic generator so a failure reproduces.
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const valid = JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'f', labels: { a: 'b' } },
  spec: { replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] } } },
});

function mutate(rand: () => number): Buffer {
  const kind = Math.floor(rand() * 5);
  const base = Buffer.from(valid);
  if (kind === 0) return Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
  if (kind === 1) return base.subarray(0, Math.floor(rand() * base.length));
  if (kind === 2) {
    const b = Buffer.from(base);
    for (let i = 0; i < 1 + rand() * 6; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    return b;
  }
  if (kind === 3) {
    const k8s = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
    return Buffer.concat([k8s, Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)))]);
  }
  const values = ['null', '1', '"x"', '[]', '{}', 'true', '-1', '1e309', '{"$patch":"delete"}'];
  return Buffer.from(valid.replace(/"(replicas|name|image|containerPort|labels|spec)":[^,}]*/, (m) => `${m.split(':')[0]}:${values[Math.floor(rand() * values.length)]}`));
}

test('random bodies at every verb never crash the server or touch other objects', async () => {
  for (const name of ['fuzz', 'fuzz-canary']) {
    const ns = await c.send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
    assert.equal(ns.status, 201);
  }
  assert.equal((await c.send('POST', '/apis/apps/v1/namespaces/fuzz/deployments', valid)).status, 201);
  // The canary is never named by a fuzzed request: it must come out byte for byte as it went in, by construction.
  assert.equal((await c.send('POST', '/apis/apps/v1/namespaces/fuzz-canary/deployments', valid)).status, 201);
  const canary = async () => (await c.send('GET', '/apis/apps/v1/namespaces/fuzz-canary/deployments/f')).body.toString();
  const before = await canary();
  const rand = rng(20261126);
  const contentTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml'];
  const targets: [string, string][] = [
    ['POST', '/apis/apps/v1/namespaces/fuzz/deployments'],
    ['PUT', '/apis/apps/v1/namespaces/fuzz/deployments/f'],
    ['PATCH', '/apis/apps/v1/namespaces/fuzz/deployments/f'],
    ['PUT', '/apis/apps/v1/namespaces/fuzz/deployments/f/status'],
    ['PATCH', '/apis/apps/v1/namespaces/fuzz/deployments/f/scale'],
    ['DELETE', '/apis/apps/v1/namespaces/fuzz/deployments/f?dryRun=All'],
    ['POST', '/api/v1/namespaces/fuzz/pods'],
    ['POST', '/api/v1/namespaces/fuzz/configmaps'],
  ];
  let rejected = 0;
  for (let i = 0; i < 600; i++) {
    const [method, path] = targets[i % targets.length];
    const body = mutate(rand);
    const ct = contentTypes[Math.floor(rand() * contentTypes.length)];
    const r = await c.send(method, path, body, { 'Content-Type': ct });
    const what = `${method} ${path} ${ct} gave ${r.status}: ${r.body.toString().slice(0, 300)} for ${JSON.stringify(body.toString('latin1').slice(0, 200))}`;
    assert.ok(r.status >= 200 && r.status < 500, what);
    if (r.status >= 400) {
      rejected++;
      const st = r.json<{ kind: string; code: number }>();
      assert.equal(st.kind, 'Status', what);
      assert.equal(st.code, r.status);
    }
  }
  assert.ok(rejected > 400, `only ${rejected} of 600 bodies were rejected: the generator is not hostile enough`);
  assert.equal((await c.send('GET', '/healthz')).status, 200);
  assert.equal(await canary(), before);
});
