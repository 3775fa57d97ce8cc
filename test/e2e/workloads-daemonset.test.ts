// DaemonSets end to end: a real API server, simulated nodes, the scheduler, and the DaemonSet controller (plus
// pod GC for a node that goes away); driven by real kubectl. Placement is checked per node, the rolling update
// by watching pods: at no observed moment may more than maxUnavailable nodes lack a ready pod.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { InformerFactory, RestClient, resourceRef } from '../../src/client/index.ts';
import { startScheduler } from '../../src/control-plane/scheduler/index.ts';
import { type SimNodes, startSimNodes } from '../../src/sim/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { controllerRevisionsRef, daemonSetsRef, podsRef } from '../../src/control-plane/controllers/refs.ts';
import { controllerRefOf, isPodReady } from '../../src/control-plane/controllers/replicaset-pods.ts';
import { targetNodeOf } from '../../src/control-plane/controllers/daemonset-placement.ts';
import { type TestServer, startTestServer, kubectlOk } from '../support/server.ts';
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
  const cm = await startControllerManager({
    client, signal: ctl.signal, controllers: ['daemonset', 'pod-garbage-collector', 'garbage-collector'], leaderElection: false,
    options: { podGcPeriodMs: 300, podGcQuarantineMs: 300 },
  });
  cmDone = cm.done;
});

after(async () => {
  ctl.abort();
  await sim.stop();
  await Promise.all([cmDone, schedDone]);
  client.close();
  await s.stop();
});

const kubectl = (args: string[], stdin?: string, version?: string): Promise<string> => kubectlOk(s, args, { stdin, version });

