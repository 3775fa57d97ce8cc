// Storage end to end: PersistentVolume/PersistentVolumeClaim/StorageClass served to real kubectl, the PV binder
// (static binding, Released on claim deletion, retroactive default class), the local-path provisioner (a
// WaitForFirstConsumer claim is provisioned on its pod's node and deleted with its claim, after a helper pod on that
// node removed its directory; a failed removal is reported and retried) and the pvc/pv
// protection finalizers (a claim in use stays Terminating until its pod is gone). Waits on conditions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, isNotFound } from '../../src/client/index.ts';
import { startScheduler } from '../../src/control-plane/scheduler/index.ts';
import { startSimNodes } from '../../src/sim/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { persistentVolumeClaimsRef, persistentVolumesRef, podsRef } from '../../src/control-plane/controllers/refs.ts';
import { type TestServer, startTestServer, kubectlOk } from '../support/server.ts';
import { gone, waitFor } from '../support/wait.ts';

let s: TestServer;
let client: RestClient;
const ctl = new AbortController();
let cmDone: Promise<void>;
let schedDone: Promise<void>;

before(async () => {
  s = await startTestServer();
  client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  await startSimNodes({ client, count: 2, signal: ctl.signal, heartbeatIntervalMs: 1000 });
  schedDone = (await startScheduler({ client, signal: ctl.signal, leaderElect: false })).done;
  const cm = await startControllerManager({
    client, signal: ctl.signal, leaderElection: false, controllers: ['persistentvolume-binder', 'local-path-provisioner', 'garbage-collector', 'persistentvolumeclaim-protection', 'persistentvolume-protection'],
  });
  cmDone = cm.done;
});

after(async () => {
  ctl.abort();
  await Promise.all([cmDone, schedDone]);
  client.close();
  await s.stop();
});

const kubectl = (args: string[], stdin?: string): Promise<string> => kubectlOk(s, args, { stdin });

const getClaim = (name: string): Promise<PersistentVolumeClaim> => client.get<PersistentVolumeClaim>(persistentVolumeClaimsRef, name, { namespace: 'default' });
const getVolume = (name: string): Promise<PersistentVolume> => client.get<PersistentVolume>(persistentVolumesRef, name);

