import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { formatMicroTime, runWithLeaderElection, type LeaderElectionOptions } from './leader-election.ts';
import { RestClient } from './rest.ts';
import { FakeApiServer } from './testing/fake-apiserver.ts';
import { until } from './testing/until.ts';

const coll = 'coordination.k8s.io/leases';
const microTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
// Short periods keep the test quick; assertions wait for effects, never for durations.
const fast = { leaseDurationSeconds: 1, renewDeadlineSeconds: 0.4, retryPeriodSeconds: 0.05 };

interface Candidate {
  leading: boolean;
  stopped: boolean;
  lostSignal?: AbortSignal;
  ac: AbortController;
  done: Promise<void>;
}

function candidate(client: RestClient, identity: string, extra: Partial<LeaderElectionOptions> = {}): Candidate {
  const ac = new AbortController();
  const c: Candidate = { leading: false, stopped: false, ac, done: Promise.resolve() };
  c.done = runWithLeaderElection({
    client, identity, lease: { namespace: 'kube-system', name: 'ctrl' }, signal: ac.signal, ...fast,
    onStartedLeading: (signal) => {
      c.leading = true;
      c.lostSignal = signal;
    },
    onStoppedLeading: () => {
      c.stopped = true;
    },
    ...extra,
  });
  return c;
}

function lease(srv: FakeApiServer): Lease | undefined {
  return srv.getObject<Lease>(coll, 'kube-system', 'ctrl');
}

test('MicroTime has six fractional digits', () => {
  assert.equal(formatMicroTime(Date.UTC(2024, 0, 2, 3, 4, 5, 123)), '2024-01-02T03:04:05.123000Z');
});

test('one leader at a time; release on cancel hands over; renewals advance renewTime', async () => {
  const srv = new FakeApiServer();
  const client = new RestClient({ server: await srv.start() });
  try {
    const a = candidate(client, 'a');
    await until(() => a.leading, 'a leads');
    const first = lease(srv);
    assert.equal(first?.spec?.holderIdentity, 'a');
    assert.equal(first?.spec?.leaseTransitions, 0);
    assert.equal(first?.spec?.leaseDurationSeconds, 1);
    assert.match(first?.spec?.renewTime ?? '', microTime);
    assert.match(first?.spec?.acquireTime ?? '', microTime);

    srv.inject('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/ctrl',
      { kind: 'Status', status: 'Failure', code: 409, reason: 'Conflict', message: 'conflict' });
    const b = candidate(client, 'b');
    await until(() => lease(srv)?.metadata?.resourceVersion !== first?.metadata?.resourceVersion, 'a renews');
    await until(() => lease(srv)?.spec?.renewTime !== first?.spec?.renewTime, 'renewTime moves');
    assert.equal(lease(srv)?.spec?.acquireTime, first?.spec?.acquireTime);
    assert.equal(b.leading, false);
    assert.equal(a.leading && !a.stopped, true, 'a conflict on one renewal does not cost leadership');

    a.ac.abort();
    await a.done;
    assert.equal(a.lostSignal?.aborted, true);
    assert.equal(a.stopped, true);
    await until(() => b.leading, 'b takes over');
    assert.equal(lease(srv)?.spec?.holderIdentity, 'b');
    assert.equal(lease(srv)?.spec?.leaseTransitions, 1);
    b.ac.abort();
    await b.done;
    assert.equal(lease(srv)?.spec?.holderIdentity, '');
  } finally {
    client.close();
    await srv.stop();
  }
});

test('a leader that cannot renew loses leadership and its signal aborts', async () => {
  const srv = new FakeApiServer();
  const client = new RestClient({ server: await srv.start() });
  try {
    const a = candidate(client, 'a');
    await until(() => a.leading, 'a leads');
    const current = lease(srv);
    srv.put(coll, { ...current, spec: { ...current?.spec, holderIdentity: 'thief', renewTime: formatMicroTime(Date.now()) } });
    await a.done;
    assert.equal(a.lostSignal?.aborted, true);
    assert.equal(a.stopped, true);
    assert.equal(lease(srv)?.spec?.holderIdentity, 'thief', 'a lost leader does not release what it no longer holds');
  } finally {
    client.close();
    await srv.stop();
  }
});

test('an expired lease held by someone else is taken over after its duration', async () => {
  const srv = new FakeApiServer();
  const client = new RestClient({ server: await srv.start() });
  try {
    const stamp = formatMicroTime(Date.now());
    srv.put(coll, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'ctrl', namespace: 'kube-system' },
      spec: { holderIdentity: 'ghost', leaseDurationSeconds: 1, acquireTime: stamp, renewTime: stamp, leaseTransitions: 4 } });
    const leaders: string[] = [];
    const b = candidate(client, 'b', { onNewLeader: (id) => leaders.push(id) });
    await until(() => b.leading, 'b takes over the expired lease');
    assert.equal(lease(srv)?.spec?.leaseTransitions, 5);
    assert.deepEqual(leaders, ['ghost', 'b']);
    b.ac.abort();
    await b.done;
  } finally {
    client.close();
    await srv.stop();
  }
});

test('options are validated like client-go', async () => {
  const client = new RestClient({ server: 'http://127.0.0.1:1' });
  await assert.rejects(candidate(client, 'x', { leaseDurationSeconds: 5, renewDeadlineSeconds: 5 }).done, /leaseDuration must be greater/);
  await assert.rejects(candidate(client, 'x', { leaseDurationSeconds: 5, renewDeadlineSeconds: 1, retryPeriodSeconds: 1 }).done, /retryPeriod/);
  client.close();
});
