// Workload controllers end to end: a real API server, simulated nodes, the scheduler, and the ReplicaSet and
// Deployment controllers; driven by real kubectl. Waits on conditions only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { InformerFactory, RestClient } from '../../src/client/index.ts';
import { startScheduler } from '../../src/control-plane/scheduler/index.ts';
import { startSimNodes } from '../../src/sim/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { deploymentsRef } from '../../src/control-plane/controllers/deployment.ts';
import { podsRef, replicaSetsRef } from '../../src/control-plane/controllers/replicaset.ts';
import { podTemplateHashLabel, revisionAnnotation } from '../../src/control-plane/controllers/deployment-util.ts';
import { controllerRefOf, isPodReady } from '../../src/control-plane/controllers/replicaset-pods.ts';
import { type TestServer, startTestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

let s: TestServer;
let client: RestClient;
const ctl = new AbortController();
let cmDone: Promise<void>;
let schedDone: Promise<void>;

before(async () => {
  s = await startTestServer();
  client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  const sim = await startSimNodes({ client, count: 3, signal: ctl.signal, heartbeatIntervalMs: 1000 });
  assert.equal(sim.names.length, 3);
  schedDone = (await startScheduler({ client, signal: ctl.signal, leaderElect: false })).done;
  const cm = await startControllerManager({ client, signal: ctl.signal, controllers: ['replicaset', 'deployment'], leaderElection: false });
  cmDone = cm.done;
});

after(async () => {
  ctl.abort();
  await Promise.all([cmDone, schedDone]);
  client.close();
  await s.stop();
});

async function kubectl(args: string[]): Promise<string> {
  const r = await s.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const getDeployment = (name: string): Promise<Deployment> => client.get<Deployment>(deploymentsRef, name, { namespace: 'default' });

async function ownedReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
  const list = await client.list<ReplicaSet>(replicaSetsRef, { namespace: 'default' });
  return list.items.filter((rs) => controllerRefOf(rs)?.uid === d.metadata?.uid);
}

async function activePods(selector: string): Promise<Pod[]> {
  const list = await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: selector });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