test('a static volume binds to a matching claim of its class, the smallest that fits, and is Released after', async () => {
  await kubectl(['apply', '-f', '-'], `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: manual}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: big}
spec: {capacity: {storage: 10Gi}, accessModes: [ReadWriteOnce], storageClassName: manual, hostPath: {path: /tmp/big}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: small}
spec: {capacity: {storage: 2Gi}, accessModes: [ReadWriteOnce, ReadOnlyMany], storageClassName: manual, hostPath: {path: /tmp/small}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim1}
spec: {accessModes: [ReadWriteOnce], storageClassName: manual, resources: {requests: {storage: 1Gi}}}
`);
  const claim = await waitFor('claim1 bound', async () => {
    const c = await getClaim('claim1');
    return c.status?.phase === 'Bound' ? c : undefined;
  });
  assert.equal(claim.spec?.volumeName, 'small');
  assert.deepEqual(claim.status?.capacity, { storage: '2Gi' });
  assert.equal(claim.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  const pv = await waitFor('small Bound', async () => {
    const v = await getVolume('small');
    return v.status?.phase === 'Bound' ? v : undefined;
  });
  assert.equal(pv.spec?.claimRef?.uid, claim.metadata?.uid);
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain', 'defaulted for a manual volume');
  await waitFor('big Available', async () => (await getVolume('big')).status?.phase === 'Available');
  const table = await kubectl(['get', 'pv']);
  assert.match(table, /^big\s+10Gi\s+RWO\s+Retain\s+Available\s+manual\s+<unset>\s+\S+$/m);
  assert.match(table, /^small\s+2Gi\s+RWO,ROX\s+Retain\s+Bound\s+default\/claim1\s+manual\s+<unset>\s+\S+$/m);
  await kubectl(['delete', 'pvc', 'claim1']);
  await waitFor('small Released', async () => (await getVolume('small')).status?.phase === 'Released');
});

test('a claim without a class gets the default local-path class and a volume on its pod\'s node, deleted with it', async () => {
  await kubectl(['apply', '-f', '-'], `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 64Mi}}}
`);
  const pending = await waitFor('default class assigned', async () => {
    const c = await getClaim('data');
    return c.spec?.storageClassName === 'local-path' ? c : undefined;
  });
  await waitFor('WaitForFirstConsumer event', async () => {
    const out = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=data', '-o', 'jsonpath={.items[*].reason}']);
    return out.includes('WaitForFirstConsumer');
  });
  assert.equal((await getClaim('data')).status?.phase, 'Pending', 'no volume before a consumer is scheduled');
  await kubectl(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: user}
spec:
  containers: [{name: c, image: busybox}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
`);
  const pod = await waitFor('user scheduled', async () => {
    const p = await client.get<Pod>(podsRef, 'user', { namespace: 'default' });
    return p.spec?.nodeName ? p : undefined;
  });
  const bound = await waitFor('data bound', async () => {
    const c = await getClaim('data');
    return c.status?.phase === 'Bound' ? c : undefined;
  });
  assert.equal(bound.metadata?.annotations?.['volume.kubernetes.io/selected-node'], pod.spec?.nodeName);
  const pvName = `pvc-${pending.metadata?.uid}`;
  assert.equal(bound.spec?.volumeName, pvName);
  const pv = await getVolume(pvName);
  assert.equal(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'skiff.io/local-path');
  assert.deepEqual(pv.spec?.hostPath, { path: `${s.dataDir}/storage/${pvName}`, type: 'DirectoryOrCreate' });
  assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, [pod.spec?.nodeName]);
  await kubectl(['delete', 'pod', 'user', '--wait=false']);
  await kubectl(['delete', 'pvc', 'data', '--wait=false']);
  // Its directory goes first: a helper pod on the volume's node removes exactly that directory (as rancher's
  // local-path-provisioner). These nodes are simulated, so the test reports the pod's end as that node's kubelet
  // would; until then the Released volume stays (test/e2e/storage-reclaim.test.ts runs it on a real node).
  const helperName = `helper-pod-delete-${pvName}`;
  const helper = await waitFor('helper pod on the volume\'s node', () => client.get<Pod>(podsRef, helperName, { namespace: 'kube-system' }).catch(() => undefined));
  assert.equal(helper.spec?.nodeName, pod.spec?.nodeName);
  assert.deepEqual(helper.spec?.containers[0]?.command, ['/bin/rm', '-rf', `/data/${pvName}`]);
  assert.deepEqual(helper.spec?.volumes?.[0]?.hostPath, { path: `${s.dataDir}/storage`, type: 'DirectoryOrCreate' });
  assert.equal((await getVolume(pvName)).status?.phase, 'Released', 'the volume stays until its directory is removed');
  const finish = async (phase: 'Failed' | 'Succeeded', exitCode: number): Promise<void> => {
    let uid: string | undefined;
    await waitFor(`helper pod ${phase}`, async () => {
      const p = await client.get<Pod>(podsRef, helperName, { namespace: 'kube-system' }).catch(() => undefined);
      uid ??= p?.metadata?.uid;
      // gone or replaced: the provisioner saw it end
      if (!p || p.metadata?.uid !== uid || p.metadata?.deletionTimestamp || p.status?.phase === phase) return true;
      // the simulated node writes Running once it sees the pod: set again until it sticks
      const terminated = { exitCode, reason: exitCode ? 'Error' : 'Completed' };
      const status = { phase, containerStatuses: [{ name: 'helper-pod', image: '', imageID: '', ready: false, restartCount: 0, state: { terminated } }] };
      await client.updateStatus<Pod>(podsRef, { ...p, status }).catch(() => undefined);
      return false;
    });
  };
  // a failed removal is reported on the volume and tried again with a new helper pod
  const first = helper.metadata?.uid;
  await finish('Failed', 1);
  await waitFor('VolumeFailedDelete event', async () => {
    const out = await kubectl(['get', 'events', '--field-selector', `involvedObject.name=${pvName}`, '-o', 'jsonpath={.items[*].message}']);
    return out.includes(`could not remove ${s.dataDir}/storage/${pvName} (exit code 1)`);
  });
  await waitFor('a new helper pod', async () => {
    const p = await client.get<Pod>(podsRef, helperName, { namespace: 'kube-system' }).catch(() => undefined);
    return p && p.metadata?.uid !== first;
  }, 30_000);
  await finish('Succeeded', 0);
  await waitFor('helper pod deleted', () => gone(() => client.get<Pod>(podsRef, helperName, { namespace: 'kube-system' })));
  await waitFor('volume deleted with its claim', async () => {
    try {
      await getVolume(pvName);
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  });
});

test('a claim in use stays Terminating until its pod is gone; a bound volume until its claim is', async () => {
  await kubectl(['apply', '-f', '-'], `
apiVersion: v1
kind: PersistentVolume
metadata: {name: held-pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], storageClassName: manual, hostPath: {path: /tmp/held}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: spare-pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], storageClassName: spare, hostPath: {path: /tmp/spare}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: held}
spec: {accessModes: [ReadWriteOnce], storageClassName: manual, volumeName: held-pv, resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: free}
spec: {accessModes: [ReadWriteOnce], storageClassName: manual, resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: holder}
spec:
  containers: [{name: c, image: busybox}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: held}}]
