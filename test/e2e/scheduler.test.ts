// kube-scheduler against a real API server with simulated nodes, checked with real kubectl: pods spread over nodes,
// nodeSelector and taints/tolerations are honoured, a pod too big for every node stays Pending with upstream's
// FailedScheduling message, and a pending pod is placed once a fitting node appears.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestServer, type TestServer } from '../support/server.ts';
import { HttpTransport, RestClient, loadKubeconfig } from '../../src/client/index.ts';
import { FaultTransport } from '../../src/client/testing/fault-transport.ts';
import { startSimNodes, podsRef, type SimNodes } from '../../src/sim/index.ts';
import { startScheduler, type RunningScheduler } from '../../src/control-plane/scheduler/index.ts';
import { waitFor } from '../support/wait.ts';

function podYaml(name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '64Mi' } } }], ...spec },
  });
}

describe('kube-scheduler with simulated nodes', () => {
  let s: TestServer;
  let client: RestClient;
  let sim: SimNodes;
  const ctl = new AbortController();
  let scheduler: Promise<void>;
  let running: RunningScheduler;
  const leaderCtl = new AbortController();

  before(async () => {
    s = await startTestServer();
    client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
    sim = await startSimNodes({
      client, count: 3, prefix: 'kwok', signal: ctl.signal, capacity: { cpu: '4', memory: '8Gi' },
      labels: (_n, i) => ({ disk: i === 1 ? 'ssd' : 'hdd' }),
      taints: (_n, i) => (i === 2 ? [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] : []),
    });
    running = await startScheduler({ client, signal: AbortSignal.any([ctl.signal, leaderCtl.signal]), identity: 'first', retryPeriodSeconds: 1, renewDeadlineSeconds: 5, leaseDurationSeconds: 8 });
    scheduler = running.done;
    await waitFor('first scheduler leading', async () => running.current() !== undefined);
  });

  after(async () => {
    ctl.abort();
    await scheduler;
    await sim.stop();
    client.close();
    await s.stop();
  });

  const nodeOf = async (name: string): Promise<string> => waitFor(`${name} bound`, async () => {
    const p = await client.get<Pod>(podsRef, name, { namespace: 'default' });
    return p.spec?.nodeName;
  });

  test('a deployment of 4 replicas spreads over the two untainted nodes and runs', async () => {
    const r = await s.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=4']);
    assert.equal(r.code, 0, r.stderr);
    // no controller-manager here: create the 4 pods as a ReplicaSet would, with a controller owner for spreading
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: '00000000-0000-0000-0000-0000000000aa', controller: true };
    for (let i = 0; i < 4; i++) {
      await client.create<Pod>(podsRef, {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web' }, ownerReferences: [owner] },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      });
    }
    const nodes = await Promise.all([0, 1, 2, 3].map((i) => nodeOf(`web-${i}`)));
    assert.deepEqual([...new Set(nodes)].sort(), ['kwok-0', 'kwok-1'], `placed on ${nodes.join(',')}`);
    assert.equal(nodes.filter((n) => n === 'kwok-0').length, 2);
    await waitFor('pods running', async () => {
      const out = await s.kubectl(['get', 'pods', '-l', 'app=web', '--no-headers']);
      return out.stdout.trim().split('\n').filter((l) => /\bRunning\b/.test(l)).length === 4;
    });
    const ev = await s.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web-0,reason=Scheduled', '-o', 'jsonpath={.items[*].message}']);
    assert.match(ev.stdout, /^Successfully assigned default\/web-0 to kwok-[01]$/);
  });

  test('nodeSelector and tolerations are honoured', async () => {
    let r = await s.kubectl(['apply', '-f', '-'], { stdin: podYaml('on-ssd', { nodeSelector: { disk: 'ssd' } }) });
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['apply', '-f', '-'], {
      stdin: podYaml('on-gpu', { nodeSelector: { 'kubernetes.io/hostname': 'kwok-2' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await nodeOf('on-ssd'), 'kwok-1');
    assert.equal(await nodeOf('on-gpu'), 'kwok-2');
  });

  test('a pod bigger than every node stays Pending with the upstream FailedScheduling message', async () => {
    const r = await s.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'huge' },
      spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '64' } } }] },
    }) });
    assert.equal(r.code, 0, r.stderr);
    const want = '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    const pod = await waitFor('PodScheduled=False', async () => {
      const p = await client.get<Pod>(podsRef, 'huge', { namespace: 'default' });
      return p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ? p : undefined;
    });
    const cond = pod.status!.conditions!.find((c) => c.type === 'PodScheduled')!;
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, want);
    assert.equal(pod.status?.phase, 'Pending');
    const described = await waitFor('FailedScheduling in describe', async () => {
      const d = await s.kubectl(['describe', 'pod', 'huge']);
      return d.stdout.includes('FailedScheduling') ? d.stdout : undefined;
    });
    assert.match(described, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: gpu\}, 2 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 Preemption is not helpful for scheduling\./);
    const ev = await s.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=huge', '-o', 'jsonpath={.items[*].reason}']);
    assert.match(ev.stdout, /FailedScheduling/);
  });

  test('a pending pod is scheduled once a fitting node appears', async () => {
    const r = await s.kubectl(['apply', '-f', '-'], { stdin: podYaml('wants-fast', { nodeSelector: { disk: 'nvme' } }) });
    assert.equal(r.code, 0, r.stderr);
    await waitFor('wants-fast unschedulable', async () => {
      const p = await client.get<Pod>(podsRef, 'wants-fast', { namespace: 'default' });
      return p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.message?.includes("didn't match Pod's node affinity/selector"));
    });
    const more = await startSimNodes({ client, count: 1, prefix: 'fast', signal: ctl.signal, labels: { disk: 'nvme' } });
    try {
      assert.equal(await nodeOf('wants-fast'), 'fast-0');
      await waitFor('wants-fast running', async () => (await client.get<Pod>(podsRef, 'wants-fast', { namespace: 'default' })).status?.phase === 'Running');
    } finally {
      await more.stop();
    }
  });

  test('a pod parked for lack of cpu is scheduled when a pod on its node is deleted', async () => {
    const pinned = (name: string, cpu: string) => JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { nodeSelector: { 'kubernetes.io/hostname': 'kwok-0' }, containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }] },
    });
    assert.equal((await s.kubectl(['apply', '-f', '-'], { stdin: pinned('hog', '3500m') })).code, 0);
    assert.equal(await nodeOf('hog'), 'kwok-0');
    assert.equal((await s.kubectl(['apply', '-f', '-'], { stdin: pinned('waiter', '1') })).code, 0);
    await waitFor('waiter parked', async () => {
      const p = await client.get<Pod>(podsRef, 'waiter', { namespace: 'default' });
      return p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.message?.includes('Insufficient cpu'));
    });
    const del = await s.kubectl(['delete', 'pod', 'hog', '--wait=true', '--timeout=20s']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(await nodeOf('waiter'), 'kwok-0');
  });

  test('scheduling gates hold a pod back', async () => {
    const r = await s.kubectl(['apply', '-f', '-'], { stdin: podYaml('gated', { schedulingGates: [{ name: 'example.com/wait' }] }) });
    assert.equal(r.code, 0, r.stderr);
    const pod = await waitFor('SchedulingGated', async () => {
      const p = await client.get<Pod>(podsRef, 'gated', { namespace: 'default' });
      return p.status?.conditions?.some((c) => c.reason === 'SchedulingGated') ? p : undefined;
    });
    assert.equal(pod.spec?.nodeName, undefined);
    // (removing the gate needs the API server to allow that pod update, which it does not yet)
  });

  test('a second scheduler waits for the lease and takes over when the leader stops', async () => {
    // the standby's own client, through a transport that shows when its first try for the lease has finished
    const cfg = loadKubeconfig(s.kubeconfig);
    const wire = new FaultTransport(new HttpTransport(cfg));
    const standbyClient = new RestClient({ ...cfg, qps: 0, transport: wire });
    const second = await startScheduler({ client: standbyClient, signal: ctl.signal, identity: 'second', retryPeriodSeconds: 1, renewDeadlineSeconds: 5, leaseDurationSeconds: 8 });
    await waitFor('the standby read the held lease', () =>
      wire.requests.some((r) => r.method === 'GET' && r.path.endsWith('/leases/kube-scheduler')) && wire.inFlight() === 0);
    assert.equal(wire.requests.filter((r) => r.method !== 'GET').length, 0, 'the standby writes nothing while the lease is held');
    assert.equal(second.current(), undefined, 'the standby must not schedule');
    const lease = await s.kubectl(['get', 'lease', '-n', 'kube-system', 'kube-scheduler', '-o', 'jsonpath={.spec.holderIdentity}']);
    assert.equal(lease.stdout, 'first');
    leaderCtl.abort(); // the first scheduler stops and releases the lease
    await scheduler;
    await waitFor('second leading', async () => second.current() !== undefined);
    const r = await s.kubectl(['apply', '-f', '-'], { stdin: podYaml('after-failover') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(await nodeOf('after-failover'), /^(kwok-[01]|fast-0)$/);
    scheduler = second.done;
  });
});
