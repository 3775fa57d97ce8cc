import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { VolumeError, containerMounts, prepareVolumes, removePodDir, type VolumeSources } from './volumes.ts';

const sources: VolumeSources = {
  configMap: async (_ns, name) => (name === 'cfg' ? ({ data: { a: '1', b: '2' } } as ConfigMap) : undefined),
  secret: async (_ns, name) => (name === 'sec' ? ({ data: { pw: Buffer.from('s3cret').toString('base64') } } as Secret) : undefined),
  serviceAccountToken: async () => 'tok',
};
const facts = { podIP: '10.42.0.9', hostIP: '192.0.2.2' };

function pod(volumes: NonNullable<Pod['spec']>['volumes']): Pod {
  return { metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', labels: { app: 'x' } }, spec: { containers: [], volumes } };
}

test('configMap (items, modes), secret, downwardAPI, projected and emptyDir laid out; mounts read-only where upstream makes them so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-vol-'));
  try {
    const p = pod([
      { name: 'cm', configMap: { name: 'cfg', items: [{ key: 'b', path: 'sub/b.txt', mode: 0o600 }] } },
      { name: 'sec', secret: { secretName: 'sec' } },
      { name: 'info', downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
      { name: 'proj', projected: { sources: [{ configMap: { name: 'cfg' } }, { serviceAccountToken: { path: 'token' } }] } },
      { name: 'tmp', emptyDir: {} },
    ]);
    const v = await prepareVolumes(p, dir, sources, facts);
    const at = (name: string, file: string) => readFileSync(join(v.get(name)!.hostPath, file), 'utf8');
    assert.equal(at('cm', 'sub/b.txt'), '2');
    assert.equal(statSync(join(v.get('cm')!.hostPath, 'sub/b.txt')).mode & 0o777, 0o600);
    assert.equal(existsSync(join(v.get('cm')!.hostPath, 'a')), false, 'items select keys');
    assert.equal(at('sec', 'pw'), 's3cret');
    assert.equal(at('info', 'ns'), 'ns');
    assert.equal(at('proj', 'a'), '1');
    assert.equal(at('proj', 'token'), 'tok');
    assert.ok(v.get('tmp')!.hostPath.startsWith(join(dir, 'uid-1', 'volumes', 'kubernetes.io~empty-dir')));
    const mounts = containerMounts({ name: 'c', volumeMounts: [{ name: 'cm', mountPath: '/etc/c' }, { name: 'tmp', mountPath: '/t', subPath: 'x' }] }, v);
    assert.deepEqual(mounts.map((m) => [m.containerPath, m.readonly]), [['/etc/c', true], ['/t', false]]);
    assert.ok(existsSync(join(v.get('tmp')!.hostPath, 'x')), 'subPath is created');
    assert.throws(() => containerMounts({ name: 'c', volumeMounts: [{ name: 'tmp', mountPath: '/t', subPath: '../../escape' }] }, v), VolumeError);
    removePodDir(dir, 'uid-1');
    assert.equal(existsSync(join(dir, 'uid-1')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing ConfigMap is a FailedMount message unless optional', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-vol-'));
  try {
    await assert.rejects(prepareVolumes(pod([{ name: 'v', configMap: { name: 'nope' } }]), dir, sources, facts),
      (e: unknown) => e instanceof VolumeError && e.message === 'MountVolume.SetUp failed for volume "v" : configmap "nope" not found');
    const v = await prepareVolumes(pod([{ name: 'v', configMap: { name: 'nope', optional: true } }]), dir, sources, facts);
    assert.ok(v.has('v'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a persistentVolumeClaim volume is its bound volume\'s hostPath; unbound, terminating or missing claims wait', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-vol-'));
  try {
    const claims: Record<string, PersistentVolumeClaim> = {
      data: { metadata: { name: 'data', uid: 'c1' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } },
      pending: { metadata: { name: 'pending', uid: 'c2' }, spec: {}, status: { phase: 'Pending' } },
      going: { metadata: { name: 'going', uid: 'c3', deletionTimestamp: '2026-01-01T00:00:00Z' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } },
      stolen: { metadata: { name: 'stolen', uid: 'c4' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } },
    };
    const hostDir = join(dir, 'storage', 'pv1');
    const volumes: Record<string, PersistentVolume> = {
      pv1: { metadata: { name: 'pv1' }, spec: { hostPath: { path: hostDir, type: 'DirectoryOrCreate' }, claimRef: { uid: 'c1' } } },
    };
    const src: VolumeSources = { ...sources, persistentVolumeClaim: async (_ns, n) => claims[n], persistentVolume: async (n) => volumes[n] };
    const v = await prepareVolumes(pod([{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }, { name: 'ro', persistentVolumeClaim: { claimName: 'data', readOnly: true } }]), dir, src, facts);
    assert.equal(v.get('d')!.hostPath, hostDir);
    assert.ok(statSync(hostDir).isDirectory(), 'DirectoryOrCreate made the directory');
    const mounts = containerMounts({ name: 'c', volumeMounts: [{ name: 'd', mountPath: '/data' }, { name: 'ro', mountPath: '/ro' }, { name: 'd', mountPath: '/r2', readOnly: true }] }, v);
    assert.deepEqual(mounts.map((m) => [m.hostPath, m.readonly]), [[hostDir, false], [hostDir, true], [hostDir, true]]);
    const reason = async (claimName: string): Promise<string> => {
      const err = await prepareVolumes(pod([{ name: 'd', persistentVolumeClaim: { claimName } }]), dir, src, facts).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof VolumeError, `${claimName}: a VolumeError`);
      return err.message;
    };
    assert.equal(await reason('pending'), 'Unable to attach or mount volumes: unmounted volumes=[d], unattached volumes=[d]: error processing PVC ns/pending: PVC is not bound');
    assert.match(await reason('going'), /error processing PVC ns\/going: PVC is being deleted$/);
    assert.match(await reason('nope'), /failed to fetch PVC from API server: persistentvolumeclaims "nope" not found$/);
    assert.match(await reason('stolen'), /found PV object pv1 but it has a ClaimRef that is bound to the wrong UID$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
