// A deleted local-path volume's directory is removed from its real node: a Skiff API server with the PV binder, the
// local-path provisioner, PV/PVC protection and node-ipam, the scheduler and `skiff kubelet` (its own containerd, a
// CNI bridge and cluster CIDR of this run: test/support/isolation.ts). A pod writes into a claim's volume; the claim
// deleted, the Released volume's directory under the class's nodePath is removed by the provisioner's helper pod on
// that node (the pause image, `rm -rf` of exactly that directory), then the helper pod and the volume are deleted. A
// volume claiming to be the provisioner's whose hostPath points elsewhere is refused (VolumeFailedDelete) and the
// directory it names is left as it was. Removed afterwards: pods, the volumes, processes by PID, the bridge, CNI
// cache entries, containers and temp dirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, isNotFound, resourceRef } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { startScheduler } from '../../src/control-plane/scheduler/index.ts';
import { KubeletNode, busyboxImage, nodeRunnable } from '../support/kubelet-node.ts';
import { claimRun, type TestRun } from '../support/isolation.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { gone, waitFor } from '../support/wait.ts';
import { nodeKubeconfig } from '../support/node-identity.ts';

const podsRef = resourceRef('v1', 'pods');
const nodesRef = resourceRef('v1', 'nodes', false);
const claimsRef = resourceRef('v1', 'persistentvolumeclaims');
const volumesRef = resourceRef('v1', 'persistentvolumes', false);
const eventsRef = resourceRef('v1', 'events');

describe('local-path volumes: a deleted volume\'s directory is removed from its node', { skip: nodeRunnable ? false : 'needs root, containerd, busybox-static and CNI plugins' }, () => {
  const ac = new AbortController();
  const components: Promise<unknown>[] = [];
  let run: TestRun;
  let s: TestServer;
  let client: RestClient;
  let node: KubeletNode;
  let nodeName = '';
  /** Outside the storage root: what a forged volume points at, which must survive. */
  const outside = mkdtempSync(join(tmpdir(), 'skiff-reclaim-outside-'));

  before(async () => {
    run = await claimRun();
    nodeName = run.name('reclaim-');
    s = await startTestServer({ network: run });
    client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'storage-reclaim-test', qps: 0 });
    components.push(startScheduler({ client, signal: ac.signal, leaderElect: false }).then((r) => r.done));
    components.push(startControllerManager({
      client, signal: ac.signal, leaderElection: false, options: { clusterCidr: run.clusterCidr },
      controllers: ['node-ipam', 'root-ca-certificate-publisher', 'persistentvolume-binder', 'local-path-provisioner', 'persistentvolume-protection', 'persistentvolumeclaim-protection'],
    }).then((m) => m.done));
    node = new KubeletNode({ kubeconfig: await nodeKubeconfig(s, nodeName), nodeName, bridge: run.name('skr') });
    await node.start();
    await node.importTestImage();
    await waitFor('node Ready', async () => (await client.get<Node>(nodesRef, nodeName)).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  });

  after(async () => {
    ac.abort();
    await Promise.allSettled(components);
    try {
      await node?.cleanup(client, ['default', 'kube-system']);
    } finally {
      client?.close();
      await s?.stop();
      rmSync(outside, { recursive: true, force: true });
      await run?.release();
    }
  });

  test('a released volume\'s directory is removed by a helper pod on its node, then the volume is deleted', async () => {
    await client.create<PersistentVolumeClaim>(claimsRef, {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } },
    }, { namespace: 'default' });
    await client.create<Pod>(podsRef, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'writer' },
      spec: {
        restartPolicy: 'Never', terminationGracePeriodSeconds: 0,
        containers: [{ name: 'c', image: busyboxImage, command: ['sh', '-c', 'mkdir -p /data/sub && echo kept > /data/sub/file'], volumeMounts: [{ name: 'd', mountPath: '/data' }] }],
        volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
      },
    }, { namespace: 'default' });
    const done = await waitFor('writer finished', async () => {
      const p = await client.get<Pod>(podsRef, 'writer', { namespace: 'default' });
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 120_000);
    assert.equal(done.status?.phase, 'Succeeded', node.containerLog(done, 'c'));
    const pvName = (await client.get<PersistentVolumeClaim>(claimsRef, 'data', { namespace: 'default' })).spec!.volumeName!;
    const dir = (await client.get<PersistentVolume>(volumesRef, pvName)).spec!.hostPath!.path;
    assert.equal(dir, join(s.dataDir, 'storage', pvName));
    assert.equal(readFileSync(join(dir, 'sub', 'file'), 'utf8'), 'kept\n', 'the pod wrote into the volume on this node');

    await client.delete(podsRef, 'writer', { namespace: 'default', gracePeriodSeconds: 0 });
    await client.delete(claimsRef, 'data', { namespace: 'default' });
    const helperName = `helper-pod-delete-${pvName}`;
    // the helper pod ran on the node; it is deleted once it Succeeded, and the volume with it
    await waitFor('volume deleted', () => gone(() => client.get(volumesRef, pvName)), 120_000);
    assert.equal(existsSync(dir), false, `${dir} removed from the node`);
    assert.ok(existsSync(join(s.dataDir, 'storage')), 'the storage root itself stays');
    await waitFor('helper pod deleted', () => gone(() => client.get(podsRef, helperName, { namespace: 'kube-system' })));
  });

  test('a volume whose hostPath is outside the storage root is refused and its directory left alone', async () => {
    writeFileSync(join(outside, 'precious'), 'still here');
    const name = `pvc-forged-${run.id}`;
    await client.create<PersistentVolume>(volumesRef, {
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': 'skiff.io/local-path' } },
      spec: {
        capacity: { storage: '1Mi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'local-path',
        hostPath: { path: outside, type: 'Directory' },
        // bound to a claim that does not exist: the binder marks it Released at once
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'never-was', uid: '00000000-0000-0000-0000-000000000001' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] } },
      },
    });
    const ev = await waitFor('VolumeFailedDelete event', async () => (await client.list<Event>(eventsRef, { namespace: 'default' })).items
      .find((e) => e.involvedObject.name === name && e.reason === 'VolumeFailedDelete'));
    assert.equal(ev.type, 'Warning');
    assert.match(ev.message ?? '', new RegExp(`not removing the volume's directory: hostPath ${outside} is not ${s.dataDir}/storage/${name}`));
    // the provisioner decided (the event) without a helper pod; the volume stays Released, the directory intact
    await assert.rejects(client.get(podsRef, `helper-pod-delete-${name}`, { namespace: 'kube-system' }), (e: unknown) => isNotFound(e));
    assert.equal((await client.get<PersistentVolume>(volumesRef, name)).status?.phase, 'Released');
    assert.equal(readFileSync(join(outside, 'precious'), 'utf8'), 'still here');
    await client.delete(volumesRef, name);
    await waitFor('forged volume gone', () => gone(() => client.get(volumesRef, name)));
    assert.equal(readFileSync(join(outside, 'precious'), 'utf8'), 'still here', 'deleting the volume by hand leaves it too');
  });
});
