import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionsUpdate, deletableResources, deletionConditions } from './namespace.ts';
import { reverseKeys } from '../../../test/support/key-order.ts';

test('a namespace holds every stored namespaced kind', () => {
  const names = deletableResources().map((r) => `${r.resource}.${r.group}`);
  assert.ok(names.includes('pods.') && names.includes('deployments.apps') && names.includes('leases.coordination.k8s.io'));
  assert.ok(!names.includes('bindings.') && !names.includes('namespaces.') && !names.includes('nodes.'));
});

test('deletion conditions report leftovers and finalizers as upstream words them', () => {
  const conds = deletionConditions({ remaining: ['pods has 2 resource instances'], finalizers: new Map([['example.com/x', 2]]), errors: [] }, 'T1');
  const by = Object.fromEntries(conds.map((c) => [c.type, c]));
  assert.equal(by.NamespaceContentRemaining.status, 'True');
  assert.equal(by.NamespaceContentRemaining.reason, 'SomeResourcesRemain');
  assert.equal(by.NamespaceContentRemaining.message, 'Some resources are remaining: pods has 2 resource instances');
  assert.equal(by.NamespaceFinalizersRemaining.message, 'Some content in the namespace has finalizers remaining: example.com/x in 2 resource instances');
  assert.equal(by.NamespaceDeletionContentFailure.status, 'False');
  assert.equal(by.NamespaceDeletionContentFailure.reason, 'ContentDeleted');
  const again = deletionConditions({ remaining: [], finalizers: new Map(), errors: [] }, 'T2', conds);
  const by2 = Object.fromEntries(again.map((c) => [c.type, c]));
  assert.equal(by2.NamespaceContentRemaining.lastTransitionTime, 'T2', 'status changed');
  assert.equal(by2.NamespaceDeletionDiscoveryFailure.lastTransitionTime, 'T1', 'status kept');
});

test('stored deletion conditions that differ only in key order are not rewritten', () => {
  const summary = { remaining: ['pods has 2 resource instances'], finalizers: new Map<string, number>(), errors: [] };
  const stored = reverseKeys(deletionConditions(summary, 'T1'));
  assert.equal(conditionsUpdate(summary, 'T2', stored), undefined);
  const changed = conditionsUpdate({ ...summary, remaining: [] }, 'T2', stored);
  assert.equal(changed?.find((c) => c.type === 'NamespaceContentRemaining')?.status, 'False');
});
