// Leader election against the real API server, on a fake clock: candidates only move when the test steps time,
// and after each step the test waits until no request is in flight. So "b does not lead yet" is checked at a
// known instant with nothing pending, and lease durations are the production ones without any real waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { FakeClock } from './clock.ts';
import { formatMicroTime, leasesRef, runWithLeaderElection, type LeaderElectionOptions } from './leader-election.ts';
import { RestClient } from './rest.ts';
import { startApiServer, type TestApiServer } from './testing/apiserver.ts';
import { FaultTransport } from './testing/fault-transport.ts';
import { until } from './testing/until.ts';

const microTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const ns = 'kube-system';
const timings = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 };

interface Candidate {
  leading: boolean;
  stopped: boolean;
  lostSignal?: AbortSignal;
  ac: AbortController;
  wire: FaultTransport;
  done: Promise<void>;
}

interface World {
  api: TestApiServer;
  clock: FakeClock;
  /** The test's own client, for reading and writing the lease directly. */
  admin: RestClient;
  candidates: Candidate[];
  candidate(identity: string, extra?: Partial<LeaderElectionOptions>): Candidate;
  lease(): Promise<Lease | undefined>;
  /** Waits until no candidate has a request in flight (each is asleep on the fake clock). */
  settle(): Promise<void>;
  /** Steps the fake clock by ms in 100 ms steps, settling after each. */
  advance(ms: number): Promise<void>;
}

async function world(): Promise<World> {
  const api = await startApiServer();
  const clock = new FakeClock(Date.now());
  const admin = api.client();
  const candidates: Candidate[] = [];
  const w: World = {
    api, clock, admin, candidates,
    candidate(identity, extra = {}) {
      let wire: FaultTransport | undefined;
      const client = api.client({ wrap: (t) => (wire = new FaultTransport(t)) });
      const ac = new AbortController();
      const c: Candidate = { leading: false, stopped: false, ac, wire: wire!, done: Promise.resolve() };
      c.done = runWithLeaderElection({
        client, identity, lease: { namespace: ns, name: 'ctrl' }, signal: ac.signal, clock, ...timings,
        onStartedLeading: (signal) => {
          c.leading = true;
          c.lostSignal = signal;
        },
        onStoppedLeading: () => {
          c.stopped = true;
        },
        ...extra,
      });
      candidates.push(c);
      return c;
    },
    lease: () => admin.get<Lease>(leasesRef, 'ctrl', { namespace: ns }).catch(() => undefined),
    async settle() {
      // quiet twice in a row: a response's continuation issues its next request within microtasks
      for (let quiet = 0; quiet < 2;) {
        await new Promise((r) => setImmediate(r));
        quiet = candidates.every((c) => c.wire.inFlight() === 0) ? quiet + 1 : 0;
      }
    },
    async advance(ms) {
      for (let t = 0; t < ms; t += 100) {
        clock.step(100);
        await w.settle();
      }
    },
  };
  return w;
}

async function shutdown(w: World): Promise<void> {
  for (const c of w.candidates) c.ac.abort();
  await Promise.all(w.candidates.map((c) => c.done));
  await w.api.stop();
}

test('MicroTime has six fractional digits', () => {
  assert.equal(formatMicroTime(Date.UTC(2024, 0, 2, 3, 4, 5, 123)), '2024-01-02T03:04:05.123000Z');
});

