// The guard on what the local-path provisioner may remove from a node, the node it removes it on, and the helper pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, PersistentVolume } from 'kubernetes-types/core/v1.js';
import { cleanupTarget, helperPod, volumeNodeName } from './local-path-cleanup.ts';

const root = '/var/lib/skiff/storage';

function pv(name: string, path: string | undefined): PersistentVolume {
  return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, uid: 'u-1' }, spec: path === undefined ? {} : { hostPath: { path } } };
}

test('only <nodePath>/<pv name> is removed: the directory the provisioner made for this volume', () => {
  assert.deepEqual(cleanupTarget(pv('pvc-1', `${root}/pvc-1`), root), { root, name: 'pvc-1' });
  // the class's nodePath as an admin may write it
  assert.deepEqual(cleanupTarget(pv('pvc-1', `${root}/pvc-1`), `${root}/`), { root, name: 'pvc-1' });
  assert.deepEqual(cleanupTarget(pv('pvc-1', `${root}/pvc-1/`), '/var/lib//skiff/storage'), { root, name: 'pvc-1' });
});

test('any other hostPath is refused: elsewhere, traversal, the root, a sibling volume, a nested path', () => {
  const refused = (p: PersistentVolume, nodePath: string | undefined = root): string => {
    const t = cleanupTarget(p, nodePath);
    assert.ok('refused' in t, `${p.spec?.hostPath?.path} under ${nodePath} must be refused, got ${JSON.stringify(t)}`);
    return t.refused;
  };
  assert.match(refused(pv('pvc-1', '/etc')), /is not \/var\/lib\/skiff\/storage\/pvc-1/);
  assert.match(refused(pv('pvc-1', '/home/pvc-1')), /is not/);
  assert.match(refused(pv('pvc-1', `${root}/../../../etc`)), /is not/);
  assert.match(refused(pv('pvc-1', `${root}/../pvc-1`)), /is not/);
  assert.match(refused(pv('pvc-1', `${root}/x/../pvc-1`)), /is not/, 'not normalised: the provisioner never writes ".."');
  assert.match(refused(pv('pvc-1', `${root}//pvc-1`)), /is not/);
  assert.match(refused(pv('pvc-1', root)), /is not/);
  assert.match(refused(pv('pvc-1', `${root}/pvc-2`)), /is not/, "another volume's directory");
  assert.match(refused(pv('pvc-1', `${root}/pvc-1/data`)), /is not/);
  assert.match(refused(pv('pvc-1', `${root}storage2/pvc-1`)), /is not/, 'a prefix of the root is not inside it');
  assert.match(refused(pv('pvc-1', undefined)), /no hostPath/);
  assert.deepEqual(cleanupTarget(pv('pvc-1', `${root}/pvc-1`), undefined), { refused: 'the storage class has no absolute nodePath ("")' });
  assert.match(refused(pv('pvc-1', 'relative/pvc-1'), 'relative'), /no absolute nodePath/);
  assert.match(refused(pv('pvc-1', '/pvc-1'), '/'), /nodePath is \//);
  assert.match(refused(pv('..', `${root}/..`)), /not a plain directory name/);
  assert.match(refused(pv('a..b', `${root}/a..b`)), /not a plain directory name/);
});

test('the node is the one the volume is pinned to, by hostname label or by name', () => {
  const nodes: Node[] = [{ metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'host-1' } } }];
  const byHostname = pv('pvc-1', `${root}/pvc-1`);
  byHostname.spec!.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['host-1'] }] }] } };
  assert.equal(volumeNodeName(byHostname, nodes), 'n1');
  const byName = pv('pvc-1', `${root}/pvc-1`);
  byName.spec!.nodeAffinity = { required: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n9'] }] }] } };
  assert.equal(volumeNodeName(byName, nodes), 'n9');
  assert.equal(volumeNodeName(pv('pvc-1', `${root}/pvc-1`), nodes), undefined);
});

test('the helper pod runs on that node, sees only the root, and removes the one directory', () => {
  const p = helperPod(pv('pvc-1', `${root}/pvc-1`), { root, name: 'pvc-1' }, 'n1', 'docker.io/skiff/pause:3.9-busybox');
  assert.equal(p.metadata?.name, 'helper-pod-delete-pvc-1');
  assert.equal(p.spec?.nodeName, 'n1');
  assert.equal(p.spec?.restartPolicy, 'Never');
  assert.deepEqual(p.spec?.volumes, [{ name: 'data', hostPath: { path: root, type: 'DirectoryOrCreate' } }]);
  assert.deepEqual(p.spec?.containers[0]?.command, ['/bin/rm', '-rf', '/data/pvc-1']);
  assert.deepEqual(p.spec?.containers[0]?.volumeMounts, [{ name: 'data', mountPath: '/data' }]);
  assert.equal(p.metadata?.annotations?.['skiff.io/local-path-volume-uid'], 'u-1');
});
