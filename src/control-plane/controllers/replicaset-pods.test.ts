import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive, isPodAvailable, podDeletionCostAnnotation, rankPodsForDeletion } from './replicaset-pods.ts';

const now = Date.parse('2024-01-01T01:00:00Z');
const ago = (s: number): string => new Date(now - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, o: { node?: string; phase?: string; readyFor?: number; created?: number; restarts?: number; cost?: string } = {}): Pod {
  return {
    metadata: { name, uid: name, creationTimestamp: ago(o.created ?? 3000), annotations: o.cost ? { [podDeletionCostAnnotation]: o.cost } : {} },
    spec: { containers: [], nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readyFor !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.readyFor) }] : [],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: true, restartCount: o.restarts ?? 0 }],
    },
  };
}

const order = (pods: Pod[], rank: (p: Pod) => number = () => 0): string[] => rankPodsForDeletion(pods, rank, now).map((p) => p.metadata!.name!);

test('scale-down ranking follows upstream: unassigned, pending, not ready, cost, doubled up, ready time, restarts, age', () => {
  assert.deepEqual(order([pod('bound', { node: 'n', readyFor: 10 }), pod('unbound', { readyFor: 10 })]), ['unbound', 'bound']);
  assert.deepEqual(order([pod('run', { node: 'n' }), pod('unknown', { node: 'n', phase: 'Unknown' }), pod('pend', { node: 'n', phase: 'Pending' })]), ['pend', 'unknown', 'run']);
  assert.deepEqual(order([pod('ready', { node: 'n', readyFor: 10 }), pod('notready', { node: 'n' })]), ['notready', 'ready']);
  assert.deepEqual(order([pod('dear', { node: 'n', readyFor: 10, cost: '100' }), pod('cheap', { node: 'n', readyFor: 10, cost: '-5' })]), ['cheap', 'dear']);
  assert.deepEqual(order([pod('alone', { node: 'a', readyFor: 10 }), pod('crowded', { node: 'b', readyFor: 10 })], (p) => (p.spec?.nodeName === 'b' ? 3 : 1)), ['crowded', 'alone']);
  // ready for 10 s vs 1000 s fall in different power-of-two buckets: the more recently ready goes first
  assert.deepEqual(order([pod('old', { node: 'n', readyFor: 1000 }), pod('young', { node: 'n', readyFor: 10 })]), ['young', 'old']);
  assert.deepEqual(order([pod('calm', { node: 'n', readyFor: 10 }), pod('flappy', { node: 'n', readyFor: 10, restarts: 4 })]), ['flappy', 'calm']);
  assert.deepEqual(order([pod('older', { node: 'n', created: 3000 }), pod('newer', { node: 'n', created: 10 })]), ['newer', 'older']);
});

test('active and available', () => {
  assert.ok(isPodActive(pod('a')));
  assert.ok(!isPodActive(pod('b', { phase: 'Succeeded' })));
  assert.ok(!isPodActive({ ...pod('c'), metadata: { deletionTimestamp: ago(1) } }));
  assert.ok(isPodAvailable(pod('d', { readyFor: 5 }), 0, now));
  assert.ok(!isPodAvailable(pod('e', { readyFor: 5 }), 10, now));
  assert.ok(isPodAvailable(pod('f', { readyFor: 10 }), 10, now));
  assert.ok(!isPodAvailable(pod('g'), 0, now));
});
