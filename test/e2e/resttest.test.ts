// The resttest-style conformance suite over every resource in the registry table (src/api/resources.ts): a
// kind is checked the day it is registered, and a kind without a fixture fails here. The last test breaks a
// strategy on purpose and checks the suite notices.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { definitions } from '../../src/api/resources.ts';
import { kindKey } from '../../src/api/object.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { adminClient } from '../support/http.ts';
import { runResttest } from '../support/resttest.ts';
import { fixtures } from '../support/resttest-fixtures.ts';

const stored = definitions.filter((d) => !d.actsOn);
const keyOf = (d: (typeof definitions)[number]) => kindKey(d.info.group, d.info.version, d.info.kind);

describe('resttest: every registered resource', () => {
  let s: TestServer;
  let c: ReturnType<typeof adminClient>;
  const ns = 'resttest';
  before(async () => {
    s = await startTestServer();
    c = adminClient(s.kubeconfig);
    const r = await c.send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
    assert.equal(r.status, 201);
  });
  after(() => s.stop());

  test('every registered resource has a fixture', () => {
    const missing = stored.map(keyOf).filter((k) => !fixtures[k]);
    assert.deepEqual(missing, []);
  });

  for (const def of stored) {
    const key = keyOf(def);
    test(key, async () => {
      const fx = fixtures[key];
      assert.ok(fx, `no fixture for ${key}`);
      await runResttest(c, def, fx, ns, `rt-${def.info.resource.replace(/\./g, '-')}`);
    });
  }

  test('the suite fails for a strategy that lets the main endpoint write status', async () => {
    const def = stored.find((d) => keyOf(d) === 'apps/v1/Deployment')!;
    const original = def.strategy.prepareForUpdate;
    def.strategy.prepareForUpdate = () => {};
    try {
      await assert.rejects(runResttest(c, def, fixtures['apps/v1/Deployment'], ns, 'rt-broken-status'), /ignores status|generation/);
    } finally {
      def.strategy.prepareForUpdate = original;
      await c.send('DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/rt-broken-status`);
    }
  });

  test('the suite fails for a strategy that bumps generation on a metadata change', async () => {
    const def = stored.find((d) => keyOf(d) === 'apps/v1/ReplicaSet')!;
    const original = def.strategy.prepareForUpdate;
    def.strategy.prepareForUpdate = (obj, old) => {
      original(obj, old);
      obj.metadata!.generation = (old.metadata?.generation ?? 1) + 1;
    };
    try {
      await assert.rejects(runResttest(c, def, fixtures['apps/v1/ReplicaSet'], ns, 'rt-broken-gen'), /keeps the resourceVersion|keeps generation/);
    } finally {
      def.strategy.prepareForUpdate = original;
      await c.send('DELETE', `/apis/apps/v1/namespaces/${ns}/replicasets/rt-broken-gen`);
    }
  });
});
