import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { admitPod, admitPodServiceAccount } from './admission.ts';

const podWith = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });
const specOf = (o: KubeObject): Record<string, unknown> => o.spec as Record<string, unknown>;

test('service account: "default" unless given; deprecated alias kept in step', () => {
  const a = podWith({});
  admitPod(a);
  assert.equal(specOf(a).serviceAccountName, 'default');
  assert.equal(specOf(a).serviceAccount, 'default');
  const b = podWith({ serviceAccountName: 'builder' });
  admitPod(b);
  assert.equal(specOf(b).serviceAccountName, 'builder');
  assert.equal(specOf(b).serviceAccount, 'builder');
});

test('default tolerations are appended only where not already tolerated', () => {
  const own = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 };
  const a = podWith({ tolerations: [own] });
  admitPod(a);
  assert.deepEqual(specOf(a).tolerations, [
    own,
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  // An empty key with no effect tolerates everything: nothing is added.
  const b = podWith({ tolerations: [{ operator: 'Exists' }] });
  admitPod(b);
  assert.deepEqual(specOf(b).tolerations, [{ operator: 'Exists' }]);
  // A NoSchedule toleration for the key does not count.
  const c = podWith({ tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }] });
  admitPod(c);
  assert.equal((specOf(c).tolerations as unknown[]).length, 3);
});

test('priority: 0 without a class, built-in classes resolve, mismatches are forbidden', () => {
  const a = podWith({});
  admitPod(a);
  assert.equal(specOf(a).priority, 0);
  assert.equal(specOf(a).preemptionPolicy, 'PreemptLowerPriority');
  const b = podWith({ priorityClassName: 'system-node-critical' });
  admitPod(b);
  assert.equal(specOf(b).priority, 2000001000);
  assert.throws(() => admitPod(podWith({ priority: 5 })), (e: unknown) => e instanceof ApiError && e.code === 403 &&
    e.message === 'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name');
  assert.throws(() => admitPod(podWith({ priorityClassName: 'nope' })), /no PriorityClass with name nope was found/);
});

test('service account: a pod naming no imagePullSecrets gets the account\'s; its own win; mirror pods untouched', async () => {
  const accounts: Record<string, KubeObject> = {
    'default/builder': { metadata: { name: 'builder', namespace: 'default' }, imagePullSecrets: [{ name: 'regcred' }] } as KubeObject,
  };
  const lookup = async (resource: string, ns: string, name: string): Promise<KubeObject | undefined> => {
    assert.equal(resource, 'serviceaccounts');
    return accounts[`${ns}/${name}`];
  };
  const a = podWith({ serviceAccountName: 'builder' });
  await admitPodServiceAccount(a, lookup);
  assert.deepEqual(specOf(a).imagePullSecrets, [{ name: 'regcred' }]);
  const own = podWith({ serviceAccountName: 'builder', imagePullSecrets: [{ name: 'mine' }] });
  await admitPodServiceAccount(own, lookup);
  assert.deepEqual(specOf(own).imagePullSecrets, [{ name: 'mine' }]);
  const missing = podWith({ serviceAccountName: 'nobody' });
  await admitPodServiceAccount(missing, lookup);
  assert.equal(specOf(missing).imagePullSecrets, undefined);
  const mirror = { ...podWith({ serviceAccountName: 'builder' }), metadata: { name: 'm', namespace: 'default', annotations: { 'kubernetes.io/config.mirror': 'x' } } };
  await admitPodServiceAccount(mirror, lookup);
  assert.equal(specOf(mirror).imagePullSecrets, undefined);
});
