// StatefulSet end to end: a real API server, simulated nodes, the scheduler, and the StatefulSet, EndpointSlice,
// PV binder, local-path provisioner and garbage collector controllers; driven by real kubectl. Ordering is
// asserted from a pod watch (every event in order), never from timing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RestClient } from '../../src/client/index.ts';
import { startScheduler } from '../../src/control-plane/scheduler/index.ts';
import { startSimNodes } from '../../src/sim/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { endpointSlicesRef, persistentVolumeClaimsRef, persistentVolumesRef, podsRef, statefulSetsRef } from '../../src/control-plane/controllers/refs.ts';
import { isPodReady } from '../../src/control-plane/controllers/replicaset-pods.ts';
import { type TestServer, startTestServer, kubectlOk } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

let s: TestServer;
let client: RestClient;
const ctl = new AbortController();
let cmDone: Promise<void>;
let schedDone: Promise<void>;
/** Every pod watch event since the start, in order. */
const podEvents: { type: string; name: string; ready: boolean; uid: string }[] = [];
let watchDone: Promise<void>;

before(async () => {
  s = await startTestServer();
  client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  await startSimNodes({ client, count: 3, signal: ctl.signal, heartbeatIntervalMs: 1000 });
  schedDone = (await startScheduler({ client, signal: ctl.signal, leaderElect: false })).done;
  const cm = await startControllerManager({
    client, signal: ctl.signal, leaderElection: false,
    controllers: ['statefulset', 'endpointslice', 'persistentvolume-binder', 'local-path-provisioner', 'garbage-collector', 'persistentvolumeclaim-protection', 'persistentvolume-protection'],
  });
  cmDone = cm.done;
  const rv = (await client.list<Pod>(podsRef, { namespace: 'default' })).metadata?.resourceVersion;
  watchDone = (async () => {
    try {
      for await (const ev of client.watch<Pod>(podsRef, { namespace: 'default', resourceVersion: rv, signal: ctl.signal })) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') continue;
        const pod = ev.object as Pod;
        podEvents.push({ type: ev.type, name: pod.metadata?.name ?? '', ready: isPodReady(pod), uid: pod.metadata?.uid ?? '' });
      }
    } catch {
      // aborted at the end
    }
  })();
});

after(async () => {
  ctl.abort();
  await Promise.all([cmDone, schedDone, watchDone]);
  client.close();
  await s.stop();
});

const kubectl = (args: string[], stdin?: string): Promise<string> => kubectlOk(s, args, { stdin });

const manifest = `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80, name: http}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx:1.0, ports: [{containerPort: 80, name: http}]}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`;

const getSet = (): Promise<StatefulSet> => client.get<StatefulSet>(statefulSetsRef, 'web', { namespace: 'default' });
const getPod = (name: string): Promise<Pod> => client.get<Pod>(podsRef, name, { namespace: 'default' });

async function settled(replicas: number): Promise<StatefulSet | undefined> {
  const set = await getSet();
  const st = set.status;
  return st && (st.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0) && st.readyReplicas === replicas && st.replicas === replicas &&
    st.updatedReplicas === replicas && st.currentRevision === st.updateRevision ? set : undefined;
}

/** Index of the first event matching, or -1. */
const firstEvent = (p: (e: (typeof podEvents)[number]) => boolean): number => podEvents.findIndex(p);

