// The scheduler's change checks compare semantically: an update that only reorders keys neither requeues parked
// pods (nodeUpdated) nor counts as a spec change of a pod (sameExceptStatus).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { reverseKeys } from '../../../test/support/key-order.ts';
import { nodeUpdated } from './events.ts';
import { sameExceptStatus } from './scheduler.ts';

test('a node update that only reorders labels, allocatable or taint keys helps no plugin', () => {
  const node: Node = {
    metadata: { name: 'n', labels: { a: '1', b: '2' } },
    spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] },
    status: { allocatable: { cpu: '2', memory: '1Gi' } },
  };
  assert.equal(nodeUpdated(node, reverseKeys(node)), undefined);
  assert.deepEqual(nodeUpdated(node, { ...node, status: { allocatable: { cpu: '4', memory: '1Gi' } } }), new Set(['NodeResourcesFit']));
});

test('a pod update that only reorders keys or changes status is not a spec change', () => {
  const pod: Pod = { metadata: { name: 'p', labels: { a: '1', b: '2' }, resourceVersion: '1' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  assert.equal(sameExceptStatus(pod, { ...reverseKeys(pod), status: { phase: 'Running' }, metadata: { ...reverseKeys(pod).metadata, resourceVersion: '2' } }), true);
  assert.equal(sameExceptStatus(pod, { ...pod, metadata: { ...pod.metadata, labels: { a: '1' } } }), false);
});
