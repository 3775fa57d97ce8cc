import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.ts';
import { Backoff } from './backoff.ts';

test('10 s doubling to 5 min, measured from the failure; quiet for twice the max starts over', () => {
  const clock = new FakeClock(1_000_000);
  const b = new Backoff(10_000, 300_000, clock);
  assert.equal(b.remaining('k'), 0);
  assert.equal(b.next('k'), 10_000);
  assert.equal(b.remaining('k'), 10_000);
  clock.step(4_000);
  assert.equal(b.remaining('k'), 6_000);
  const delays = [b.next('k'), b.next('k'), b.next('k'), b.next('k'), b.next('k'), b.next('k')];
  assert.deepEqual(delays, [20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  // remaining counted from an explicit time (a container's finishedAt)
  assert.equal(b.remaining('k', clock.now() - 299_000), 1_000);
  clock.step(600_001);
  assert.equal(b.next('k'), 10_000);
  b.reset('k');
  assert.equal(b.remaining('k'), 0);
});

test('resetPrefix forgets one pod`s keys', () => {
  const b = new Backoff(10_000, 300_000, new FakeClock(0));
  b.next('u1/a');
  b.next('u2/a');
  b.resetPrefix('u1/');
  assert.equal(b.delay('u1/a'), 0);
  assert.equal(b.delay('u2/a'), 10_000);
});