test('StatefulSet of 3 comes up in order with stable identity, claims and bound local-path volumes', async () => {
  const sc = await kubectl(['get', 'sc']);
  assert.match(sc, /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/m);
  assert.match(sc, /^local-path \(default\)\s+skiff\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+/m);
  await kubectl(['apply', '-f', '-'], manifest);
  await waitFor('web ready 3/3', () => settled(3), 90_000);
  // ordinal i was created only after ordinal i-1 had been seen Ready
  for (let i = 1; i < 3; i++) {
    const created = firstEvent((e) => e.type === 'ADDED' && e.name === `web-${i}`);
    const prevReady = firstEvent((e) => e.name === `web-${i - 1}` && e.ready);
    assert.ok(created > 0 && prevReady >= 0 && prevReady < created, `web-${i} created (event ${created}) after web-${i - 1} ready (event ${prevReady})`);
  }
  const stsTable = await kubectl(['get', 'sts', 'web', '-o', 'wide']);
  assert.match(stsTable, /^NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES$/m);
  assert.match(stsTable, /^web\s+3\/3\s+\S+\s+nginx\s+nginx:1\.0$/m);
  for (let i = 0; i < 3; i++) {
    const pod = await getPod(`web-${i}`);
    assert.equal(pod.spec?.hostname, `web-${i}`);
    assert.equal(pod.spec?.subdomain, 'web');
    assert.equal(pod.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], `web-${i}`);
    assert.equal(pod.metadata?.labels?.['apps.kubernetes.io/pod-index'], String(i));
    assert.ok(pod.metadata?.labels?.['controller-revision-hash']?.startsWith('web-'));
    assert.equal(pod.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName, `www-web-${i}`);
    const pvc = await waitFor(`www-web-${i} bound`, async () => {
      const c = await client.get<PersistentVolumeClaim>(persistentVolumeClaimsRef, `www-web-${i}`, { namespace: 'default' });
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    assert.equal(pvc.spec?.storageClassName, 'local-path', 'the default class was assigned');
    assert.equal(pvc.spec?.volumeName, `pvc-${pvc.metadata?.uid}`);
    const pv = await client.get<PersistentVolume>(persistentVolumesRef, pvc.spec?.volumeName ?? '');
    assert.equal(pv.spec?.hostPath?.path, `${s.dataDir}/storage/pvc-${pvc.metadata?.uid}`);
    assert.equal(pv.spec?.hostPath?.type, 'DirectoryOrCreate');
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, [pod.spec?.nodeName]);
    assert.equal(pv.spec?.claimRef?.uid, pvc.metadata?.uid);
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
    await waitFor(`pv of web-${i} Bound`, async () => (await client.get<PersistentVolume>(persistentVolumesRef, pv.metadata?.name ?? '')).status?.phase === 'Bound');
  }
  const hostnames = await waitFor('slice hostnames', async () => {
    const list = await client.list<EndpointSlice>(endpointSlicesRef, { namespace: 'default', labelSelector: 'kubernetes.io/service-name=web' });
    const names = list.items.flatMap((sl) => sl.endpoints ?? []).map((e) => e.hostname).filter(Boolean).sort();
    return names.length === 3 ? names : undefined;
  });
  assert.deepEqual(hostnames, ['web-0', 'web-1', 'web-2']);
  const pvcTable = await kubectl(['get', 'pvc']);
  assert.match(pvcTable, /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/m);
  assert.match(pvcTable, /^www-web-0\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s+local-path\s+<unset>\s+/m);
  const described = await kubectl(['describe', 'sts', 'web']);
  assert.match(described, /Replicas:\s+3 desired \| 3 total/);
  assert.match(described, /Update Strategy:\s+RollingUpdate/);
  assert.match(described, /Volume Claims:\s+Name:\s+www/);
  assert.match(described, /SuccessfulCreate\s+\S+\s+statefulset-controller\s+create Claim www-web-0 Pod web-0 in StatefulSet web success/);
  const pvcDescribed = await kubectl(['describe', 'pvc', 'www-web-0']);
  assert.match(pvcDescribed, /Status:\s+Bound/);
  assert.match(pvcDescribed, /Used By:\s+web-0/);
  const pvTable = await kubectl(['get', 'pv']);
  assert.match(pvTable, /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE$/m);
  assert.match(pvTable, /^pvc-\S+\s+1Gi\s+RWO\s+Delete\s+Bound\s+default\/www-web-0\s+local-path\s+<unset>\s+\S+$/m);
});

test('a deleted pod comes back with the same name and the same claim', async () => {
  const before = await getPod('web-1');
  await kubectl(['delete', 'pod', 'web-1', '--wait=false']);
  const again = await waitFor('web-1 recreated and ready', async () => {
    const p = await getPod('web-1').catch(() => undefined);
    return p && p.metadata?.uid !== before.metadata?.uid && isPodReady(p) ? p : undefined;
  });
  assert.equal(again.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName, 'www-web-1');
  assert.equal(again.spec?.nodeName, before.spec?.nodeName, 'back on the node its local volume lives on');
  const pvcs = await client.list<PersistentVolumeClaim>(persistentVolumeClaimsRef, { namespace: 'default' });
  assert.equal(pvcs.items.length, 3, 'no new claim was made');
  await waitFor('web settled', () => settled(3));
});

