import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.ts';
import { fieldErrorText } from '../errors.ts';
import { defaultsOf } from '../../../test/support/definitions.ts';
import { persistentVolumeClaimValidator, persistentVolumeValidator } from './storage.ts';
import { statefulSetValidator } from './statefulset.ts';

const texts = (errs: ReturnType<typeof persistentVolumeValidator.create>): string[] => errs.map(fieldErrorText);

const claim = (): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'ns' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

test('PersistentVolume: one source, a storage capacity, known modes and policy', () => {
  const pv: KubeObject = { metadata: { name: 'pv' }, spec: { accessModes: ['Sometimes'], capacity: { storage: '0', cpu: '1' }, persistentVolumeReclaimPolicy: 'Keep' } };
  assert.deepEqual(texts(persistentVolumeValidator.create(pv)), [
    'spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"',
    'spec.capacity: Unsupported value: {"storage":"0","cpu":"1"}: supported values: "storage"',
    'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
    'spec: Required value: must specify a volume type',
  ]);
});

test('PersistentVolumeClaim: the spec is fixed except requests, and volumeName/storageClassName while unset', () => {
  const old = claim();
  defaultsOf('v1/PersistentVolumeClaim')(old);
  const bind = structuredClone(old) as { spec: Record<string, unknown> };
  bind.spec.volumeName = 'pv1';
  bind.spec.storageClassName = 'local-path';
  assert.deepEqual(persistentVolumeClaimValidator.update(bind as KubeObject, old), []);
  const grow = structuredClone(bind) as { spec: { resources: { requests: { storage: string } } } };
  grow.spec.resources.requests.storage = '2Gi';
  assert.deepEqual(persistentVolumeClaimValidator.update(grow as unknown as KubeObject, bind as KubeObject), []);
  const modes = structuredClone(bind) as { spec: { accessModes: string[]; storageClassName: string } };
  modes.spec.storageClassName = 'other';
  assert.deepEqual(texts(persistentVolumeClaimValidator.update(modes as unknown as KubeObject, bind as KubeObject)), [
    'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
  ]);
});

test('StatefulSet: only replicas, ordinals, template, updateStrategy, retention and minReadySeconds may change', () => {
  const sts: KubeObject = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns' },
    spec: { serviceName: 'web', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  };
  defaultsOf('apps/v1/StatefulSet')(sts);
  assert.deepEqual(statefulSetValidator.create(sts), []);
  const scaled = structuredClone(sts) as { spec: { replicas: number; serviceName: string } };
  scaled.spec.replicas = 5;
  assert.deepEqual(statefulSetValidator.update(scaled as unknown as KubeObject, sts), []);
  scaled.spec.serviceName = 'other';
  assert.deepEqual(texts(statefulSetValidator.update(scaled as unknown as KubeObject, sts)), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
  const bad = structuredClone(sts) as { metadata: { name: string }; spec: { podManagementPolicy: string } };
  bad.metadata.name = 'Web.1';
  bad.spec.podManagementPolicy = 'Sometimes';
  const errs = texts(statefulSetValidator.create(bad as unknown as KubeObject));
  assert.ok(errs.some((e) => e.startsWith('metadata.name: Invalid value: "Web.1"')), errs.join('\n'));
  assert.ok(errs.includes(`spec.podManagementPolicy: Invalid value: "Sometimes": must be 'OrderedReady' or 'Parallel'`), errs.join('\n'));
});

test('StatefulSet: containers may mount the claim templates; a mount of no volume at all is still refused', () => {
  const sts: KubeObject = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns' },
    spec: {
      serviceName: 'web', selector: { matchLabels: { a: 'b' } },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'www', mountPath: '/data' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
  defaultsOf('apps/v1/StatefulSet')(sts);
  assert.deepEqual(texts(statefulSetValidator.create(sts)), []);
  const other = structuredClone(sts) as { spec: { volumeClaimTemplates: { metadata: { name: string } }[] } };
  other.spec.volumeClaimTemplates[0].metadata.name = 'logs';
  assert.deepEqual(texts(statefulSetValidator.create(other as unknown as KubeObject)), ['spec.template.spec.containers[0].volumeMounts[0].name: Invalid value: "www": Not found']);
});