async function rolledOut(name: string, replicas: number): Promise<Deployment | undefined> {
  const d = await getDeployment(name);
  const st = d.status ?? {};
  const done = (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && st.updatedReplicas === replicas &&
    st.replicas === replicas && st.availableReplicas === replicas;
  return done ? d : undefined;
}

test('deployment of 4 replicas: hash-named ReplicaSet, labelled pods, events, rollout status', async () => {
  await kubectl(['create', 'deployment', 'web', '--image=img:a', '--replicas=4']);
  const d = await waitFor('web rolled out', () => rolledOut('web', 4));
  const [rs] = await ownedReplicaSets(d);
  const hash = rs.metadata?.labels?.[podTemplateHashLabel];
  assert.ok(hash, 'ReplicaSet labelled with pod-template-hash');
  assert.equal(rs.metadata?.name, `web-${hash}`);
  assert.equal(rs.metadata?.annotations?.[revisionAnnotation], '1');
  assert.equal(d.metadata?.annotations?.[revisionAnnotation], '1');
  const ref = controllerRefOf(rs)!;
  assert.equal(ref.kind, 'Deployment');
  assert.equal(ref.blockOwnerDeletion, true);
  const pods = await activePods('app=web');
  assert.equal(pods.length, 4);
  for (const p of pods) {
    assert.equal(p.metadata?.labels?.[podTemplateHashLabel], hash);
    assert.match(p.metadata?.name ?? '', new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
    assert.equal(controllerRefOf(p)?.uid, rs.metadata?.uid);
  }
  assert.equal(new Set(pods.map((p) => p.spec?.nodeName)).size, 3, 'spread over the 3 nodes');
  const conds = Object.fromEntries((d.status?.conditions ?? []).map((c) => [c.type, c.reason]));
  assert.deepEqual(conds, { Available: 'MinimumReplicasAvailable', Progressing: 'NewReplicaSetAvailable' });

  const described = await kubectl(['describe', 'deployment', 'web']);
  assert.match(described, new RegExp(`NewReplicaSet:\\s+${rs.metadata?.name} \\(4/4 replicas created\\)`));
  assert.match(described, /Replicas:\s+4 desired \| 4 updated \| 4 total \| 4 available \| 0 unavailable/);
  const status = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  assert.match(status, /deployment "web" successfully rolled out/);
  const events = await waitFor('events', async () => {
    const list = await client.list<Event>({ group: '', version: 'v1', resource: 'events', namespaced: true } as never, { namespace: 'default' });
    const msgs = list.items.map((e) => `${e.reason}: ${e.message}`);
    return msgs.some((m) => m.startsWith('SuccessfulCreate: Created pod: web-')) && msgs.includes(`ScalingReplicaSet: Scaled up replica set ${rs.metadata?.name} from 0 to 4`) ? msgs : undefined;
  });
  assert.ok(events.length >= 5);
});

test('kubectl scale deployment up and down', async () => {
  await kubectl(['scale', 'deployment', 'web', '--replicas=6']);
  await waitFor('6 pods', async () => (await rolledOut('web', 6)) && (await activePods('app=web')).length === 6);
  await kubectl(['scale', 'deployment', 'web', '--replicas=2']);
  await waitFor('2 pods', async () => (await rolledOut('web', 2)) && (await activePods('app=web')).length === 2);
  await kubectl(['scale', 'deployment', 'web', '--replicas=4']);
  await waitFor('4 pods', async () => (await rolledOut('web', 4)) && (await activePods('app=web')).length === 4);
  const [rs] = await ownedReplicaSets(await getDeployment('web'));
  await waitFor('scale events', async () => {
    const list = await client.list<Event>({ group: '', version: 'v1', resource: 'events', namespaced: true } as never, { namespace: 'default' });
    const msgs = list.items.map((e) => `${e.reason}: ${e.message}`);
    return msgs.includes(`ScalingReplicaSet: Scaled up replica set ${rs.metadata?.name} from 4 to 6`) &&
      msgs.includes(`ScalingReplicaSet: Scaled down replica set ${rs.metadata?.name} from 6 to 2`) &&
      msgs.some((m) => m.startsWith(`SuccessfulDelete: Deleted pod: ${rs.metadata?.name}-`));
  });
});

/** Watches the deployment's ReplicaSets and pods and records every violation of the rolling-update bounds. */
async function watchBounds(name: string, replicas: number, surge: number, unavailable: number, signal: AbortSignal): Promise<{ violations: string[]; steps: number }> {
  const factory = new InformerFactory(client, { namespace: 'default' });
  const rsInf = factory.informerFor<ReplicaSet>(replicaSetsRef);
  const podInf = factory.informerFor<Pod>(podsRef, { labelSelector: `app=${name}` });
  const out = { violations: [] as string[], steps: 0 };
  const check = (): void => {
    if (!rsInf.hasSynced() || !podInf.hasSynced()) return;
    out.steps++;
    const rss = rsInf.lister.list('default').filter((rs) => rs.metadata?.name?.startsWith(`${name}-`));
    const specSum = rss.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
    const pods = podInf.lister.list('default').filter((p) => !p.metadata?.deletionTimestamp);
    const ready = pods.filter(isPodReady).length;
    if (specSum > replicas + surge) out.violations.push(`ReplicaSets want ${specSum} pods > ${replicas}+${surge}`);
    if (ready < replicas - unavailable) out.violations.push(`only ${ready} ready pods < ${replicas}-${unavailable}`);
  };
  for (const inf of [rsInf, podInf]) inf.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  factory.start(signal);
  await Promise.all([rsInf.synced, podInf.synced]);
  check();
  return out;
}

test('rolling update from image a to b stays within maxSurge/maxUnavailable at every observed step', async () => {
  await kubectl(['patch', 'deployment', 'web', '-p', '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":1}}}}']);
  await waitFor('web settled', () => rolledOut('web', 4));
  const watch = new AbortController();
  try {
    const bounds = await watchBounds('web', 4, 1, 1, watch.signal);
    await kubectl(['set', 'image', 'deployment/web', 'img=img:b']);
    await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const d = await waitFor('web on image b', () => rolledOut('web', 4));
    assert.deepEqual(bounds.violations, []);
    assert.ok(bounds.steps > 4, `observed ${bounds.steps} steps`);
    const rss = await ownedReplicaSets(d);
    assert.equal(rss.length, 2);
    const current = rss.find((rs) => rs.spec?.template?.spec?.containers[0].image === 'img:b')!;
    const old = rss.find((rs) => rs.spec?.template?.spec?.containers[0].image === 'img:a')!;
    assert.equal(current.spec?.replicas, 4);
    assert.equal(old.spec?.replicas, 0);
    assert.equal(current.metadata?.annotations?.[revisionAnnotation], '2');
    assert.equal(d.metadata?.annotations?.[revisionAnnotation], '2');
    const pods = await waitFor('old pods gone', async () => {
      const p = await activePods('app=web');
      return p.length === 4 && p.every((x) => x.spec?.containers[0].image === 'img:b') ? p : undefined;
    });
    assert.equal(pods.length, 4);
  } finally {
    watch.abort();
  }
});

test('kubectl rollout history, undo restores the old template, pause/resume, restart', async () => {
  const history = await kubectl(['rollout', 'history', 'deployment/web']);
  assert.match(history, /REVISION\s+CHANGE-CAUSE\s*\n1\s+<none>\s*\n2\s+<none>/);
  const rev1 = await kubectl(['rollout', 'history', 'deployment/web', '--revision=1']);
  assert.match(rev1, /Image:\s+img:a/);

  await kubectl(['rollout', 'undo', 'deployment/web']);
  await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  let d = await waitFor('back on image a', async () => {
    const x = await rolledOut('web', 4);
    return x?.spec?.template?.spec?.containers[0].image === 'img:a' ? x : undefined;
  });
  let rss = await ownedReplicaSets(d);
  assert.equal(rss.length, 2, 'the old ReplicaSet was reused, not a new one made');
  const restored = rss.find((rs) => rs.spec?.template?.spec?.containers[0].image === 'img:a')!;
  assert.equal(restored.spec?.replicas, 4);
  assert.equal(restored.metadata?.annotations?.[revisionAnnotation], '3');
  assert.equal(restored.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  await waitFor('pods back on a', async () => {
    const p = await activePods('app=web');
    return p.length === 4 && p.every((x) => x.spec?.containers[0].image === 'img:a');
  });

  // paused: a template change makes no new ReplicaSet until resume
  await kubectl(['rollout', 'pause', 'deployment/web']);
  await waitFor('paused condition', async () => (await getDeployment('web')).status?.conditions?.some((c) => c.reason === 'DeploymentPaused'));
  await kubectl(['set', 'image', 'deployment/web', 'img=img:c']);
  await waitFor('observed while paused', async () => {
    const x = await getDeployment('web');
    return (x.status?.observedGeneration ?? 0) >= (x.metadata?.generation ?? 0);
  });
  d = await getDeployment('web');
  assert.equal((await ownedReplicaSets(d)).length, 2);
  await kubectl(['rollout', 'resume', 'deployment/web']);
  await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  d = await waitFor('on image c', async () => {
    const x = await rolledOut('web', 4);
    return x?.spec?.template?.spec?.containers[0].image === 'img:c' ? x : undefined;
  });
  rss = await ownedReplicaSets(d);
  assert.equal(rss.length, 3);

  await kubectl(['rollout', 'restart', 'deployment/web']);
  await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  d = await waitFor('restarted', () => rolledOut('web', 4));
  assert.ok(d.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);
  assert.equal((await ownedReplicaSets(d)).length, 4);
  assert.equal(d.metadata?.annotations?.[revisionAnnotation], '5');
});

test('revisionHistoryLimit deletes the oldest scaled-down ReplicaSets', async () => {
  await kubectl(['patch', 'deployment', 'web', '-p', '{"spec":{"revisionHistoryLimit":1}}']);
  const d = await getDeployment('web');
  await waitFor('one old ReplicaSet kept', async () => (await ownedReplicaSets(d)).length === 2);
  const revs = (await ownedReplicaSets(d)).map((rs) => rs.metadata?.annotations?.[revisionAnnotation]).sort();
  assert.deepEqual(revs, ['4', '5']);
});

test('kubectl scale --replicas=6 replicaset x, adoption of orphans and release of relabelled pods', async () => {
  const manifest = JSON.stringify({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'myapp-replicaset', namespace: 'default' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'myapp' } }, template: { metadata: { labels: { app: 'myapp' } }, spec: { containers: [{ name: 'c', image: 'img:a' }] } } },
  });
  const r = await s.kubectl(['apply', '-f', '-'], { stdin: manifest });
  assert.equal(r.code, 0, r.stderr);
  const readyRS = async (n: number) => {
    const rs = await client.get<ReplicaSet>(replicaSetsRef, 'myapp-replicaset', { namespace: 'default' });
    return rs.status?.readyReplicas === n && rs.status.replicas === n && rs.status.availableReplicas === n &&
      rs.status.fullyLabeledReplicas === n && rs.status.observedGeneration === rs.metadata?.generation ? rs : undefined;
  };
  await waitFor('3 ready', () => readyRS(3));
  await kubectl(['scale', '--replicas=6', 'replicaset', 'myapp-replicaset']);
  const rs = await waitFor('6 ready', () => readyRS(6));
  assert.equal((await activePods('app=myapp')).length, 6);

  // a pod relabelled out of the selector is released and replaced
  const victim = (await activePods('app=myapp'))[0].metadata!.name!;
  await kubectl(['label', 'pod', victim, 'app=other', '--overwrite']);
  await waitFor('released', async () => {
    const p = await client.get<Pod>(podsRef, victim, { namespace: 'default' });
    return !controllerRefOf(p);
  });
  await waitFor('replaced', async () => (await activePods('app=myapp')).length === 6 && (await readyRS(6)));
  // relabelled back, it is adopted; the set is one too many and scales down to 6
  await kubectl(['label', 'pod', victim, 'app=myapp', '--overwrite']);
  await waitFor('back to 6 owned', async () => {
    const pods = await activePods('app=myapp');
    return pods.length === 6 && pods.every((p) => controllerRefOf(p)?.uid === rs.metadata?.uid);
  });
  await kubectl(['scale', '--replicas=1', 'replicaset', 'myapp-replicaset']);
  await waitFor('1 ready', () => readyRS(1));
});

