// The whole control loop around a node failure: a Deployment's pods spread over 3 simulated nodes by the real
// scheduler; one node stops heartbeating; the node lifecycle controller marks it Unknown and taints it; the taint
// eviction controller deletes its pod after the pod's 2 s toleration; the ReplicaSet controller replaces it and the
// scheduler places the replacement on a live node (the dead one is tainted NoSchedule too).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { startScheduler } from '../../src/control-plane/scheduler/index.ts';
import { type SimNodes, startSimNodes } from '../../src/sim/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const pods = resourceRef('v1', 'pods');
const nodes = resourceRef('v1', 'nodes', false);

describe('node failure: pods are recreated elsewhere after their toleration', () => {
  let s: TestServer;
  let client: RestClient;
  let sim: SimNodes;
  const ac = new AbortController();
  const stopped: Promise<void>[] = [];

  before(async () => {
    s = await startTestServer();
    client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'failover-test', qps: 0 });
    sim = await startSimNodes({ client, count: 3, signal: ac.signal, heartbeatIntervalMs: 500 });
    const cm = await startControllerManager({
      client, signal: ac.signal, leaderElection: false,
      controllers: ['deployment', 'replicaset', 'garbage-collector', 'node-lifecycle', 'taint-eviction'],
      options: { nodeMonitorPeriodMs: 300, nodeMonitorGracePeriodMs: 3000, nodeStartupGracePeriodMs: 3000 },
    });
    const sched = await startScheduler({ client, signal: ac.signal, leaderElect: false });
    stopped.push(cm.done, sched.done);
  });
  after(async () => {
    ac.abort();
    await sim.stop();
    await Promise.all(stopped);
    client.close();
    await s.stop();
  });

  const live = async (): Promise<Pod[]> =>
    (await client.list<Pod>(pods, { namespace: 'default', labelSelector: 'app=failover' })).items.filter((p) => !p.metadata?.deletionTimestamp);

  test('a dead node\'s pod is evicted and replaced on a live node', async () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: failover}
spec:
  replicas: 3
  selector: {matchLabels: {app: failover}}
  template:
    metadata: {labels: {app: failover}}
    spec:
      containers: [{name: c, image: nginx}]
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
`;
    const r = await s.kubectl(['apply', '-f', '-'], { stdin: manifest });
    assert.equal(r.code, 0, r.stderr);
    const before = await waitFor('3 running pods', async () => {
      const l = await live();
      return l.length === 3 && l.every((p) => p.status?.phase === 'Running') ? l : undefined;
    });
    const victim = before[0].spec!.nodeName!;
    const victimPods = before.filter((p) => p.spec?.nodeName === victim).map((p) => p.metadata!.name!);

    sim.stopHeartbeat(victim);
    await waitFor('victim NotReady', async () =>
      (await client.get<Node>(nodes, victim)).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown');
    const after = await waitFor('3 running pods, none on the dead node', async () => {
      const l = await live();
      return l.length === 3 && l.every((p) => p.status?.phase === 'Running' && p.spec?.nodeName !== victim) ? l : undefined;
    });
    for (const name of victimPods) assert.ok(!after.some((p) => p.metadata?.name === name), `${name} still counted live`);
    // the evicted pod stays Terminating: its kubelet is dead and cannot confirm (as upstream, until the node returns)
    const old = await client.get<Pod>(pods, victimPods[0], { namespace: 'default' });
    assert.ok(old.metadata?.deletionTimestamp);
    const rollout = await s.kubectl(['rollout', 'status', 'deployment/failover', '--timeout=20s']);
    assert.equal(rollout.code, 0, rollout.stderr);
  });
});
