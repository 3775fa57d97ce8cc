import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeForbiddenLabels } from './node-labels.ts';

test('a node may set the kubelet\'s labels and its own namespaces, not the cluster\'s', () => {
  assert.deepEqual(nodeForbiddenLabels([
    'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'node.kubernetes.io/pool', 'x.kubelet.kubernetes.io/y', 'example.com/rack', 'plain',
  ]), []);
  assert.deepEqual(nodeForbiddenLabels([
    'node-role.kubernetes.io/control-plane', 'kubernetes.io/role', 'foo.k8s.io/bar', 'node-restriction.kubernetes.io/team', 'a.node-restriction.kubernetes.io/b',
  ]), ['a.node-restriction.kubernetes.io/b', 'foo.k8s.io/bar', 'kubernetes.io/role', 'node-restriction.kubernetes.io/team', 'node-role.kubernetes.io/control-plane']);
});
