import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../object.ts';
import { admitPodServiceAccount } from './admission.ts';
import { mountServiceAccountToken, serviceAccountMountPath } from './service-account-volume.ts';

const pod = (extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'ns1' },
  spec: {
    serviceAccountName: 'default',
    initContainers: [{ name: 'init', image: 'i' }],
    containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i', volumeMounts: [{ name: 'own', mountPath: serviceAccountMountPath }] }],
    volumes: [{ name: 'own', emptyDir: {} }],
    ...extra,
  },
});

test('the kube-api-access volume: token, kube-root-ca.crt and namespace, mounted where nothing is mounted already', () => {
  const p = pod();
  mountServiceAccountToken(p, () => 'x2b4c');
  const spec = p.spec!;
  const want = { name: 'kube-api-access-x2b4c', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
  assert.deepEqual(spec.initContainers![0]!.volumeMounts, [want]);
  assert.deepEqual(spec.containers[0]!.volumeMounts, [want]);
  assert.deepEqual(spec.containers[1]!.volumeMounts, [{ name: 'own', mountPath: serviceAccountMountPath }], 'its own mount there wins');
  assert.deepEqual(spec.volumes![1], {
    name: 'kube-api-access-x2b4c',
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  });
  mountServiceAccountToken(p, () => 'other');
  assert.equal(spec.volumes!.length, 2, 'a pod that has one keeps it');
  const all = pod({ containers: [{ name: 'b', image: 'i', volumeMounts: [{ name: 'own', mountPath: serviceAccountMountPath }] }], initContainers: [] });
  mountServiceAccountToken(all);
  assert.equal(all.spec!.volumes!.length, 1, 'no container needs it: no volume');
});

test('admission mounts the token unless the pod, or else its account, opts out', async () => {
  const account = (automount?: boolean): ServiceAccount => ({ metadata: { name: 'default', namespace: 'ns1' }, automountServiceAccountToken: automount });
  const admit = async (p: Pod, sa: ServiceAccount | undefined): Promise<Pod> => {
    await admitPodServiceAccount(p as unknown as KubeObject, async () => sa as unknown as KubeObject | undefined);
    return p;
  };
  const mounted = (p: Pod): boolean => (p.spec!.volumes ?? []).some((v) => v.name.startsWith('kube-api-access-'));
  assert.ok(mounted(await admit(pod(), account())));
  assert.ok(mounted(await admit(pod(), undefined)), 'an account not made yet: mounted all the same');
  assert.ok(!mounted(await admit(pod(), account(false))));
  assert.ok(mounted(await admit(pod({ automountServiceAccountToken: true }), account(false))), 'the pod\'s word wins');
  assert.ok(!mounted(await admit(pod({ automountServiceAccountToken: false }), account(true))));
  assert.ok(!mounted(await admit({ ...pod(), metadata: { name: 'm', namespace: 'ns1', annotations: { 'kubernetes.io/config.mirror': 'h' } } }, account())), 'mirror pods');
});
