import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.ts';
import { BoundedRunner } from './runner.ts';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a burst of requests is one sync; the next waits for the minimum interval', async () => {
  const clock = new FakeClock();
  const starts: number[] = [];
  const r = new BoundedRunner(async () => { starts.push(clock.now()); }, { minIntervalMs: 100, clock });
  for (let i = 0; i < 10; i++) r.run();
  clock.step(0);
  await flush();
  assert.equal(starts.length, 1);
  r.run();
  r.run();
  clock.step(50);
  await flush();
  assert.equal(starts.length, 1, 'not before the interval');
  clock.step(50);
  await flush();
  assert.deepEqual(starts.map((t) => t - starts[0]!), [0, 100]);
});

test('a request during a sync causes exactly one more; a failure is retried', async () => {
  const clock = new FakeClock();
  let calls = 0;
  let release!: () => void;
  let fail = false;
  const errors: unknown[] = [];
  const r = new BoundedRunner(async () => {
    calls++;
    if (calls === 1) await new Promise<void>((res) => (release = res));
    if (fail) throw new Error('boom');
  }, { minIntervalMs: 10, retryMs: 500, clock, onError: (e) => errors.push(e) });
  r.run();
  clock.step(0);
  await flush();
  r.run();
  r.run();
  release();
  await flush();
  clock.step(10);
  await flush();
  assert.equal(calls, 2);
  fail = true;
  r.run();
  clock.step(10);
  await flush();
  assert.equal(calls, 3);
  assert.equal(errors.length, 1);
  fail = false;
  clock.step(499);
  await flush();
  assert.equal(calls, 3, 'the retry waits retryMs');
  clock.step(1);
  await flush();
  assert.equal(calls, 4);
  r.stop();
});
