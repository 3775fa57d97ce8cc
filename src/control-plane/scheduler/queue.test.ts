import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/index.ts';
import { SchedulingQueue } from './queue.ts';
import { newPodInfo } from './pod-info.ts';
import { makePod } from './testing.ts';

const info = (name: string, priority = 0) => newPodInfo(makePod(name, { priority }));

test('activeQ pops by priority, then by arrival', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  q.add(info('low'));
  clock.step(1);
  q.add(info('high', 10));
  clock.step(1);
  q.add(info('low2'));
  assert.deepEqual([(await q.pop())!.info.name, (await q.pop())!.info.name, (await q.pop())!.info.name], ['high', 'low', 'low2']);
});

test('pop waits for an add; close releases waiters', async () => {
  const q = new SchedulingQueue({ clock: new FakeClock() });
  const p = q.pop();
  q.add(info('a'));
  assert.equal((await p)?.info.name, 'a');
  const w = q.pop();
  q.close();
  assert.equal(await w, undefined);
});

test('unschedulable pods move only on events naming a plugin that rejected them, via backoff', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  q.add(info('a'));
  const qp = (await q.pop())!;
  q.addUnschedulable(qp, new Set(['NodeResourcesFit']));
  assert.equal(q.unschedulableCount, 1);
  q.moveAll(new Set(['TaintToleration']));
  assert.equal(q.unschedulableCount, 1, 'an unrelated event leaves it parked');
  q.moveAll(new Set(['NodeResourcesFit']));
  assert.equal(q.unschedulableCount, 0);
  assert.equal(q.backoffCount, 1, 'still inside its 1 s backoff');
  clock.step(1000);
  assert.equal(q.activeCount, 1);
  const again = (await q.pop())!;
  assert.equal(again.attempts, 2);
  assert.equal(q.backoffDuration(again), 2000);
});

test('backoff doubles up to the maximum; parked pods are flushed after 5 minutes', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  q.add(info('a'));
  const qp = (await q.pop())!;
  qp.attempts = 10;
  assert.equal(q.backoffDuration(qp), 10_000);
  q.addUnschedulable(qp, new Set(['NodeAffinity']));
  clock.step(299_000);
  q.flushUnschedulable();
  assert.equal(q.unschedulableCount, 1);
  clock.step(1_000);
  q.flushUnschedulable();
  assert.equal(q.activeCount, 1);
});

test('update of a parked pod requeues it; delete removes it anywhere', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock });
  q.add(info('a'));
  const qp = (await q.pop())!;
  q.addUnschedulable(qp, new Set(['NodeAffinity']));
  clock.step(5000);
  q.update(newPodInfo({ ...qp.info.pod, metadata: { ...qp.info.pod.metadata, labels: { x: 'y' } } }));
  assert.equal(q.activeCount, 1);
  q.delete(qp.info.key);
  assert.equal(q.activeCount, 0);
  q.add(info('b'));
  q.delete('default/b');
  const p = q.pop();
  q.add(info('c'));
  assert.equal((await p)?.info.name, 'c');
});
