import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { newPodInfo } from '../pod-info.ts';
import { makeNode, makePod, snapshotOf } from '../testing.ts';
import type { Status } from '../framework.ts';
import { type VolumeLister, volumeBindingFilter } from './volume-binding.ts';

const claim = (name: string, o: { volumeName?: string; cls?: string } = {}): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default' }, spec: { storageClassName: o.cls ?? 'local-path', volumeName: o.volumeName },
});
const pinnedTo = (name: string, node: string): PersistentVolume => ({
  metadata: { name },
  spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } },
});
const classes: Record<string, StorageClass> = {
  'local-path': { metadata: { name: 'local-path' }, provisioner: 'skiff.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
  fast: { metadata: { name: 'fast' }, provisioner: 'x', volumeBindingMode: 'Immediate' },
  local: { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' },
};

function lister(claims: PersistentVolumeClaim[], volumes: PersistentVolume[]): VolumeLister {
  return {
    claim: (_ns, name) => claims.find((c) => c.metadata?.name === name),
    volume: (name) => volumes.find((v) => v.metadata?.name === name),
    storageClass: (name) => classes[name],
    volumes: () => volumes,
  };
}

function run(l: VolumeLister, claimName: string): Record<string, Status | null> {
  const snap = snapshotOf(['a', 'b'].map((n) => makeNode(n, { labels: { 'kubernetes.io/hostname': n } })));
  const pod = makePod('p', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] });
  const r = volumeBindingFilter(l).prepare(newPodInfo(pod), snap);
  return Object.fromEntries(snap.nodes.map((n) => [n.name, r === null ? null : typeof r === 'function' ? r(n) : r]));
}

test('VolumeBinding: a bound local volume keeps the pod on its node', () => {
  const out = run(lister([claim('data', { volumeName: 'pv1' })], [pinnedTo('pv1', 'b')]), 'data');
  assert.deepEqual(out.a?.reasons, ['node(s) had volume node affinity conflict']);
  assert.equal(out.b, null);
});

test('VolumeBinding: missing claims and unbound Immediate claims reject; WaitForFirstConsumer admits all', () => {
  assert.deepEqual(run(lister([], []), 'data').a?.reasons, ['persistentvolumeclaim "data" not found']);
  assert.deepEqual(run(lister([claim('data', { cls: 'fast' })], []), 'data').b?.reasons, ['pod has unbound immediate PersistentVolumeClaims']);
  assert.deepEqual(run(lister([claim('data', { volumeName: 'gone' })], []), 'data').a?.reasons, ['pvc(s) bound to non-existent pv(s)']);
  const wffc = run(lister([claim('data')], []), 'data');
  assert.equal(wffc.a, null);
  assert.equal(wffc.b, null);
});

test('VolumeBinding: a claim of a class without provisioner admits only nodes with an available matching volume', () => {
  const c: PersistentVolumeClaim = { metadata: { name: 'data', namespace: 'default' }, spec: { storageClassName: 'local', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
  const pv = pinnedTo('local-b', 'b');
  pv.spec = { ...pv.spec, storageClassName: 'local', accessModes: ['ReadWriteOnce'], capacity: { storage: '5Gi' } };
  const out = run(lister([c], [pv]), 'data');
  assert.deepEqual(out.a?.reasons, ["node(s) didn't find available persistent volumes to bind"]);
  assert.equal(out.b, null);
});
