import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { collectedResources, decide, sameGcView } from './garbage-collector.ts';
import { reverseKeys } from '../../../test/support/key-order.ts';

const ref = (uid: string, block = false): OwnerReference => ({ apiVersion: 'v1', kind: 'X', name: uid, uid, blockOwnerDeletion: block });

test('decide: solid owners keep a dependent, dangling references are removed, no owners left means delete', () => {
  assert.deepEqual(decide([ref('a')], ['solid']), { action: 'none' });
  assert.deepEqual(decide([ref('a'), ref('b')], ['solid', 'absent']), { action: 'removeRefs', uids: ['b'] });
  assert.deepEqual(decide([ref('a'), ref('b')], ['waiting', 'solid']), { action: 'removeRefs', uids: ['a'] });
  assert.deepEqual(decide([ref('a')], ['absent']), { action: 'delete', policy: 'Background' });
  assert.deepEqual(decide([ref('a', true)], ['waiting']), { action: 'delete', policy: 'Foreground' });
  assert.deepEqual(decide([ref('a', false)], ['waiting']), { action: 'delete', policy: 'Background' });
});

test('the collector tracks stored kinds but not events or virtual kinds', () => {
  const kinds = collectedResources().map((r) => r.kind);
  assert.ok(kinds.includes('Pod') && kinds.includes('ReplicaSet') && kinds.includes('EndpointSlice'));
  assert.ok(!kinds.includes('Event') && !kinds.includes('Binding'));
});

test('an update that changes only the key order of owner references is no change to the collector', () => {
  const obj = { metadata: { uid: 'u1', ownerReferences: [ref('a', true)], finalizers: ['f'] } };
  assert.equal(sameGcView(obj, reverseKeys(obj)), true);
  assert.equal(sameGcView(obj, { metadata: { ...obj.metadata, ownerReferences: [ref('b', true)] } }), false);
  assert.equal(sameGcView(obj, { metadata: { ...obj.metadata, deletionTimestamp: '2020-01-01T00:00:00Z' } }), false);
});