const manifest = (name: string, image: string, extra = ''): string => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: agent, image: ${image}}]
${extra}`;

const getDs = (name: string): Promise<DaemonSet> => client.get<DaemonSet>(daemonSetsRef, name, { namespace: 'default' });

async function livePods(app: string): Promise<Pod[]> {
  const list = await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: `app=${app}` });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** The DaemonSet once its controller has caught up and every desired node runs an available, updated pod. */
async function settled(name: string, desired: number): Promise<DaemonSet | undefined> {
  const ds = await getDs(name);
  const st = ds.status;
  const ok = st && (st.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 1) && st.desiredNumberScheduled === desired &&
    st.currentNumberScheduled === desired && st.updatedNumberScheduled === desired && st.numberAvailable === desired &&
    st.numberReady === desired && (st.numberMisscheduled ?? 0) === 0;
  if (!ok) return undefined;
  const pods = await livePods(name);
  return pods.length === desired && pods.every((p) => p.spec?.nodeName && isPodReady(p)) ? ds : undefined;
}

async function eventMessages(): Promise<string[]> {
  const list = await client.list<Event>(eventsRef, { namespace: 'default' });
  return list.items.map((e) => `${e.reason}: ${e.message}`);
}

test('a DaemonSet lands exactly one pod on each of 3 nodes, through the scheduler', async () => {
  await kubectl(['apply', '-f', '-'], manifest('agent', 'img:a'), '1.33'); // 1.33 sends protobuf
  const ds = await waitFor('agent on 3 nodes', () => settled('agent', 3));
  const pods = await livePods('agent');
  assert.deepEqual(pods.map((p) => p.spec?.nodeName).sort(), ['sim-node-0', 'sim-node-1', 'sim-node-2']);
  for (const p of pods) {
    assert.equal(controllerRefOf(p)?.uid, ds.metadata?.uid);
    assert.match(p.metadata?.name ?? '', /^agent-[a-z0-9]{5}$/);
    // placed by the scheduler: the controller names the node in a required matchFields term
    const terms = p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    assert.deepEqual(terms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec?.nodeName] }] }]);
    const tolerations = (p.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
    for (const t of ['not-ready:NoExecute', 'unreachable:NoExecute', 'disk-pressure:NoSchedule', 'memory-pressure:NoSchedule', 'pid-pressure:NoSchedule', 'unschedulable:NoSchedule']) {
      assert.ok(tolerations.includes(`node.kubernetes.io/${t}`), `toleration ${t} in ${tolerations}`);
    }
    assert.ok(!tolerations.includes('node.kubernetes.io/network-unavailable:NoSchedule'), 'only for hostNetwork pods');
    assert.ok(p.metadata?.labels?.['controller-revision-hash']);
    assert.equal(p.metadata?.labels?.['pod-template-generation'], '1');
  }
  assert.deepEqual(ds.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec?.revisionHistoryLimit, 10);

  const table = await kubectl(['get', 'ds', 'agent']);
  assert.match(table, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n/);
  assert.match(table, /\nagent\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\d+s\n/);
  const wide = await kubectl(['get', 'daemonsets', 'agent', '-o', 'wide']);
  assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR\n/);
  assert.match(wide, /\sagent\s+img:a\s+app=agent\n/);
  const status = await kubectl(['rollout', 'status', 'ds/agent', '--timeout=30s']);
  assert.match(status, /daemon set "agent" successfully rolled out/);
  const described = await kubectl(['describe', 'ds', 'agent']);
  assert.match(described, /Desired Number of Nodes Scheduled: 3/);
  assert.match(described, /Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/);
  await waitFor('SuccessfulCreate events', async () => (await eventMessages()).filter((m) => m.startsWith('SuccessfulCreate: Created pod: agent-')).length === 3);
  const explained = await kubectl(['explain', 'daemonset.spec.updateStrategy.rollingUpdate']);
  assert.match(explained, /maxSurge\s+<IntOrString>/);
});

test('a fourth node joining gets a pod; a node removed loses it', async () => {
  const late = await startSimNodes({ client, count: 1, prefix: 'late', signal: ctl.signal, heartbeatIntervalMs: 1000 });
  try {
    await waitFor('agent on 4 nodes', () => settled('agent', 4));
    assert.ok((await livePods('agent')).some((p) => p.spec?.nodeName === 'late-0'));
  } finally {
    await late.stop();
  }
  await kubectl(['delete', 'node', 'late-0']);
  await waitFor('agent back on 3 nodes', () => settled('agent', 3));
  assert.ok(!(await livePods('agent')).some((p) => p.spec?.nodeName === 'late-0'));
});

test('NoSchedule taint keeps the running pod (not counted as desired); NoExecute removes it; untainted it returns', async () => {
  const before = (await livePods('agent')).find((p) => p.spec?.nodeName === 'sim-node-0')!;
  await kubectl(['taint', 'node', 'sim-node-0', 'dedicated=infra:NoSchedule']);
  // the controller has seen the taint once the node no longer counts as desired; the pod stays, as misscheduled
  await waitFor('NoSchedule observed', async () => {
    const st = (await getDs('agent')).status;
    return st?.desiredNumberScheduled === 2 && st.numberMisscheduled === 1;
  });
  const stayed = (await livePods('agent')).find((p) => p.spec?.nodeName === 'sim-node-0');
  assert.equal(stayed?.metadata?.uid, before.metadata?.uid, 'an untolerated NoSchedule taint does not evict the daemon pod');

  await kubectl(['taint', 'node', 'sim-node-0', 'evict=now:NoExecute']);
  await waitFor('pod gone from the NoExecute node', async () => {
    const st = (await getDs('agent')).status;
    const pods = await livePods('agent');
    return st?.desiredNumberScheduled === 2 && st.numberMisscheduled === 0 && pods.length === 2 && !pods.some((p) => p.spec?.nodeName === 'sim-node-0');
  });

  await kubectl(['taint', 'node', 'sim-node-0', 'dedicated-', 'evict-']);
  await waitFor('agent back on 3 nodes', () => settled('agent', 3));

  // a cordoned node still runs its daemon pod: the default toleration lets the scheduler place the replacement
  await kubectl(['cordon', 'sim-node-2']);
  try {
    const old = (await livePods('agent')).find((p) => p.spec?.nodeName === 'sim-node-2')!;
    await kubectl(['delete', 'pod', old.metadata!.name!]);
    await waitFor('replacement bound on the cordoned node', async () => {
      const pods = await livePods('agent');
      return (await settled('agent', 3)) && pods.some((p) => p.spec?.nodeName === 'sim-node-2' && p.metadata?.uid !== old.metadata?.uid);
    });
  } finally {
    await kubectl(['uncordon', 'sim-node-2']);
  }
});

/**
 * Watches the DaemonSet's pods; records the most nodes seen at once without a ready live pod, and the most at
 * once running a second pod that is not ready yet (a surge in progress).
 */
async function watchUnavailable(app: string, nodes: string[], signal: AbortSignal): Promise<{ max: number; maxDoubled: number; steps: number }> {
  const factory = new InformerFactory(client, { namespace: 'default' });
  const podInf = factory.informerFor<Pod>(podsRef, { labelSelector: `app=${app}` });
  const out = { max: 0, maxDoubled: 0, steps: 0 };
  const check = (): void => {
    if (!podInf.hasSynced()) return;
    out.steps++;
    const live = podInf.lister.list('default').filter((p) => !p.metadata?.deletionTimestamp);
    const unavailable = nodes.filter((n) => !live.some((p) => p.spec?.nodeName === n && isPodReady(p))).length;
    const doubled = nodes.filter((n) => {
      const here = live.filter((p) => targetNodeOf(p) === n);
      return here.length > 1 && !here.every(isPodReady);
    }).length;
    out.max = Math.max(out.max, unavailable);
    out.maxDoubled = Math.max(out.maxDoubled, doubled);
  };
  podInf.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  factory.start(signal);
  await podInf.synced;
  check();
  return out;
}

test('a rolling update replaces pods one node at a time; history and undo work through ControllerRevisions', async () => {
  await waitFor('agent settled', () => settled('agent', 3));
  const watch = new AbortController();
  try {
    const seen = await watchUnavailable('agent', ['sim-node-0', 'sim-node-1', 'sim-node-2'], watch.signal);
    await kubectl(['set', 'image', 'ds/agent', 'agent=img:b']);
    await kubectl(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    await waitFor('agent on img:b', async () => {
      const ds = await settled('agent', 3);
      const pods = await livePods('agent');
      return ds && pods.every((p) => p.spec?.containers[0].image === 'img:b');
    });
    assert.equal(seen.max, 1, 'exactly one node at a time was without a ready pod (maxUnavailable 1)');
    assert.equal(seen.maxDoubled, 0, 'no surge pods with maxSurge 0');
    assert.ok(seen.steps >= 6, `observed ${seen.steps} steps`);
  } finally {
    watch.abort();
  }
  const ds = await getDs('agent');
  const revisions = (await client.list<ControllerRevision>(controllerRevisionsRef, { namespace: 'default' })).items
    .filter((cr) => controllerRefOf(cr)?.uid === ds.metadata?.uid);
  assert.deepEqual(revisions.map((cr) => cr.revision).sort(), [1, 2]);
  const history = await kubectl(['rollout', 'history', 'ds/agent']);
  assert.match(history, /REVISION\s+CHANGE-CAUSE\s*\n1\s+<none>\s*\n2\s+<none>/);
  const crTable = await kubectl(['get', 'controllerrevisions']);
  assert.match(crTable, /NAME\s+CONTROLLER\s+REVISION\s+AGE\n/);
  assert.match(crTable, /agent-[a-z0-9]+\s+daemonset\.apps\/agent\s+2\s/);

  await kubectl(['rollout', 'undo', 'ds/agent']);
  await kubectl(['rollout', 'status', 'ds/agent', '--timeout=60s']);
  await waitFor('agent back on img:a', async () => {
    const x = await settled('agent', 3);
    const pods = await livePods('agent');
    return x && pods.every((p) => p.spec?.containers[0].image === 'img:a');
  });
  const after = (await client.list<ControllerRevision>(controllerRevisionsRef, { namespace: 'default' })).items
    .filter((cr) => controllerRefOf(cr)?.uid === ds.metadata?.uid);
  assert.deepEqual(after.map((cr) => cr.revision).sort(), [2, 3], 'the reused revision moved to the top');
  await waitFor('SuccessfulDelete events', async () => (await eventMessages()).some((m) => m.startsWith('SuccessfulDelete: Deleted pod: agent-')));
});

test('with maxSurge 1 / maxUnavailable 0 a new pod starts beside the old one: every node stays served', async () => {
  await kubectl(['patch', 'ds', 'agent', '--type=merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}']);
  await waitFor('agent settled', () => settled('agent', 3));
  const watch = new AbortController();
  try {
    const seen = await watchUnavailable('agent', ['sim-node-0', 'sim-node-1', 'sim-node-2'], watch.signal);
    await kubectl(['set', 'image', 'ds/agent', 'agent=img:s']);
    await kubectl(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    await waitFor('agent on img:s', async () => {
      const ds = await settled('agent', 3);
      const pods = await livePods('agent');
      return ds && pods.every((p) => p.spec?.containers[0].image === 'img:s');
    });
    assert.equal(seen.max, 0, 'no node was ever without a ready pod');
    assert.equal(seen.maxDoubled, 1, 'one node at a time waited for its surge pod (maxSurge 1)');
  } finally {
    watch.abort();
  }
  await kubectl(['patch', 'ds', 'agent', '--type=merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"maxSurge":0,"maxUnavailable":1}}}}']);
  await kubectl(['rollout', 'undo', 'ds/agent']);
  await waitFor('back on img:a', async () => (await settled('agent', 3)) && (await livePods('agent')).every((p) => p.spec?.containers[0].image === 'img:a'));
});

test('OnDelete: a template change replaces only the pods someone deletes', async () => {
  await kubectl(['patch', 'ds', 'agent', '--type=merge', '-p', '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}']);
  await kubectl(['set', 'image', 'ds/agent', 'agent=img:c']);
  const gen = (await getDs('agent')).metadata?.generation ?? 0;
  await waitFor('new template observed', async () => {
    const st = (await getDs('agent')).status;
    return (st?.observedGeneration ?? 0) >= gen && (st?.updatedNumberScheduled ?? 0) === 0 && st?.desiredNumberScheduled === 3;
  });
  assert.ok((await livePods('agent')).every((p) => p.spec?.containers[0].image === 'img:a'), 'OnDelete leaves running pods alone');
  const victim = (await livePods('agent')).find((p) => p.spec?.nodeName === 'sim-node-1')!;
  await kubectl(['delete', 'pod', victim.metadata!.name!]);
  await waitFor('replacement on img:c', async () => {
    const pods = await livePods('agent');
    const onNode = pods.filter((p) => p.spec?.nodeName === 'sim-node-1');
    return onNode.length === 1 && onNode[0].spec?.containers[0].image === 'img:c' && isPodReady(onNode[0]);
  });
  const others = (await livePods('agent')).filter((p) => p.spec?.nodeName !== 'sim-node-1');
  assert.ok(others.every((p) => p.spec?.containers[0].image === 'img:a'));
  const r = await s.kubectl(['rollout', 'status', 'ds/agent', '--timeout=5s']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /rollout status is only available for RollingUpdate strategy type/);
});

test('orphaned pods and revisions are adopted by a new DaemonSet with the same selector; a cascading delete removes them', async () => {
  await kubectl(['patch', 'ds', 'agent', '--type=merge', '-p', '{"spec":{"updateStrategy":{"type":"RollingUpdate"}}}']);
  await waitFor('agent settled', () => settled('agent', 3));
  const uids = new Set((await livePods('agent')).map((p) => p.metadata?.uid));
  await kubectl(['delete', 'ds', 'agent', '--cascade=orphan']);
  await waitFor('pods orphaned', async () => {
    const pods = await livePods('agent');
    return pods.length === 3 && pods.every((p) => !controllerRefOf(p));
  });
  await kubectl(['apply', '-f', '-'], manifest('agent', 'img:c'));
  const ds = await waitFor('adopted and settled', async () => {
    const d = await settled('agent', 3);
    const pods = await livePods('agent');
    return d && pods.every((p) => controllerRefOf(p)?.uid === d.metadata?.uid && p.spec?.containers[0].image === 'img:c') ? d : undefined;
  });
  // the same template: every orphan was adopted as up to date, none replaced
  assert.equal((await livePods('agent')).filter((p) => uids.has(p.metadata?.uid)).length, 3);
  const revisions = (await client.list<ControllerRevision>(controllerRevisionsRef, { namespace: 'default' })).items;
  assert.ok(revisions.length >= 2 && revisions.every((cr) => controllerRefOf(cr)?.uid === ds.metadata?.uid), 'old revisions adopted');

  await kubectl(['delete', 'ds', 'agent']);
  await waitFor('pods and revisions collected', async () => {
    const crs = await client.list<ControllerRevision>(controllerRevisionsRef, { namespace: 'default' });
    return (await livePods('agent')).length === 0 && crs.items.length === 0;
  });
});

test('a failed daemon pod is deleted and replaced (FailedDaemonPod), each time after a per-node backoff of 1 s doubling', async () => {
  await kubectl(['apply', '-f', '-'], manifest('flaky', 'img:f'));
  await waitFor('flaky on 3 nodes', () => settled('flaky', 3));
  const failed: string[] = [];
  // The pod on sim-node-1 fails as soon as it runs (as a kubelet rejecting it would make it), three times over.
  for (let i = 0; i < 3; i++) {
    const pod = await waitFor(`a running flaky pod on sim-node-1 (#${i + 1})`, async () =>
      (await livePods('flaky')).find((p) => targetNodeOf(p) === 'sim-node-1' && p.status?.phase === 'Running' && !failed.includes(p.metadata?.name ?? '')), 30_000, 20);
    await client.updateStatus(podsRef, { ...pod, status: { ...pod.status, phase: 'Failed', reason: 'Rejected' } }, { namespace: 'default' });
    failed.push(pod.metadata!.name!);
  }
  const events = await waitFor('three FailedDaemonPod events', async () => {
    const list = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.filter((e) => e.reason === 'FailedDaemonPod');
    return list.length === 3 ? list : undefined;
  }, 30_000);
  const at = (pod: string): number => {
    const e = events.find((ev) => ev.message === `Found failed daemon pod default/${pod} on node sim-node-1, will try to kill it`);
    assert.ok(e, `FailedDaemonPod for ${pod}: ${events.map((ev) => ev.message)}`);
    // an Event's name ends in the hex nanosecond time the recorder saw it (upstream's naming): a sub-second clock
    return Number(BigInt(`0x${e.metadata!.name!.split('.').pop()}`) / 1_000_000n);
  };
  const [a, b, c] = failed.map(at);
  assert.ok(b - a >= 990, `the second failed pod went ${b - a} ms after the first (backoff 1 s)`);
  assert.ok(c - b >= 1990, `the third failed pod went ${c - b} ms after the second (backoff 2 s)`);
  await waitFor('flaky settled again', () => settled('flaky', 3));
  await kubectl(['delete', 'ds', 'flaky']);
  await waitFor('flaky pods gone', async () => (await livePods('flaky')).length === 0);
});