test('one leader at a time; a failed renewal is retried; release on cancel hands over', async () => {
  const w = await world();
  try {
    const a = w.candidate('a');
    await until(() => a.leading, 'a leads');
    const first = await w.lease();
    assert.equal(first?.spec?.holderIdentity, 'a');
    assert.equal(first?.spec?.leaseTransitions, 0);
    assert.equal(first?.spec?.leaseDurationSeconds, 15);
    assert.equal(first?.spec?.renewTime, formatMicroTime(w.clock.now()));
    assert.match(first?.spec?.acquireTime ?? '', microTime);

    // a's next renewal gets a 409; it retries within the renew deadline and keeps leading
    a.wire.inject('PUT', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/ctrl`, { kind: 'Status', status: 'Failure', code: 409, reason: 'Conflict', message: 'conflict' });
    const b = w.candidate('b');
    await w.settle();
    assert.equal(b.leading, false, 'the lease is held');
    await w.advance(2000);
    assert.equal((await w.lease())?.metadata?.resourceVersion, first?.metadata?.resourceVersion, 'the first renewal failed');
    await w.advance(2000);
    const renewed = await w.lease();
    assert.notEqual(renewed?.metadata?.resourceVersion, first?.metadata?.resourceVersion);
    assert.equal(renewed?.spec?.renewTime, formatMicroTime(w.clock.now()), 'renewed on the retry, at the fake time');
    assert.equal(renewed?.spec?.acquireTime, first?.spec?.acquireTime);
    assert.equal(a.wire.requests.filter((r) => r.method === 'PUT').length, 2);
    // b keeps observing a renewed lease: 60 s of renewals never let it in
    await w.advance(60_000);
    assert.equal(b.leading, false);
    assert.equal(a.leading && !a.stopped, true);

    a.ac.abort();
    await a.done;
    assert.equal(a.lostSignal?.aborted, true);
    assert.equal(a.stopped, true);
    assert.equal((await w.lease())?.spec?.holderIdentity, '', 'released');
    await w.advance(5000); // b's next retry, at most 2 s × 2.2 away
    assert.equal(b.leading, true);
    assert.equal((await w.lease())?.spec?.holderIdentity, 'b');
    assert.equal((await w.lease())?.spec?.leaseTransitions, 1);
    b.ac.abort();
    await b.done;
    assert.equal((await w.lease())?.spec?.holderIdentity, '');
  } finally {
    await shutdown(w);
  }
});

test('a leader that cannot renew loses leadership at the renew deadline and its signal aborts', async () => {
  const w = await world();
  try {
    const a = w.candidate('a');
    await until(() => a.leading, 'a leads');
    const current = await w.lease();
    assert.ok(current);
    await w.admin.update<Lease>(leasesRef, { ...current, spec: { ...current.spec, holderIdentity: 'thief', renewTime: formatMicroTime(w.clock.now()) } });
    // renewals start failing at 2 s; the 10 s deadline runs out at 12 s
    await w.advance(11_000);
    assert.equal(a.stopped, false, 'still within the renew deadline');
    assert.equal(a.lostSignal?.aborted, false);
    await w.advance(1500);
    assert.equal(a.stopped, true, 'gave up at the deadline'); // checked before awaiting done, which a bug could hang
    assert.equal(a.lostSignal?.aborted, true);
    await a.done;
    assert.equal((await w.lease())?.spec?.holderIdentity, 'thief', 'a lost leader does not release what it no longer holds');
  } finally {
    await shutdown(w);
  }
});

test('an expired lease held by someone else is taken over after its duration, not before', async () => {
  const w = await world();
  try {
    const stamp = formatMicroTime(w.clock.now());
    await w.admin.create<Lease>(leasesRef, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'ctrl', namespace: ns },
      spec: { holderIdentity: 'ghost', leaseDurationSeconds: 15, acquireTime: stamp, renewTime: stamp, leaseTransitions: 4 } });
    const leaders: string[] = [];
    const b = w.candidate('b', { onNewLeader: (id) => leaders.push(id) });
    await w.settle();
    await w.advance(14_000);
    assert.equal(b.leading, false, 'the ghost\'s 15 s have not run out');
    assert.deepEqual(leaders, ['ghost']);
    await w.advance(6000); // past 15 s, plus one retry period with jitter
    assert.equal(b.leading, true);
    assert.equal((await w.lease())?.spec?.leaseTransitions, 5);
    assert.deepEqual(leaders, ['ghost', 'b']);
  } finally {
    await shutdown(w);
  }
});

test('options are validated like client-go', async () => {
  const client = new RestClient({ server: 'http://127.0.0.1:1' });
  const run = (o: Partial<LeaderElectionOptions>) =>
    runWithLeaderElection({ client, identity: 'x', lease: { namespace: ns, name: 'ctrl' }, signal: new AbortController().signal, onStartedLeading: () => {}, ...o });
  await assert.rejects(run({ leaseDurationSeconds: 5, renewDeadlineSeconds: 5 }), /leaseDuration must be greater/);
  await assert.rejects(run({ leaseDurationSeconds: 5, renewDeadlineSeconds: 1, retryPeriodSeconds: 1 }), /retryPeriod/);
  client.close();
});
