import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.ts';
import { BucketRateLimiter, ItemExponentialRateLimiter, ItemFastSlowRateLimiter, defaultControllerRateLimiter, maxOf } from './rate-limiters.ts';
import { WorkQueue } from './workqueue.ts';

test('adds collapse while dirty; an item re-added during processing comes back only after done', async () => {
  const q = new WorkQueue<string>({ clock: new FakeClock() });
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  q.add('a');
  assert.equal(q.len(), 1, 'a is processing, so the re-add waits in dirty');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
  q.done('a');
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'a');
  q.done('a');
  q.done('b');
  assert.equal(q.len(), 0);
});

test('a waiting get() receives the next add', async () => {
  const q = new WorkQueue<string>({ clock: new FakeClock() });
  const p = q.get();
  q.add('x');
  assert.equal(await p, 'x');
});

test('addAfter waits on the clock; the earlier of two delays wins', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>({ clock });
  q.addAfter('a', 100);
  q.addAfter('b', 50);
  q.addAfter('b', 10);
  q.addAfter('c', 10);
  q.addAfter('c', 50);
  assert.equal(q.len(), 0);
  clock.step(10);
  assert.equal(q.len(), 2);
  assert.deepEqual([await q.get(), await q.get()].sort(), ['b', 'c']);
  clock.step(89);
  assert.equal(q.len(), 0);
  clock.step(1);
  assert.equal(await q.get(), 'a');
  clock.step(1000);
  assert.equal(q.len(), 0, 'the superseded timers did not add again');
});

test('addRateLimited backs off exponentially per item until forget', () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1_000_000) });
  q.addRateLimited('a');
  q.addRateLimited('a');
  q.addRateLimited('a');
  assert.equal(q.numRequeues('a'), 3);
  assert.equal(q.len(), 0);
  clock.step(4);
  assert.equal(q.len(), 0);
  clock.step(1);
  assert.equal(q.len(), 1, 'the first (5 ms) delay is the earliest and wins');
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
});

test('rate limiters: exponential caps, bucket bursts then paces, maxOf takes the longest', () => {
  const exp = new ItemExponentialRateLimiter<string>(5, 1_000_000);
  const delays = Array.from({ length: 5 }, () => exp.when('x'));
  assert.deepEqual(delays, [5, 10, 20, 40, 80]);
  for (let i = 0; i < 100; i++) exp.when('x');
  assert.equal(exp.when('x'), 1_000_000);
  assert.equal(exp.when('other'), 5);

  const clock = new FakeClock();
  const bucket = new BucketRateLimiter<string>(10, 100, clock);
  for (let i = 0; i < 100; i++) assert.equal(bucket.when('k'), 0);
  assert.equal(bucket.when('k'), 100);
  assert.equal(bucket.when('k'), 200);
  clock.step(300);
  assert.deepEqual([bucket.when('k'), bucket.when('k')], [0, 100], '3 tokens refilled, 2 were owed');

  const fs = new ItemFastSlowRateLimiter<string>(1, 1000, 2);
  assert.deepEqual([fs.when('a'), fs.when('a'), fs.when('a')], [1, 1, 1000]);

  const combined = maxOf<string>(new ItemExponentialRateLimiter(5, 1000), new ItemFastSlowRateLimiter(50, 50, 1));
  assert.equal(combined.when('z'), 50);
  assert.equal(combined.numRequeues('z'), 1);
  combined.forget('z');
  assert.equal(combined.numRequeues('z'), 0);
  assert.equal(defaultControllerRateLimiter<string>(clock).when('q'), 5);
});

test('workers never hold the same item at once', async () => {
  const q = new WorkQueue<string>({ clock: new FakeClock() });
  const inFlight = new Set<string>();
  let overlaps = 0;
  let processed = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const item = await q.get();
      if (item === undefined) return;
      if (inFlight.has(item)) overlaps++;
      inFlight.add(item);
      await new Promise((r) => setImmediate(r));
      if (processed < 20) q.add(item);
      processed++;
      inFlight.delete(item);
      q.done(item);
    }
  };
  q.add('k1');
  q.add('k2');
  const workers = [worker(), worker(), worker(), worker()];
  while (processed < 20 || inFlight.size > 0 || q.len() > 0) await new Promise((r) => setImmediate(r));
  await q.shutDownWithDrain();
  await Promise.all(workers);
  assert.equal(overlaps, 0);
});

test('shutdown: waiting gets resolve undefined, queued items still drain, later adds are ignored', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>({ clock });
  const idle = q.get();
  q.shutdown();
  assert.equal(await idle, undefined);

  const q2 = new WorkQueue<string>({ clock });
  q2.add('a');
  q2.add('b');
  q2.addAfter('later', 10);
  const a = await q2.get();
  let drained = false;
  const drain = q2.shutDownWithDrain().then(() => {
    drained = true;
  });
  q2.add('c');
  clock.step(100);
  assert.equal(await q2.get(), 'b');
  q2.done('b');
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false, 'a is still processing');
  q2.done(a ?? '');
  await drain;
  assert.equal(await q2.get(), undefined);
  assert.equal(q2.isShuttingDown(), true);
});

test('shutDownWithDrain called twice resolves both callers', async () => {
  const q = new WorkQueue<string>({ clock: new FakeClock() });
  q.add('a');
  const a = await q.get();
  const resolved: string[] = [];
  const first = q.shutDownWithDrain().then(() => resolved.push('first'));
  const second = q.shutDownWithDrain().then(() => resolved.push('second'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(resolved, [], 'neither caller resolves while a is still processing');
  q.done(a ?? '');
  await Promise.all([first, second]);
  assert.deepEqual(resolved.sort(), ['first', 'second']);
  assert.equal(q.isShuttingDown(), true);
  assert.equal(await q.get(), undefined);
});
