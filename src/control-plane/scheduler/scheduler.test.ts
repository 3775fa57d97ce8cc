// The scheduler's periodic flush of parked pods runs on the injected clock: a pod no node fits stays parked until
// it has been unschedulable for maxUnschedulableMs (5 min), then is retried, with no cluster event in between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestServer } from '../../../test/support/server.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { FakeClock, RestClient } from '../../client/index.ts';
import { Scheduler, flushUnschedulableIntervalMs, podsRef } from './scheduler.ts';

/** Fires the flush timer once and lets the loop that re-arms it run (it resumes on promise callbacks only). */
async function stepFlush(clock: FakeClock): Promise<void> {
  clock.step(flushUnschedulableIntervalMs);
  await new Promise((r) => setImmediate(r));
}

test('an unschedulable pod is retried by the periodic flush after five minutes of fake time', async () => {
  const s = await startTestServer();
  const client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  const clock = new FakeClock(Date.now());
  const ctl = new AbortController();
  const sched = new Scheduler({ client, clock, scheduledEvents: false });
  const running = sched.run(ctl.signal);
  try {
    // the cluster has no nodes: the pod cannot fit anywhere
    await client.create<Pod>(podsRef, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'parked', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await waitFor('first attempt parks the pod', () => sched.stats.failed === 1 && sched.queue.unschedulableCount === 1);
    for (let elapsed = flushUnschedulableIntervalMs; elapsed < 300_000; elapsed += flushUnschedulableIntervalMs) {
      await stepFlush(clock);
      // each flush (and a retry it would start: pop and a failing cycle are synchronous) has run by now; short of
      // five minutes the pod stays parked and is not retried
      assert.equal(sched.queue.unschedulableCount, 1, `still parked after ${elapsed / 1000} s`);
      assert.equal(sched.stats.failed, 1, `not retried after ${elapsed / 1000} s`);
    }
    await stepFlush(clock);
    // well inside the 30 s of real time after which a real-clock timer would have flushed it
    await waitFor('retried and parked again', () => sched.stats.failed === 2 && sched.queue.unschedulableCount === 1, 15_000);
    const pod = await client.get<Pod>(podsRef, 'parked', { namespace: 'default' });
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.reason, 'Unschedulable');
  } finally {
    ctl.abort();
    await running;
    client.close();
    await s.stop();
  }
});