test('RollingUpdate with a partition updates only ordinals at or above it; rollout status completes', async () => {
  const oldRevision = (await getSet()).status?.currentRevision;
  await kubectl(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}},"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:2.0"}]}}}}']);
  const out = await kubectl(['rollout', 'status', 'sts/web', '--timeout=90s']);
  assert.match(out, /partitioned roll out complete: 1 new pods have been updated/);
  const set = await getSet();
  assert.notEqual(set.status?.updateRevision, oldRevision);
  assert.equal(set.status?.currentRevision, oldRevision, 'below the partition the old revision stays current');
  const images = await Promise.all([0, 1, 2].map(async (i) => (await getPod(`web-${i}`)).spec?.containers[0]?.image));
  assert.deepEqual(images, ['nginx:1.0', 'nginx:1.0', 'nginx:2.0']);
  await kubectl(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
  // kubectl reports a RollingUpdate with a (defaulted) partition as a partitioned roll out, as against upstream
  const done = await kubectl(['rollout', 'status', 'sts/web', '--timeout=90s']);
  assert.match(done, /partitioned roll out complete: 3 new pods have been updated/);
  await waitFor('update revision current', () => settled(3));
  const updated = await Promise.all([0, 1, 2].map(async (i) => (await getPod(`web-${i}`)).spec?.containers[0]?.image));
  assert.deepEqual(updated, ['nginx:2.0', 'nginx:2.0', 'nginx:2.0']);
  // the update went from the highest ordinal down: web-1 was replaced before web-0
  const del1 = podEvents.findLastIndex((e) => e.type === 'DELETED' && e.name === 'web-1');
  const del0 = podEvents.findLastIndex((e) => e.type === 'DELETED' && e.name === 'web-0');
  assert.ok(del1 >= 0 && del0 > del1, `web-1 (event ${del1}) replaced before web-0 (event ${del0})`);
  const history = await kubectl(['rollout', 'history', 'sts/web']);
  assert.match(history, /^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>$/m);
  const revisions = await kubectl(['get', 'controllerrevisions', '-l', 'app=web']);
  assert.match(revisions, /^NAME\s+CONTROLLER\s+REVISION\s+AGE$/m);
  assert.match(revisions, /^web-\S+\s+statefulset\.apps\/web\s+2\s+/m);
  // undo reapplies revision 1's template; that revision is renumbered 3 rather than copied
  await kubectl(['rollout', 'undo', 'sts/web', '--to-revision=1']);
  await kubectl(['rollout', 'status', 'sts/web', '--timeout=90s']);
  const back = await waitFor('rolled back', () => settled(3));
  assert.equal(back.status?.currentRevision, oldRevision);
  const restored = await Promise.all([0, 1, 2].map(async (i) => (await getPod(`web-${i}`)).spec?.containers[0]?.image));
  assert.deepEqual(restored, ['nginx:1.0', 'nginx:1.0', 'nginx:1.0']);
  assert.match(await kubectl(['get', 'controllerrevision', oldRevision ?? '', '-o', 'jsonpath={.revision}']), /^3$/);
});

test('scale down removes the highest ordinal first, one at a time; claims are retained', async () => {
  const mark = podEvents.length;
  await kubectl(['scale', 'sts', 'web', '--replicas=1']);
  await waitFor('web settled at 1', () => settled(1));
  const deletions = podEvents.slice(mark).filter((e) => e.type === 'DELETED').map((e) => e.name);
  assert.deepEqual(deletions, ['web-2', 'web-1']);
  const pvcs = await client.list<PersistentVolumeClaim>(persistentVolumeClaimsRef, { namespace: 'default' });
  assert.deepEqual(pvcs.items.map((c) => c.metadata?.name).sort(), ['www-web-0', 'www-web-1', 'www-web-2'], 'whenScaled: Retain keeps them');
});

