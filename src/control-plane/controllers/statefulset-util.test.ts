import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computeStatus, newPod, newRevision, ordinalOf, revisionLabel, templateOf } from './statefulset-util.ts';
import { slotPods } from './statefulset-sync.ts';

const set: StatefulSet = {
  metadata: { name: 'web', namespace: 'ns', uid: 'u1', generation: 2 },
  spec: {
    replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i:1' }], volumes: [{ name: 'www', emptyDir: {} }] } },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
};

const pod = (name: string, o: { ready?: boolean; rev?: string; deleting?: boolean } = {}): Pod => ({
  metadata: { name, labels: { [revisionLabel]: o.rev ?? 'r1' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

test('ordinals are parsed only from <set>-<n> names', () => {
  assert.equal(ordinalOf(set, { metadata: { name: 'web-12' } }), 12);
  for (const n of ['web-', 'web-01', 'web-a', 'webx-1', 'web-1-2']) assert.equal(ordinalOf(set, { metadata: { name: n } }), -1, n);
});

test('a new pod has its identity, its claim volume (replacing the template one) and the revision label', () => {
  const p = newPod(set, set.spec!.template, 'web-abc', 2);
  assert.equal(p.metadata?.name, 'web-2');
  assert.equal(p.spec?.hostname, 'web-2');
  assert.equal(p.spec?.subdomain, 'web');
  assert.deepEqual(p.metadata?.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2', [revisionLabel]: 'web-abc' });
  assert.deepEqual(p.spec?.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } }]);
  assert.equal(p.metadata?.ownerReferences?.[0]?.uid, 'u1');
  assert.equal(p.metadata?.ownerReferences?.[0]?.controller, true);
});

test('a revision stores the template as a replace patch and names itself by its hash', () => {
  const r = newRevision(set, 1, 0);
  assert.match(r.metadata?.name ?? '', /^web-[a-z0-9]+$/);
  assert.deepEqual(templateOf(r), set.spec!.template);
  const changed = structuredClone(set);
  changed.spec!.template.spec!.containers[0].image = 'i:2';
  assert.notEqual(newRevision(changed, 2, 0).metadata?.name, r.metadata?.name);
  assert.notEqual(newRevision(set, 1, 1).metadata?.name, r.metadata?.name, 'a collision count changes the name');
});

test('pods are slotted by ordinal; condemned ones come highest first', () => {
  const { replicas, condemned } = slotPods(set, [pod('web-4'), pod('web-1'), pod('web-3'), pod('other-0')]);
  assert.deepEqual(replicas.map((p) => p?.metadata?.name), [undefined, 'web-1', undefined]);
  assert.deepEqual(condemned.map((p) => p.metadata?.name), ['web-4', 'web-3']);
});

test('status counts ready, current and updated pods; a finished rolling update makes the update revision current', () => {
  const mixed = computeStatus(set, [pod('web-0', { rev: 'r1' }), pod('web-1', { rev: 'r2', ready: false }), pod('web-2', { rev: 'r2', deleting: true })], 'r1', 'r2', 0, Date.now());
  assert.deepEqual(
    { ...mixed },
    { observedGeneration: 2, replicas: 3, readyReplicas: 1, currentReplicas: 1, updatedReplicas: 1, availableReplicas: 1, currentRevision: 'r1', updateRevision: 'r2', collisionCount: 0 },
  );
  const done = computeStatus(set, [pod('web-0', { rev: 'r2' }), pod('web-1', { rev: 'r2' })], 'r1', 'r2', 0, Date.now());
  assert.equal(done.currentRevision, 'r2');
  assert.equal(done.currentReplicas, 2);
});