test('Recreate: old pods are all gone before any new pod exists', async () => {
  const apply = (image: string) => s.kubectl(['apply', '-f', '-'], {
    stdin: JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'rec', namespace: 'default' },
      spec: {
        replicas: 3, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'rec' } },
        template: { metadata: { labels: { app: 'rec' } }, spec: { containers: [{ name: 'c', image }] } },
      },
    }),
  });
  assert.equal((await apply('img:a')).code, 0);
  await waitFor('rec rolled out', () => rolledOut('rec', 3));
  const watch = new AbortController();
  const factory = new InformerFactory(client, { namespace: 'default' });
  const pods = factory.informerFor<Pod>(podsRef, { labelSelector: 'app=rec' });
  const overlaps: string[] = [];
  const check = (): void => {
    const images = new Set(pods.lister.list('default').map((p) => p.spec?.containers[0].image));
    if (images.size > 1) overlaps.push([...images].join(' + '));
  };
  pods.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  factory.start(watch.signal);
  try {
    await pods.synced;
    assert.equal((await apply('img:b')).code, 0);
    await kubectl(['rollout', 'status', 'deployment/rec', '--timeout=60s']);
    await waitFor('rec on b', async () => {
      const d = await rolledOut('rec', 3);
      const p = await activePods('app=rec');
      return d && p.length === 3 && p.every((x) => x.spec?.containers[0].image === 'img:b');
    });
    assert.deepEqual(overlaps, []);
  } finally {
    watch.abort();
  }
});

