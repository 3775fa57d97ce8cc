import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.ts';
import type { SharedInformers } from '../../client/informer.ts';
import type { RestClient } from '../../client/rest.ts';
import { type ControllerContext, type StartController, defaultControllerOptions } from './context.ts';
import { superviseController } from './supervisor.ts';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a run that lasted longer than the backoff cap starts the backoff over', async () => {
  const clock = new FakeClock();
  const ac = new AbortController();
  const ctx: ControllerContext = {
    client: {} as RestClient, informers: { informerFor: () => { throw new Error('unused'); } } as SharedInformers,
    recorder: () => { throw new Error('unused'); }, signal: ac.signal, clock, options: defaultControllerOptions,
  };
  const started: number[] = [];
  const lives = [0, 0, 10_000, 0];
  const start: StartController = async (run) => {
    const i = started.push(clock.now()) - 1;
    if (i >= lives.length) return new Promise<void>((r) => run.signal.addEventListener('abort', () => r(), { once: true }));
    if (lives[i] > 0) await new Promise<void>((r) => clock.setTimeout(r, lives[i]));
    throw new Error(`run ${i}`);
  };
  const failures: number[] = [];
  const done = superviseController({ name: 'x', start, ctx, initialBackoffMs: 100, maxBackoffMs: 1000, onFailure: (_e, n) => failures.push(n) });
  const until = async (n: number): Promise<void> => {
    // let the supervisor react before time moves on, in steps that divide every delay here
    while (started.length < n) {
      await tick();
      clock.step(10);
    }
  };
  await until(5);
  const t0 = started[0];
  // run 0 fails at once: 100 ms; run 1 fails at once: 200 ms; run 2 lives 10 s (> cap) then fails: back to 100 ms
  assert.equal(started[1] - t0, 100);
  assert.equal(started[2] - started[1], 200);
  assert.equal(started[3] - started[2], 10_000 + 100);
  assert.equal(started[4] - started[3], 200);
  assert.deepEqual(failures, [1, 2, 3, 4]);
  ac.abort();
  await done;
});
