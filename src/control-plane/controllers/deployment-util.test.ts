import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import * as u from './deployment-util.ts';
import { reverseKeys } from '../../../test/support/key-order.ts';

function deployment(replicas: number, surge?: number | string, unavailable?: number | string, type = 'RollingUpdate'): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: 1 },
    spec: {
      replicas, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } } },
      strategy: { type, rollingUpdate: type === 'RollingUpdate' ? { maxSurge: surge, maxUnavailable: unavailable } : undefined },
    },
  };
}

function rs(name: string, replicas: number, opts: { available?: number; created?: string; revision?: number; annotations?: Record<string, string> } = {}): ReplicaSet {
  const annotations: Record<string, string> = { ...opts.annotations };
  if (opts.revision !== undefined) annotations[u.revisionAnnotation] = String(opts.revision);
  return {
    metadata: { name, creationTimestamp: opts.created ?? '2024-01-01T00:00:00Z', annotations },
    spec: { replicas, selector: {} },
    status: { replicas, availableReplicas: opts.available ?? replicas },
  };
}

test('maxSurge rounds up, maxUnavailable down, as upstream fenceposts', () => {
  assert.deepEqual(u.resolveFenceposts(deployment(10)), { surge: 3, unavailable: 2 }); // 25% of 10
  assert.deepEqual(u.resolveFenceposts(deployment(1)), { surge: 1, unavailable: 0 });
  assert.deepEqual(u.resolveFenceposts(deployment(4, 0, 0)), { surge: 0, unavailable: 1 });
  assert.deepEqual(u.resolveFenceposts(deployment(3, '50%', '50%')), { surge: 2, unavailable: 1 });
  assert.equal(u.maxUnavailable(deployment(2, 0, 5)), 2, 'capped at replicas');
  assert.equal(u.maxUnavailable(deployment(0)), 0);
  assert.equal(u.maxSurge(deployment(4, 1, 1, 'Recreate')), 0);
  assert.throws(() => u.scaledValue('x%', 3, true, '25%'));
});

