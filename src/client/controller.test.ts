import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.ts';
import { type Action, TerminalError, runController } from './controller.ts';
import { ItemExponentialRateLimiter } from './rate-limiters.ts';
import { WorkQueue } from './workqueue.ts';
import { until } from './testing/until.ts';

test('waits for sync, reconciles, retries errors rate-limited, honours requeueAfter, stops on abort', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1000) });
  const ac = new AbortController();
  let markSynced = (): void => {};
  const synced = new Promise<void>((r) => {
    markSynced = r;
  });
  const calls: string[] = [];
  let failuresLeft = 2;
  const errors: string[] = [];
  const run = runController({
    name: 'test',
    queue,
    workers: 2,
    signal: ac.signal,
    synced: [synced],
    onError: (k, e) => errors.push(`${k}: ${(e as Error).message}`),
    reconcile: async (key): Promise<Action> => {
      calls.push(key);
      if (key === 'flaky' && failuresLeft-- > 0) throw new Error('try again');
      if (key === 'broken') throw new TerminalError('never works');
      if (key === 'periodic') return { requeueAfter: 1000 };
    },
  });
  queue.add('ok');
  queue.add('flaky');
  queue.add('broken');
  queue.add('periodic');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls, [], 'nothing runs before the caches sync');
  markSynced();
  await until(() => calls.length === 4, 'first pass');
  assert.equal(queue.numRequeues('flaky'), 1);
  clock.step(5);
  await until(() => calls.filter((c) => c === 'flaky').length === 2, 'first retry');
  clock.step(9);
  assert.equal(calls.filter((c) => c === 'flaky').length, 2);
  clock.step(1);
  await until(() => calls.filter((c) => c === 'flaky').length === 3, 'second retry');
  await until(() => queue.numRequeues('flaky') === 0, 'success forgets');
  assert.equal(queue.numRequeues('broken'), 0, 'terminal errors are not retried');
  clock.step(1000);
  await until(() => calls.filter((c) => c === 'periodic').length === 2, 'requeueAfter');
  assert.deepEqual(errors.sort(), ['broken: never works', 'flaky: try again', 'flaky: try again']);
  ac.abort();
  await run;
  assert.equal(queue.isShuttingDown(), true);
});

test('abort before sync returns without reconciling', async () => {
  const queue = new WorkQueue<string>({ clock: new FakeClock() });
  const ac = new AbortController();
  queue.add('x');
  let called = false;
  const run = runController({ name: 't', queue, signal: ac.signal, synced: [new Promise(() => {})], reconcile: async () => { called = true; } });
  ac.abort();
  await run;
  assert.equal(called, false);
});