test('progressDeadlineSeconds: a rollout that cannot progress is ProgressDeadlineExceeded and rollout status fails', async () => {
  const r = await s.kubectl(['apply', '-f', '-'], {
    stdin: JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'stuck', namespace: 'default' },
      spec: {
        replicas: 2, progressDeadlineSeconds: 2, selector: { matchLabels: { app: 'stuck' } },
        // no node carries this label: the pods stay Pending and never become ready
        template: { metadata: { labels: { app: 'stuck' } }, spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'c', image: 'img:a' }] } },
      },
    }),
  });
  assert.equal(r.code, 0, r.stderr);
  const d = await waitFor('deadline exceeded', async () => {
    const x = await getDeployment('stuck');
    return x.status?.conditions?.find((c) => c.type === 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
  });
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  assert.equal(progressing?.status, 'False');
  assert.match(progressing?.message ?? '', /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
  assert.equal(d.status?.conditions?.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasUnavailable');
  const st = await s.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=20s']);
  assert.notEqual(st.code, 0);
  assert.match(st.stderr, /deployment "stuck" exceeded its progress deadline/);
});

test('minReadySeconds: pods count as available only after being ready that long', async () => {
  const rsFor = (minReadySeconds: number) => JSON.stringify({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'slow', namespace: 'default' },
    spec: { replicas: 2, minReadySeconds, selector: { matchLabels: { app: 'slow' } }, template: { metadata: { labels: { app: 'slow' } }, spec: { containers: [{ name: 'c', image: 'img:a' }] } } },
  });
  // An hour is longer than any test run: the status that reports both pods ready must report none available,
  // however slow the machine.
  const r = await s.kubectl(['apply', '-f', '-'], { stdin: rsFor(3600) });
  assert.equal(r.code, 0, r.stderr);
  const get = () => client.get<ReplicaSet>(replicaSetsRef, 'slow', { namespace: 'default' });
  const ready = await waitFor('2 ready', async () => {
    const rs = await get();
    return rs.status?.readyReplicas === 2 ? rs : undefined;
  });
  assert.equal(ready.status?.availableReplicas ?? 0, 0, 'ready for less than minReadySeconds is not available');
  // Lowered to 2 s, the pods become available once they have been ready for 2 s, and not before.
  const readySince = Math.max(...(await activePods('app=slow')).map((p) => Date.parse(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '')));
  assert.ok(Number.isFinite(readySince), 'pods carry a Ready transition time');
  const lowered = await s.kubectl(['apply', '-f', '-'], { stdin: rsFor(2) });
  assert.equal(lowered.code, 0, lowered.stderr);
  const later = await waitFor('2 available', async () => {
    const rs = await get();
    return rs.status?.availableReplicas === 2 ? rs : undefined;
  });
  // observed after the controller wrote it, so this holds on any machine unless the controller counted too early
  assert.ok(Date.now() >= readySince + 2000, `available ${Date.now() - readySince} ms after ready, before minReadySeconds`);
  assert.equal(later.status?.readyReplicas, 2);
});
