import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDeletion } from './deletion.ts';
import { namespaces } from '../../../api/resources/namespace.ts';
import { pods } from '../../../api/resources/pod.ts';

const now = new Date('2026-01-01T00:00:00Z');

test('propagation policies become finalizers; Background removes them again', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } };
  const orphan = planDeletion(cm, { propagationPolicy: 'Orphan' }, {}, now);
  assert.equal(orphan.pending, true);
  assert.deepEqual(orphan.next.metadata?.finalizers, ['orphan']);
  assert.equal(orphan.next.metadata?.deletionTimestamp, '2026-01-01T00:00:00Z');
  const back = planDeletion(orphan.next, { propagationPolicy: 'Background' }, {}, now);
  assert.equal(back.pending, false);
  assert.equal(planDeletion(cm, {}, {}, now).pending, false);
});

test('a pod on a node gets its grace period; a later delete may only shorten it', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30 } };
  const first = planDeletion(pod, {}, pods.strategy, now);
  assert.equal(first.pending, true);
  assert.equal(first.next.metadata?.deletionGracePeriodSeconds, 30);
  assert.equal(first.next.metadata?.deletionTimestamp, '2026-01-01T00:00:30Z');
  const longer = planDeletion(first.next, { gracePeriodSeconds: 60 }, pods.strategy, now);
  assert.equal(longer.next.metadata?.deletionGracePeriodSeconds, 30);
  const immediate = planDeletion(first.next, { gracePeriodSeconds: 0 }, pods.strategy, now);
  assert.equal(immediate.pending, false);
  const unscheduled = { ...pod, spec: { terminationGracePeriodSeconds: 30 } };
  assert.equal(planDeletion(unscheduled, {}, pods.strategy, now).pending, false);
});

test('a namespace with spec.finalizers goes Terminating', () => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  const plan = planDeletion(ns, {}, namespaces.strategy, now);
  assert.equal(plan.pending, true);
  assert.deepEqual(plan.next.status, { phase: 'Terminating' });
});
