import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { evictionDelay, reconcileTaints, toleratesTaint, wantedTaints } from './node-lifecycle-taints.ts';

const node = (ready: string | undefined, extra: Partial<Node['spec']> = {}, taints: Taint[] = []): Node => ({
  metadata: { name: 'n' },
  spec: { ...extra, taints },
  status: { conditions: ready ? [{ type: 'Ready', status: ready }] : [] },
});

test('wanted taints follow Ready and cordoning', () => {
  assert.deepEqual(wantedTaints(node('True')), []);
  assert.deepEqual(wantedTaints(node('False')), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  assert.deepEqual(wantedTaints(node('Unknown', { unschedulable: true })), [
    'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
  ]);
});

test('reconcileTaints swaps managed taints, keeps foreign ones and timeAdded, and reports no-ops', () => {
  const foreign: Taint = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };
  const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2020-01-01T00:00:00Z' };
  const next = reconcileTaints(node('Unknown', {}, [foreign, notReady]), '2021-01-01T00:00:00Z')!;
  assert.deepEqual(next, [
    foreign,
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2021-01-01T00:00:00Z' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  ]);
  assert.equal(reconcileTaints(node('Unknown', {}, next), 'later'), undefined);
  assert.deepEqual(reconcileTaints(node('True', {}, next), 'later'), [foreign]);
});

test('toleration matching as core/v1 ToleratesTaint', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  assert.ok(toleratesTaint({ operator: 'Exists' }, taint));
  assert.ok(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, taint));
  assert.ok(!toleratesTaint({ key: 'k', operator: 'Equal', value: 'w' }, taint));
  assert.ok(!toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint));
  assert.ok(toleratesTaint({ key: 'k', value: 'v' }, taint), 'operator defaults to Equal');
});

test('eviction delay: untolerated now, least seconds of the tolerations used, unbounded never', () => {
  const t1: Taint = { key: 'a', effect: 'NoExecute' };
  const t2: Taint = { key: 'b', effect: 'NoExecute' };
  const tol = (key: string, s?: number): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s });
  assert.equal(evictionDelay([], [t1]), 'now');
  assert.equal(evictionDelay([tol('a', 30)], [t1, t2]), 'now');
  assert.equal(evictionDelay([tol('a', 30), tol('b', 10)], [t1, t2]), 10);
  assert.equal(evictionDelay([tol('a'), tol('b')], [t1, t2]), 'never');
  assert.equal(evictionDelay([tol('a', 0)], [t1]), 'now');
  assert.equal(evictionDelay([], [{ key: 'x', effect: 'NoSchedule' }]), 'never');
});
