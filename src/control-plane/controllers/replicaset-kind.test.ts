// The RC <-> ReplicaSet conversion the shared controller relies on: the label map becomes matchLabels and
// comes back unchanged, so a status write never alters an RC's spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import { replicaSetKind, replicationControllerKind } from './replicaset-kind.ts';

const rc: ReplicationController = {
  apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web', namespace: 'default', uid: 'u' },
  spec: { replicas: 2, minReadySeconds: 3, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } } } },
  status: { replicas: 1, readyReplicas: 1 },
};

test('an RC is seen as a ReplicaSet with matchLabels and converted back unchanged', () => {
  const rs = replicationControllerKind.toReplicaSet(rc);
  assert.deepEqual(rs.spec?.selector, { matchLabels: { app: 'web' } });
  assert.equal(rs.spec?.replicas, 2);
  assert.equal(rs.spec?.minReadySeconds, 3);
  assert.deepEqual(replicationControllerKind.fromReplicaSet(rs), rc);
  assert.equal(replicationControllerKind.component, 'replication-controller');
  assert.deepEqual([replicationControllerKind.apiVersion, replicationControllerKind.kind], ['v1', 'ReplicationController']);
});

test('an RC without a selector matches nothing (an empty LabelSelector), never everything', () => {
  const empty: ReplicationController = { ...rc, spec: { ...rc.spec, selector: {} } };
  const rs = replicationControllerKind.toReplicaSet(empty);
  assert.deepEqual(rs.spec?.selector, {});
});

test('ReplicaSets pass through as they are', () => {
  const rs: ReplicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'x' }, spec: { selector: { matchLabels: { a: 'b' } } } };
  assert.equal(replicaSetKind.toReplicaSet(rs), rs);
  assert.equal(replicaSetKind.fromReplicaSet(rs), rs);
});
