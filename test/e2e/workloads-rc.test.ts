// ReplicationControllers end to end: a real API server, simulated nodes, the scheduler, and the ReplicaSet
// controller running over ReplicationControllers; driven by real kubectl (1.33 sends protobuf bodies).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { startScheduler } from '../../src/control-plane/scheduler/index.ts';
import { type SimNodes, startSimNodes } from '../../src/sim/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { podsRef, replicationControllersRef } from '../../src/control-plane/controllers/refs.ts';
import { controllerRefOf, isPodReady } from '../../src/control-plane/controllers/replicaset-pods.ts';
import { type TestServer, startTestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

let s: TestServer;
let client: RestClient;
const ctl = new AbortController();
let cmDone: Promise<void>;
let schedDone: Promise<void>;
let sim: SimNodes;
const eventsRef = resourceRef('v1', 'events');

before(async () => {
  s = await startTestServer();
  client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  sim = await startSimNodes({ client, count: 3, signal: ctl.signal, heartbeatIntervalMs: 1000 });
  schedDone = (await startScheduler({ client, signal: ctl.signal, leaderElect: false })).done;
  cmDone = (await startControllerManager({ client, signal: ctl.signal, controllers: ['replicationcontroller'], leaderElection: false })).done;
});

after(async () => {
  ctl.abort();
  await sim.stop();
  await Promise.all([cmDone, schedDone]);
  client.close();
  await s.stop();
});

async function kubectl(args: string[], opts: { stdin?: string; version?: string } = {}): Promise<string> {
  const r = await s.kubectl(args, opts);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const getRc = (name: string): Promise<ReplicationController> => client.get<ReplicationController>(replicationControllersRef, name, { namespace: 'default' });

async function livePods(app: string): Promise<Pod[]> {
  const list = await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: `app=${app}` });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** The RC once its status says `n` ready replicas for its current generation and exactly n pods are live. */
async function holds(name: string, n: number): Promise<ReplicationController | undefined> {
  const rc = await getRc(name);
  const st = rc.status;
  const ok = st && (st.observedGeneration ?? 0) >= (rc.metadata?.generation ?? 1) && st.replicas === n && (st.readyReplicas ?? 0) === n &&
    (st.availableReplicas ?? 0) === n && (st.fullyLabeledReplicas ?? 0) === n;
  return ok && (await livePods(name)).filter(isPodReady).length === n && (await livePods(name)).length === n ? rc : undefined;
}

const manifest = `
apiVersion: v1
kind: ReplicationController
metadata: {name: web}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx:1.27}]
`;

test('an RC created by kubectl (protobuf) gets its selector from the template and keeps 3 pods', async () => {
  await kubectl(['create', '-f', '-'], { stdin: manifest, version: '1.33' });
  const rc = await waitFor('3 replicas', () => holds('web', 3));
  assert.deepEqual(rc.spec?.selector, { app: 'web' }, 'selector defaulted from the template labels');
  assert.deepEqual(rc.metadata?.labels, { app: 'web' }, 'labels defaulted from the template labels');
  for (const p of await livePods('web')) {
    const ref = controllerRefOf(p);
    assert.equal(ref?.kind, 'ReplicationController');
    assert.equal(ref?.apiVersion, 'v1');
    assert.equal(ref?.uid, rc.metadata?.uid);
    assert.match(p.metadata?.name ?? '', /^web-[a-z0-9]{5}$/);
  }
  const table = await kubectl(['get', 'rc']);
  assert.match(table, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nweb\s+3\s+3\s+3\s+\d+s\n$/);
  const wide = await kubectl(['get', 'replicationcontrollers', '-o', 'wide']);
  assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR\nweb\s+3\s+3\s+3\s+\S+\s+nginx\s+nginx:1\.27\s+app=web\n/);
  const described = await kubectl(['describe', 'rc', 'web']);
  assert.match(described, /Replicas:\s+3 current \/ 3 desired/);
  assert.match(described, /Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/);
  const events = await waitFor('SuccessfulCreate events', async () => {
    const list = await client.list<Event>(eventsRef, { namespace: 'default' });
    const mine = list.items.filter((e) => e.involvedObject.kind === 'ReplicationController' && e.reason === 'SuccessfulCreate');
    return mine.length === 3 ? mine : undefined;
  });
  assert.equal(events[0].source?.component, 'replication-controller');
});

test('kubectl scale rc keeps the count, up and down; the Scale carries the equality selector', async () => {
  await kubectl(['scale', 'rc', 'web', '--replicas=5']);
  await waitFor('5 replicas', () => holds('web', 5));
  await kubectl(['scale', 'rc', 'web', '--replicas=2']);
  await waitFor('2 replicas', () => holds('web', 2));
  const scale = await client.getSubresource<{ spec: { replicas: number }; status: { replicas: number; selector: string } }>(
    replicationControllersRef, 'web', 'scale', { namespace: 'default' });
  assert.deepEqual({ spec: scale.spec, status: scale.status }, { spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=web' } });
  await waitFor('SuccessfulDelete events', async () => {
    const list = await client.list<Event>(eventsRef, { namespace: 'default' });
    return list.items.filter((e) => e.involvedObject.kind === 'ReplicationController' && e.reason === 'SuccessfulDelete').length === 3;
  });
});

test('an RC replaces a deleted pod', async () => {
  const [victim] = await livePods('web');
  await kubectl(['delete', 'pod', victim.metadata!.name!]);
  await waitFor('replaced', async () => {
    const rc = await holds('web', 2);
    const pods = await livePods('web');
    return rc && !pods.some((p) => p.metadata?.uid === victim.metadata?.uid);
  });
});

test('validation: a selector the template labels do not match is refused with 422', async () => {
  const bad = manifest.replace('name: web}', 'name: bad}').replace('replicas: 3', 'replicas: 1\n  selector: {app: other}');
  const r = await s.kubectl(['create', '-f', '-'], { stdin: bad });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /ReplicationController "bad" is invalid: spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
});
