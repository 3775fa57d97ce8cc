// The pod garbage collector against a real API server (no kubelet, no scheduler: pods are bound and given their
// phase by the test): terminated pods over --terminated-pod-gc-threshold go evicted-first then oldest, pods of a
// deleted node are marked Failed with DisruptionTarget/DeletionByPodGC and force-deleted, a terminating pod that
// was never scheduled is marked Failed and force-deleted, and nothing else is touched. Short periods (200 ms) and
// a short node quarantine (500 ms) keep it quick; every wait is on an observed state.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef, type WatchEvent } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const pods = resourceRef('v1', 'pods');
const nodes = resourceRef('v1', 'nodes', false);
const namespaces = resourceRef('v1', 'namespaces', false);
const ns = 'podgc';

describe('pod garbage collector', () => {
  let s: TestServer;
  let client: RestClient;
  const ac = new AbortController();
  let done: Promise<void>;
  const events: WatchEvent<Pod>[] = [];
  let watching: Promise<void>;

  before(async () => {
    s = await startTestServer();
    client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'podgc-test', qps: 0 });
    await client.create(namespaces, { metadata: { name: ns } });
    for (const name of ['alive', 'doomed']) await client.create<Node>(nodes, { metadata: { name } });
    watching = (async () => {
      for await (const ev of client.watch<Pod>(pods, { namespace: ns, signal: ac.signal })) events.push(ev);
    })();
    const cm = await startControllerManager({
      client, signal: ac.signal, leaderElection: false, controllers: ['pod-garbage-collector'],
      options: { terminatedPodGcThreshold: 2, podGcPeriodMs: 200, podGcQuarantineMs: 500 },
    });
    done = cm.done;
  });
  after(async () => {
    ac.abort();
    await done;
    await watching;
    client.close();
    await s.stop();
  });

  async function makePod(name: string, nodeName?: string, status?: PodStatus, finalizers?: string[]): Promise<Pod> {
    const p = await client.create<Pod>(pods, {
      metadata: { name, namespace: ns, ...(finalizers ? { finalizers } : {}) },
      spec: { containers: [{ name: 'c', image: 'nginx' }], ...(nodeName ? { nodeName } : {}) },
    });
    return status ? client.updateStatus<Pod>(pods, { ...p, status }) : p;
  }
  const exists = async (name: string): Promise<boolean> => (await client.list<Pod>(pods, { namespace: ns })).items.some((p) => p.metadata?.name === name);
  const podNames = async (): Promise<string[]> => (await client.list<Pod>(pods, { namespace: ns })).items.map((p) => p.metadata!.name!).sort();

  test('terminated pods over the threshold: evicted first, then oldest', async () => {
    await makePod('keep-running', 'alive', { phase: 'Running' });
    await makePod('t-2', 'alive', { phase: 'Succeeded' });
    await makePod('t-3', 'alive', { phase: 'Failed' });
    await makePod('t-4', 'alive', { phase: 'Succeeded' });
    await makePod('t-1', 'alive', { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' });
    await waitFor('two terminated pods collected', async () => !(await exists('t-1')) && !(await exists('t-2')));
    assert.deepEqual(await podNames(), ['keep-running', 't-3', 't-4']);
  });

  test('pods of a deleted node are marked Failed with DisruptionTarget, then force-deleted', async () => {
    await makePod('orphan-running', 'doomed', { phase: 'Running' });
    await makePod('orphan-pending', 'doomed');
    const r = await s.kubectl(['delete', 'node', 'doomed']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('orphans deleted', async () => !(await exists('orphan-running')) && !(await exists('orphan-pending')));
    for (const name of ['orphan-running', 'orphan-pending']) {
      const mine = events.flatMap((e) => (e.type === 'ERROR' || e.type === 'BOOKMARK' || e.object.metadata?.name !== name ? [] : [{ type: e.type, pod: e.object }]));
      const marked = mine.find((e) => e.type === 'MODIFIED' && e.pod.status?.phase === 'Failed');
      assert.ok(marked, `${name} was marked Failed before deletion`);
      const cond = marked.pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
      assert.equal(cond?.status, 'True');
      assert.equal(cond?.reason, 'DeletionByPodGC');
      assert.equal(cond?.message, 'PodGC: node no longer exists');
      assert.equal(mine.at(-1)?.type, 'DELETED');
    }
    // the sweep that removed the orphans also saw these, and left them: threshold met, node alive
    assert.deepEqual(await podNames(), ['keep-running', 't-3', 't-4']);
  });

  test('a terminating pod that was never scheduled is marked Failed and force-deleted', async () => {
    await makePod('limbo', undefined, undefined, ['example.com/hold']);
    const r = await s.kubectl(['delete', 'pod', 'limbo', '-n', ns, '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    const failed = await waitFor('limbo marked Failed', async () => {
      const p = await client.get<Pod>(pods, 'limbo', { namespace: ns });
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    assert.ok(failed.metadata?.deletionTimestamp);
    assert.equal(failed.metadata?.deletionGracePeriodSeconds, 0, 'deleted with grace period 0');
    await client.patch(pods, 'limbo', [{ op: 'remove', path: '/metadata/finalizers' }], 'json', { namespace: ns });
    await waitFor('limbo gone', async () => !(await exists('limbo')));
  });
});
