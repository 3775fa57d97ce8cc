// Two controller-managers against one API server: only the holder of kube-system/kube-controller-manager runs
// controllers, so pods are never created twice; when the leader stops, the other takes over and carries on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { RestClient, leasesRef, realClock, sleep } from '../../src/client/index.ts';
import { type ControllerManager, startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { podsRef, replicaSetsRef } from '../../src/control-plane/controllers/replicaset.ts';
import { startTestServer } from '../support/server.ts';

async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(realClock, 100);
  }
}

test('two controller-managers: one leader acts, no pod is created twice, the other takes over', async () => {
  const s = await startTestServer();
  const client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  const stopA = new AbortController();
  const stopB = new AbortController();
  const watchStop = new AbortController();
  const managers: ControllerManager[] = [];
  try {
    // every pod ever created for the set, from a watch started before any controller runs
    const created = new Set<string>();
    const watching = (async () => {
      try {
        for await (const ev of client.watch<Pod>(podsRef, { namespace: 'default', labelSelector: 'app=lead', signal: watchStop.signal })) {
          if (ev.type === 'ADDED') created.add(ev.object.metadata?.name ?? '');
        }
      } catch { /* stopped */ }
    })();
    const timings = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };
    const start = (identity: string, signal: AbortSignal) =>
      startControllerManager({ client, signal, identity, controllers: ['replicaset'], ...timings });
    managers.push(await start('cm-a', stopA.signal), await start('cm-b', stopB.signal));
    const [a, b] = managers;
    const leader = await until('a leader', () => (a.isLeading() ? a : b.isLeading() ? b : undefined));
    const follower = leader === a ? b : a;
    const lease = await client.get<Lease>(leasesRef, 'kube-controller-manager', { namespace: 'kube-system' });
    assert.equal(lease.spec?.holderIdentity, leader.identity);
    assert.equal(follower.isLeading(), false);

    await s.kubectl(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'lead', namespace: 'default' },
        spec: { replicas: 5, selector: { matchLabels: { app: 'lead' } }, template: { metadata: { labels: { app: 'lead' } }, spec: { containers: [{ name: 'c', image: 'img:a' }] } } },
      }),
    });
    const rsStatus = async (n: number) => {
      const rs = await client.get<ReplicaSet>(replicaSetsRef, 'lead', { namespace: 'default' });
      return rs.status?.replicas === n ? rs : undefined;
    };
    await until('5 pods', () => rsStatus(5));
    await sleep(realClock, 500); // let any second creator (there must be none) show itself
    assert.equal(created.size, 5, `pods created: ${[...created].join(', ')}`);
    assert.equal(follower.isLeading(), false);

    // the leader stops (releasing the lease); the follower takes over and keeps managing the set
    (leader === a ? stopA : stopB).abort();
    await leader.done;
    await until('follower leads', () => follower.isLeading());
    const r = await s.kubectl(['scale', '--replicas=8', 'replicaset', 'lead']);
    assert.equal(r.code, 0, r.stderr);
    await until('8 pods', () => rsStatus(8));
    await sleep(realClock, 500);
    assert.equal(created.size, 8);
    const after = await client.get<Lease>(leasesRef, 'kube-controller-manager', { namespace: 'kube-system' });
    assert.equal(after.spec?.holderIdentity, follower.identity);
    watchStop.abort();
    await watching;
  } finally {
    stopA.abort();
    stopB.abort();
    watchStop.abort();
    await Promise.all(managers.map((m) => m.done));
    client.close();
    await s.stop();
  }
});
