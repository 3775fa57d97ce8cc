import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.ts';
import { type Action, TerminalError, controllerOwnerKey, enqueueOnChange, runController } from './controller.ts';
import { Informer } from './informer.ts';
import { resourceRef } from './resource-ref.ts';
import { startApiServer } from './testing/apiserver.ts';
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
  // had the 10 ms retry timer fired, its reconcile would have started by the next macrotask
  await new Promise((r) => setImmediate(r));
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

test('enqueueOnChange feeds own keys and controller-owner keys into a queue', async () => {
  const api = await startApiServer();
  const client = api.client();
  const ac = new AbortController();
  const podsRef = resourceRef('v1', 'pods');
  try {
    const owner = (kind: string, name: string, controller = true) => [{ apiVersion: 'apps/v1', kind, name, uid: `u-${name}`, controller }];
    const create = (name: string, ownerReferences: ReturnType<typeof owner>) =>
      client.create(podsRef, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ownerReferences }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await create('p1', owner('ReplicaSet', 'rs1'));
    await create('p2', owner('StatefulSet', 'ss'));
    await create('p3', owner('ReplicaSet', 'rs2', false));
    const inf = new Informer({ client, ref: podsRef });
    const own = new WorkQueue<string>({ clock: new FakeClock() });
    const owners = new WorkQueue<string>({ clock: new FakeClock() });
    enqueueOnChange(inf, own);
    enqueueOnChange(inf, owners, controllerOwnerKey('ReplicaSet'));
    void inf.run(ac.signal);
    await inf.synced;
    assert.deepEqual([await own.get(), await own.get(), await own.get()].sort(), ['default/p1', 'default/p2', 'default/p3']);
    assert.equal(owners.len(), 1);
    assert.equal(await owners.get(), 'default/rs1');
    await client.delete(podsRef, 'p1', { namespace: 'default', gracePeriodSeconds: 0 });
    owners.done('default/rs1');
    await until(() => owners.len() === 1, 'owner enqueued on delete');
  } finally {
    ac.abort();
    await api.stop();
  }
});