`);
  const claim = await getClaim('held');
  assert.deepEqual(claim.metadata?.finalizers, ['kubernetes.io/pvc-protection'], 'admission adds the finalizer');
  assert.deepEqual((await getVolume('held-pv')).metadata?.finalizers, ['kubernetes.io/pv-protection']);
  await waitFor('held bound', async () => (await getClaim('held')).status?.phase === 'Bound');
  await waitFor('holder running', async () => (await client.get<Pod>(podsRef, 'holder', { namespace: 'default' })).status?.phase === 'Running');
  // the held-pv volume is deleted first: it stays while Bound
  await kubectl(['delete', 'pv', 'held-pv', '--wait=false']);
  await kubectl(['delete', 'pvc', 'held', '--wait=false']);
  // The protection controllers work one key at a time in arrival order: once the unused claim (the unbound
  // volume) deleted after it is gone, the held claim's (volume's) deletion has been looked at too.
  await kubectl(['delete', 'pvc', 'free', '--wait=false']);
  await kubectl(['delete', 'pv', 'spare-pv', '--wait=false']);
  await waitFor('free gone', () => gone(() => getClaim('free')));
  await waitFor('spare-pv gone', () => gone(() => getVolume('spare-pv')));
  assert.match(await kubectl(['get', 'pvc', 'held', '--no-headers']), /^held\s+Terminating\s+held-pv\s/);
  assert.match(await kubectl(['get', 'pv', 'held-pv', '--no-headers']), /^held-pv\s+1Gi\s+RWO\s+Retain\s+Terminating\s+default\/held\s/);
  await kubectl(['delete', 'pod', 'holder', '--wait=false']);
  await waitFor('held gone once its pod is', () => gone(() => getClaim('held')));
  await waitFor('held-pv gone once Released', () => gone(() => getVolume('held-pv')));
});

test('discovery and OpenAPI describe the storage kinds', async () => {
  const resources = await kubectl(['api-resources', '--api-group=storage.k8s.io']);
  assert.match(resources, /^storageclasses\s+sc\s+storage\.k8s\.io\/v1\s+false\s+StorageClass$/m);
  const core = await kubectl(['api-resources', '--api-group=']);
  assert.match(core, /^persistentvolumeclaims\s+pvc\s+v1\s+true\s+PersistentVolumeClaim$/m);
  assert.match(core, /^persistentvolumes\s+pv\s+v1\s+false\s+PersistentVolume$/m);
  const explained = await kubectl(['explain', 'storageclass.volumeBindingMode']);
  assert.match(explained, /FIELD:\s+volumeBindingMode <string>/);
});

test('invalid storage objects are refused with 422 and upstream messages', async () => {
  const pv = await s.kubectl(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: bad}\nspec: {accessModes: [ReadWriteOnce]}\n' });
  assert.notEqual(pv.code, 0);
  assert.match(pv.stderr, /spec.capacity: Required value/);
  assert.match(pv.stderr, /spec: Required value: must specify a volume type/);
  const pvc = await s.kubectl(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: bad}\nspec: {resources: {requests: {storage: 1Gi}}}\n' });
  assert.match(pvc.stderr, /spec.accessModes: Required value: at least 1 access mode is required/);
  const sc = await s.kubectl(['patch', 'sc', 'local-path', '-p', '{"reclaimPolicy":"Retain"}']);
  assert.match(sc.stderr, /reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden/);
});
