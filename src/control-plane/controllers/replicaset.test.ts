import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.ts';
import { Expectations, expectationsTimeoutMs } from './replicaset-expectations.ts';
import { slowStartBatch } from './replicaset-status.ts';

test('slow start: batches of 1, 2, 4, … and a stop after the first failing batch', async () => {
  const batches: number[] = [];
  let inFlight = 0;
  let calls = 0;
  const ok = await slowStartBatch(10, 1, async () => {
    calls++;
    if (inFlight === 0) batches.push(0); // a batch's calls all start before any of them finishes
    batches[batches.length - 1]++;
    inFlight++;
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
  });
  assert.deepEqual(ok, { successes: 10 });
  assert.equal(calls, 10);
  assert.deepEqual(batches, [1, 2, 4, 3]);

  let n = 0;
  const failing = await slowStartBatch(100, 1, async () => {
    n++;
    if (n === 3) throw new Error('quota');
  });
  assert.equal(n, 3, 'batches 1 and 2 ran; nothing after the failing batch');
  assert.equal(failing.successes, 2);
  assert.equal((failing.error as Error).message, 'quota');
});

test('expectations hold a key until its creates and deletes are observed, or expire', () => {
  const clock = new FakeClock();
  const e = new Expectations(clock);
  assert.ok(e.satisfied('ns/rs'));
  e.expectCreations('ns/rs', 2);
  assert.ok(!e.satisfied('ns/rs'));
  e.creationObserved('ns/rs');
  assert.ok(!e.satisfied('ns/rs'));
  e.creationObserved('ns/rs');
  assert.ok(e.satisfied('ns/rs'));

  e.expectDeletions('ns/rs', ['ns/p1', 'ns/p2']);
  e.deletionObserved('ns/rs', 'ns/p1');
  e.deletionObserved('ns/rs', 'ns/p1'); // seen twice (graceful delete, then removal) counts once
  assert.deepEqual(e.pending('ns/rs'), { adds: 0, dels: 1 });
  assert.ok(!e.satisfied('ns/rs'));
  clock.step(expectationsTimeoutMs + 1);
  assert.ok(e.satisfied('ns/rs'), 'a lost event cannot wedge the controller');
  e.delete('ns/rs');
  assert.equal(e.pending('ns/rs'), undefined);
});