test('pod-template-hash: stable, key-order and null insensitive, collision count changes it', () => {
  const t1 = { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  const t2 = { spec: { containers: [{ image: 'x', name: 'c' }] }, metadata: { creationTimestamp: null as unknown as string, labels: { b: '2', a: '1' } } };
  const h = u.computeHash(t1);
  assert.equal(h, u.computeHash(t2));
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.notEqual(u.computeHash(t1, 1), h);
  assert.equal(u.computeHash(t1, 1), u.computeHash(t1, 1));
  assert.notEqual(u.computeHash({ ...t1, spec: { containers: [{ name: 'c', image: 'y' }] } }), h);
  assert.equal(u.safeEncodeString('0123456789'), '456789bcdf'); // '0' is byte 48, 48 % 27 = 21
});

test('equalIgnoreHash ignores only the pod-template-hash label', () => {
  const a = { metadata: { labels: { app: 'x', [u.podTemplateHashLabel]: 'abc' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const b = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  assert.ok(u.equalIgnoreHash(a, b));
  assert.ok(!u.equalIgnoreHash(a, { ...b, metadata: { labels: { app: 'y' } } }));
});

test('newRSNewReplicas grows within replicas+maxSurge', () => {
  const d = deployment(4, 1, 1);
  const newRS = rs('new', 0);
  assert.equal(u.newRSNewReplicas(d, [rs('old', 4), newRS], newRS), 1);
  assert.equal(u.newRSNewReplicas(d, [rs('old', 2), { ...newRS, spec: { replicas: 2, selector: {} } }], { ...newRS, spec: { replicas: 2, selector: {} } }), 3);
  assert.equal(u.newRSNewReplicas(d, [rs('old', 5), newRS], newRS), 0);
  assert.equal(u.newRSNewReplicas(deployment(4, 1, 1, 'Recreate'), [newRS], newRS), 4);
});

test('revision annotations: raise, keep history on rollback, replica annotations on create only', () => {
  const d = deployment(3, 1, 0);
  d.metadata!.annotations = { team: 'x', [u.revisionAnnotation]: '7', [u.lastAppliedAnnotation]: '{}' };
  const fresh: ReplicaSet = { metadata: { name: 'n' }, spec: { selector: {} } };
  assert.ok(u.setNewReplicaSetAnnotations(d, fresh, 4, false));
  assert.deepEqual(fresh.metadata?.annotations, {
    team: 'x', [u.revisionAnnotation]: '4', [u.desiredReplicasAnnotation]: '3', [u.maxReplicasAnnotation]: '4',
  });
  const back = rs('old', 0, { revision: 1 });
  assert.ok(u.setNewReplicaSetAnnotations(d, back, 5, true));
  assert.equal(back.metadata?.annotations?.[u.revisionAnnotation], '5');
  assert.equal(back.metadata?.annotations?.[u.revisionHistoryAnnotation], '1');
  assert.equal(back.metadata?.annotations?.[u.desiredReplicasAnnotation], undefined);
  u.setNewReplicaSetAnnotations(d, back, 8, true);
  assert.equal(back.metadata?.annotations?.[u.revisionHistoryAnnotation], '1,5');
  assert.ok(!u.setNewReplicaSetAnnotations(d, back, 8, true), 'nothing changes the second time');
});

test('orderings and sums', () => {
  const a = rs('a', 2, { created: '2024-01-01T00:00:00Z', revision: 2 });
  const b = rs('b', 2, { created: '2024-01-02T00:00:00Z', revision: 1 });
  const c = rs('c', 5, { created: '2024-01-03T00:00:00Z', revision: 3, available: 1 });
  assert.deepEqual([c, b, a].sort(u.byCreation).map((x) => x.metadata?.name), ['a', 'b', 'c']);
  assert.deepEqual([a, b, c].sort(u.byRevision).map((x) => x.metadata?.name), ['b', 'a', 'c']);
  assert.deepEqual([a, b, c].sort(u.bySize(true)).map((x) => x.metadata?.name), ['c', 'b', 'a']);
  assert.deepEqual([a, b, c].sort(u.bySize(false)).map((x) => x.metadata?.name), ['c', 'a', 'b']);
  assert.equal(u.maxRevision([a, b, c]), 3);
  assert.equal(u.sumSpecReplicas([a, b, c, undefined]), 9);
  assert.equal(u.sumAvailable([a, b, c]), 5);
  assert.deepEqual(u.activeReplicaSets([a, rs('z', 0), undefined]).map((x) => x.metadata?.name), ['a']);
});

test('conditions: same status and reason is a no-op, same status keeps the transition time', () => {
  const s = {};
  u.setCondition(s, u.newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'm1', 't1'));
  u.setCondition(s, u.newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'm2', 't2'));
  assert.equal(u.getCondition(s, 'Progressing')?.message, 'm1');
  u.setCondition(s, u.newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'm3', 't3'));
  const c = u.getCondition(s, 'Progressing')!;
  assert.deepEqual([c.reason, c.lastTransitionTime, c.lastUpdateTime], ['ReplicaSetUpdated', 't1', 't3']);
  u.setCondition(s, u.newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', 'm4', 't4'));
  assert.equal(u.getCondition(s, 'Progressing')?.lastTransitionTime, 't4');
});

test('progress: complete, progressing, timed out', () => {
  const d = deployment(2);
  d.spec!.progressDeadlineSeconds = 10;
  d.status = { replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 };
  assert.ok(u.deploymentComplete(d, { replicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 1 }));
  assert.ok(!u.deploymentComplete(d, { replicas: 3, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 1 }));
  assert.ok(u.deploymentProgressing(d, { replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 }));
  assert.ok(!u.deploymentProgressing(d, { ...d.status }));
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  const st = { conditions: [u.newCondition('Progressing', 'True', 'ReplicaSetUpdated', '', '2024-01-01T00:00:00Z')] };
  assert.ok(!u.deploymentTimedOut(d, st, t0 + 10_000));
  assert.ok(u.deploymentTimedOut(d, st, t0 + 10_001));
  d.spec!.progressDeadlineSeconds = 2147483647;
  assert.ok(!u.deploymentTimedOut(d, st, t0 + 1e12));
});

test('the template hash and the status no-op check ignore key order (canonical JSON)', () => {
  const template = { metadata: { labels: { app: 'd', tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } };
  assert.equal(u.computeHash(reverseKeys(template)), u.computeHash(template));
  assert.ok(u.equalIgnoreHash(template, reverseKeys(template)));
  const status = { replicas: 3, updatedReplicas: 3, conditions: [u.newCondition('Available', 'True', u.reasons.minimumAvailable, 'ok', 'T')] };
  assert.equal(u.canonicalJson(reverseKeys(status)), u.canonicalJson(status));
  assert.notEqual(u.canonicalJson({ ...status, replicas: 2 }), u.canonicalJson(status));
  assert.notEqual(u.computeHash({ ...template, metadata: { labels: { app: 'd' } } }), u.computeHash(template), 'a real change still changes the hash');
});
