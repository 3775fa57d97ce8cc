// Cascading deletion with the real Deployment and ReplicaSet controllers: `kubectl create deployment`, then
// `kubectl delete deployment --cascade=background|foreground|orphan`, checked as upstream behaves. No scheduler or
// nodes are needed: the pods stay Pending, which is enough for ownership.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const pods = resourceRef('v1', 'pods');
const replicasets = resourceRef('apps/v1', 'replicasets');

describe('garbage collection of Deployments made by the real controllers', () => {
  let s: TestServer;
  let client: RestClient;
  const ac = new AbortController();
  let done: Promise<void>;

  before(async () => {
    s = await startTestServer();
    client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'gc-test' });
    const cm = await startControllerManager({
      client, signal: ac.signal, leaderElection: false,
      controllers: ['deployment', 'replicaset', 'garbage-collector'],
    });
    done = cm.done;
  });
  after(async () => {
    ac.abort();
    await done;
    client.close();
    await s.stop();
  });

  const owned = async (app: string): Promise<{ rs: ReplicaSet[]; pods: Pod[] }> => ({
    rs: (await client.list<ReplicaSet>(replicasets, { namespace: 'default', labelSelector: `app=${app}` })).items,
    pods: (await client.list<Pod>(pods, { namespace: 'default', labelSelector: `app=${app}` })).items,
  });

  async function deployment(name: string): Promise<void> {
    const r = await s.kubectl(['create', 'deployment', name, '--image=nginx', '--replicas=3']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(`${name}: 1 ReplicaSet, 3 pods`, async () => {
      const o = await owned(name);
      return o.rs.length === 1 && o.pods.length === 3;
    });
  }

  for (const cascade of ['background', 'foreground'] as const) {
    test(`--cascade=${cascade} removes the ReplicaSet and every pod`, async () => {
      const name = `web-${cascade}`;
      await deployment(name);
      const r = await s.kubectl(['delete', 'deployment', name, `--cascade=${cascade}`, '--timeout=30s']);
      assert.equal(r.code, 0, r.stderr);
      if (cascade === 'foreground') {
        // kubectl waited for the Deployment itself, which foreground deletion holds until its dependents are gone
        const o = await owned(name);
        assert.equal(o.rs.length, 0);
        assert.equal(o.pods.length, 0);
      }
      await waitFor('all gone', async () => {
        const o = await owned(name);
        return o.rs.length === 0 && o.pods.length === 0;
      });
    });
  }

  test('--cascade=orphan keeps the ReplicaSet and pods, without the Deployment reference', async () => {
    await deployment('web-orphan');
    const r = await s.kubectl(['delete', 'deployment', 'web-orphan', '--cascade=orphan', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    const o = await waitFor('orphaned', async () => {
      const x = await owned('web-orphan');
      return x.rs.length === 1 && !x.rs[0].metadata?.ownerReferences ? x : undefined;
    });
    assert.equal(o.pods.length, 3);
    for (const p of o.pods) assert.equal(p.metadata?.ownerReferences?.[0]?.uid, o.rs[0].metadata?.uid);
  });
});