/** A set whose pods can never be scheduled, so none becomes ready. */
const stuckSet = (name: string, policy: string): string => `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}}
spec:
  serviceName: ${name}
  replicas: 3
  podManagementPolicy: ${policy}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      nodeSelector: {no-such-node: "true"}
      containers: [{name: c, image: busybox}]
`;

/** The set's status once the controller has worked on its current generation. */
async function observed(name: string): Promise<StatefulSet> {
  return waitFor(`${name} observed`, async () => {
    const set = await client.get<StatefulSet>(statefulSetsRef, name, { namespace: 'default' });
    return (set.status?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 1) ? set : undefined;
  });
}

test('OrderedReady waits for a ready pod before the next; Parallel creates them all at once', async () => {
  await kubectl(['apply', '-f', '-'], stuckSet('ordered', 'OrderedReady') + '---' + stuckSet('parallel', 'Parallel'));
  // status counts the pods a pass saw: replicas 1 means a pass ran with ordered-0 present and made nothing more
  await waitFor('ordered has its first pod', async () => (await observed('ordered')).status?.replicas === 1);
  const parallel = await waitFor('parallel has 3 pods', async () => {
    const set = await observed('parallel');
    return set.status?.replicas === 3 ? set : undefined;
  });
  assert.equal(parallel.status?.readyReplicas, 0);
  const names = (await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: 'app in (ordered,parallel)' })).items.map((p) => p.metadata?.name).sort();
  assert.deepEqual(names, ['ordered-0', 'parallel-0', 'parallel-1', 'parallel-2']);
  await kubectl(['delete', 'sts', 'ordered', 'parallel']);
});

test('whenScaled: Delete removes the claims of scaled-away pods with them', async () => {
  await kubectl(['apply', '-f', '-'], `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: busybox}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`);
  await waitFor('db 2/2', async () => (await observed('db')).status?.readyReplicas === 2);
  await kubectl(['scale', 'sts', 'db', '--replicas=1']);
  await waitFor('data-db-1 deleted with db-1', async () => {
    const names = (await client.list<PersistentVolumeClaim>(persistentVolumeClaimsRef, { namespace: 'default', labelSelector: 'app=db' })).items.map((c) => c.metadata?.name);
    return names.length === 1 && names[0] === 'data-db-0';
  });
});

test('OnDelete replaces a pod with the new template only when it is deleted', async () => {
  await kubectl(['patch', 'sts', 'db', '--type=merge', '-p', '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null},"template":{"spec":{"containers":[{"name":"c","image":"busybox:2"}]}}}}']);
  const set = await observed('db');
  assert.notEqual(set.status?.updateRevision, set.status?.currentRevision);
  assert.equal((await getPod('db-0')).spec?.containers[0]?.image, 'busybox');
  const old = await getPod('db-0');
  await kubectl(['delete', 'pod', 'db-0', '--wait=false']);
  const fresh = await waitFor('db-0 recreated', async () => {
    const p = await getPod('db-0').catch(() => undefined);
    return p && p.metadata?.uid !== old.metadata?.uid ? p : undefined;
  });
  assert.equal(fresh.spec?.containers[0]?.image, 'busybox:2');
  const out = await s.kubectl(['rollout', 'status', 'sts/db']);
  assert.match(out.stderr, /rollout status is only available for RollingUpdate strategy type/);
});

test('whenDeleted: Delete makes the set own its claims, which go when it is deleted', async () => {
  await kubectl(['patch', 'sts', 'db', '--type=merge', '-p', '{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Delete"}}}']);
  const set = await client.get<StatefulSet>(statefulSetsRef, 'db', { namespace: 'default' });
  await waitFor('claim owned by the set', async () => {
    const c = await client.get<PersistentVolumeClaim>(persistentVolumeClaimsRef, 'data-db-0', { namespace: 'default' });
    return c.metadata?.ownerReferences?.some((r) => r.uid === set.metadata?.uid && r.kind === 'StatefulSet');
  });
  await kubectl(['delete', 'sts', 'db']);
  await waitFor('data-db-0 deleted with the set', async () =>
    (await client.list<PersistentVolumeClaim>(persistentVolumeClaimsRef, { namespace: 'default', labelSelector: 'app=db' })).items.length === 0);
});
