import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { startTestServer } from '../../test/support/server.ts';
import { FakeClock, RestClient, leasesRef } from '../client/index.ts';
import { startSimNodes, nodesRef, podsRef } from './nodes.ts';
import { microTime } from './objects.ts';
import { waitFor } from '../../test/support/wait.ts';

const interval = 10_000;

/**
 * Lease rounds run on the fake clock: the only timer the sim sets on it is the lease loop's sleep, so one waiter
 * means the loop is idle between rounds. step() fires a round; waiting for the waiter again waits for that round
 * to finish. Lease checks thus need no sleeps, and "not renewed" is checked after a round that has completed.
 */
async function leaseRound(clock: FakeClock): Promise<void> {
  await waitFor('lease loop idle', () => clock.waiters() === 1);
  clock.step(interval);
  await waitFor('lease round done', () => clock.waiters() === 1);
}

test('sim nodes register, renew leases, run and delete pods', async () => {
  const s = await startTestServer();
  const ctl = new AbortController();
  const client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  const clock = new FakeClock(Date.now());
  try {
    const sim = await startSimNodes({ client, count: 3, prefix: 'kwok', signal: ctl.signal, clock, heartbeatIntervalMs: interval, taints: (_n, i) => (i === 2 ? [{ key: 'x', value: 'y', effect: 'NoSchedule' }] : []) });
    assert.deepEqual(sim.names, ['kwok-0', 'kwok-1', 'kwok-2']);
    const node = await client.get<Node>(nodesRef, 'kwok-0');
    assert.equal(node.metadata?.labels?.type, 'kwok');
    assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], 'kwok-0');
    assert.equal(node.metadata?.annotations?.['kwok.x-k8s.io/node'], 'fake');
    assert.equal(node.status?.allocatable?.cpu, '32');
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.deepEqual((await client.get<Node>(nodesRef, 'kwok-2')).spec?.taints?.[0]?.key, 'x');

    const lease0 = await client.get<Lease>(leasesRef, 'kwok-1', { namespace: 'kube-node-lease' });
    assert.equal(lease0.spec?.holderIdentity, 'kwok-1');
    assert.equal(lease0.spec?.leaseDurationSeconds, 40);
    const renewTime = async (name: string) => (await client.get<Lease>(leasesRef, name, { namespace: 'kube-node-lease' })).spec?.renewTime;
    await leaseRound(clock);
    assert.equal(await renewTime('kwok-1'), microTime(clock.now()), 'renewed at the round\'s time');
    assert.notEqual(lease0.spec?.renewTime, microTime(clock.now()));

    // kubectl sees the nodes Ready
    const got = await s.kubectl(['get', 'nodes', '--no-headers']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout.trim().split('\n').filter((l) => /\bReady\b/.test(l)).length, 3);

    // a pod bound to a sim node becomes Running and Ready
    await client.create<Pod>(podsRef, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'default' }, spec: { nodeName: 'kwok-1', containers: [{ name: 'c', image: 'nginx' }] } });
    const running = await waitFor('pod running', async () => {
      const p = await client.get<Pod>(podsRef, 'p1', { namespace: 'default' });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.equal(running.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.match(running.status?.podIP ?? '', /^10\.244\./);
    assert.equal(running.status?.hostIP, node.status?.addresses?.[0]?.address.replace(/\.1$/, '.2'));
    assert.match(running.status?.containerStatuses?.[0]?.containerID ?? '', /^sim:\/\//);
    assert.ok(running.status?.containerStatuses?.[0]?.state?.running?.startedAt);

    // graceful delete via kubectl finishes (the sim kubelet deletes with grace 0)
    const del = await s.kubectl(['delete', 'pod', 'p1', '--wait=true', '--timeout=20s']);
    assert.equal(del.code, 0, del.stderr);

    // a stopped heartbeat leaves the lease alone; resuming renews it
    await waitFor('lease loop idle', () => clock.waiters() === 1); // no round in flight
    sim.stopHeartbeat('kwok-0');
    const frozen = await renewTime('kwok-0');
    await leaseRound(clock);
    assert.equal(await renewTime('kwok-2'), microTime(clock.now()), 'the others are renewed');
    assert.equal(await renewTime('kwok-0'), frozen, 'a stopped node is not');
    sim.resumeHeartbeat('kwok-0'); // renews at once, without waiting for the next round
    await waitFor('renewal after resume', async () => (await renewTime('kwok-0')) === microTime(clock.now()));

    // a node marked NotReady by someone else is set Ready again while alive
    const n1 = await client.get<Node>(nodesRef, 'kwok-1');
    n1.status!.conditions = n1.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c));
    await client.updateStatus(nodesRef, n1);
    await waitFor('ready again', async () => (await client.get<Node>(nodesRef, 'kwok-1')).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    await sim.stop();
  } finally {
    ctl.abort();
    client.close();
    await s.stop();
  }
});
