// Node lifecycle, taint eviction and node IPAM against a real API server with simulated nodes and real kubectl:
// podCIDRs per node, cordon/uncordon/drain, a node whose heartbeat stops going Unknown and tainted, and its pods
// evicted after their tolerationSeconds (or at once for an untolerated NoExecute taint). Short grace periods
// (3 s) keep it quick; nothing asserts on wall-clock durations.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { type SimNodes, startSimNodes } from '../../src/sim/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const pods = resourceRef('v1', 'pods');
const nodes = resourceRef('v1', 'nodes', false);
const events = resourceRef('v1', 'events');

function boundPod(name: string, node: string, tolerations: Toleration[] = []): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'n' } },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }], tolerations, terminationGracePeriodSeconds: 1 },
  };
}

const running = (client: RestClient, name: string) => async (): Promise<boolean> =>
  (await client.get<Pod>(pods, name, { namespace: 'default' })).status?.phase === 'Running';

describe('node lifecycle with simulated nodes', () => {
  let s: TestServer;
  let client: RestClient;
  let sim: SimNodes;
  const ac = new AbortController();
  let done: Promise<void>;

  before(async () => {
    s = await startTestServer();
    client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'node-test', qps: 0 });
    sim = await startSimNodes({ client, count: 3, signal: ac.signal, heartbeatIntervalMs: 500 });
    const cm = await startControllerManager({
      client, signal: ac.signal, leaderElection: false,
      controllers: ['node-lifecycle', 'taint-eviction', 'node-ipam', 'namespace'],
      options: { nodeMonitorPeriodMs: 300, nodeMonitorGracePeriodMs: 3000, nodeStartupGracePeriodMs: 3000 },
    });
    done = cm.done;
  });
  after(async () => {
    ac.abort();
    await sim.stop();
    await done;
    client.close();
    await s.stop();
  });

  test('node-ipam gives every node its own /24 of 10.42.0.0/16', async () => {
    const cidrs = await waitFor('podCIDRs', async () => {
      const l = await client.list<Node>(nodes);
      const c = l.items.map((n) => n.spec?.podCIDR);
      return c.length === 3 && c.every(Boolean) ? c as string[] : undefined;
    });
    assert.equal(new Set(cidrs).size, 3);
    for (const c of cidrs) assert.match(c, /^10\.42\.\d+\.0\/24$/);
    const n = await client.get<Node>(nodes, sim.names[0]);
    assert.deepEqual(n.spec?.podCIDRs, [n.spec?.podCIDR]);
  });

  test('kubectl cordon taints the node unschedulable, uncordon clears it, drain evicts its pods', async () => {
    const node = sim.names[0];
    assert.equal((await s.kubectl(['cordon', node])).code, 0);
    await waitFor('unschedulable taint', async () =>
      (await client.get<Node>(nodes, node)).spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule'));
    assert.equal((await s.kubectl(['uncordon', node])).code, 0);
    await waitFor('taint cleared', async () => !(await client.get<Node>(nodes, node)).spec?.taints?.length);

    await client.create(pods, boundPod('drain-me', node), { namespace: 'default' });
    await waitFor('pod running', running(client, 'drain-me'));
    const drain = await s.kubectl(['drain', node, '--force', '--ignore-daemonsets', '--timeout=30s']);
    assert.equal(drain.code, 0, drain.stderr);
    assert.match(drain.stdout, /evicted|drained/);
    const l = await client.list<Pod>(pods, { namespace: 'default', fieldSelector: `spec.nodeName=${node}` });
    assert.equal(l.items.length, 0);
    assert.ok((await client.get<Node>(nodes, node)).spec?.unschedulable);
    assert.equal((await s.kubectl(['uncordon', node])).code, 0);
  });

  test('kubectl delete namespace waits for its pods to finish graceful termination on their node', async () => {
    assert.equal((await s.kubectl(['create', 'namespace', 'bye'])).code, 0);
    await client.create(pods, { ...boundPod('graceful', sim.names[1]), metadata: { name: 'graceful', namespace: 'bye' } }, { namespace: 'bye' });
    await waitFor('pod running', async () => (await client.get<Pod>(pods, 'graceful', { namespace: 'bye' })).status?.phase === 'Running');
    const r = await s.kubectl(['delete', 'namespace', 'bye', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    const left = await s.kubectl(['get', 'namespace', 'bye']);
    assert.notEqual(left.code, 0);
    assert.match(left.stderr, /NotFound/);
  });

  test('an untolerated NoExecute taint evicts at once; a tolerated one with seconds after them', async () => {
    const node = sim.names[1];
    await client.create(pods, boundPod('plain', node), { namespace: 'default' });
    await client.create(pods, boundPod('tolerant', node, [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]), { namespace: 'default' });
    await waitFor('pods running', async () => (await running(client, 'plain')()) && (await running(client, 'tolerant')()));
    assert.equal((await s.kubectl(['taint', 'node', node, 'dedicated=x:NoExecute'])).code, 0);
    await waitFor('plain evicted', async () => (await client.list<Pod>(pods, { namespace: 'default' })).items.every((p) => p.metadata?.name !== 'plain'));
    assert.ok(await client.get<Pod>(pods, 'tolerant', { namespace: 'default' }), 'the tolerating pod is still there right after');
    await waitFor('tolerant evicted', async () => (await client.list<Pod>(pods, { namespace: 'default' })).items.every((p) => p.metadata?.name !== 'tolerant'));
    const ev = await waitFor('eviction event', async () => {
      const l = await client.list<Event>(events, { namespace: 'default', fieldSelector: 'reason=TaintManagerEviction' });
      return l.items.find((e) => e.message === 'Marking for deletion Pod default/plain');
    });
    assert.equal(ev.involvedObject.name, 'plain');
    assert.equal((await s.kubectl(['taint', 'node', node, 'dedicated-'])).code, 0);
  });

  test('a node that stops heartbeating goes Unknown, is tainted unreachable, and its pods go after their toleration', async () => {
    const node = sim.names[2];
    const short: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 };
    const forever: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' };
    await client.create(pods, boundPod('short', node, [short]), { namespace: 'default' });
    await client.create(pods, boundPod('forever', node, [forever]), { namespace: 'default' });
    await waitFor('pods running', async () => (await running(client, 'short')()) && (await running(client, 'forever')()));

    sim.stopHeartbeat(node);
    const n = await waitFor('Ready=Unknown', async () => {
      const got = await client.get<Node>(nodes, node);
      return got.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' ? got : undefined;
    });
    const ready = n.status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    const kubectl = await s.kubectl(['get', 'node', node, '--no-headers']);
    assert.match(kubectl.stdout, /NotReady/);
    const tainted = await waitFor('unreachable taints', async () => {
      const got = await client.get<Node>(nodes, node);
      const t = got.spec?.taints ?? [];
      return t.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute' && x.timeAdded) &&
        t.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoSchedule') ? got : undefined;
    });
    // one taint of each effect, not one per monitor pass
    assert.deepEqual(tainted.spec?.taints?.filter((x) => x.key === 'node.kubernetes.io/unreachable').map((x) => x.effect).sort(), ['NoExecute', 'NoSchedule']);
    // the dead kubelet cannot finish the deletion: the pod stays terminating, marked as disrupted
    const evicted = await waitFor('short evicted', async () => {
      const p = await client.get<Pod>(pods, 'short', { namespace: 'default' });
      return p.metadata?.deletionTimestamp ? p : undefined;
    });
    assert.equal(evicted.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
    assert.equal(evicted.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    const stays = await client.get<Pod>(pods, 'forever', { namespace: 'default' });
    assert.equal(stays.metadata?.deletionTimestamp, undefined);

    sim.resumeHeartbeat(node);
    await waitFor('Ready again and untainted', async () => {
      const got = await client.get<Node>(nodes, node);
      return got.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && !(got.spec?.taints ?? []).length;
    });
  });

  test('when every node goes silent (a partition of the control plane), nothing is tainted NoExecute', async () => {
    for (const n of sim.names) sim.stopHeartbeat(n);
    await waitFor('all Unknown and unschedulable', async () => {
      const l = await client.list<Node>(nodes);
      return l.items.every((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' &&
        n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule'));
    });
    // nodes that went silent a monitor pass before the others may have been tainted meanwhile: once the whole
    // cluster is judged down those taints are lifted, and none comes back
    const clean = await waitFor('no NoExecute taints', async () => {
      const l = await client.list<Node>(nodes);
      return l.items.every((n) => !n.spec?.taints?.some((t) => t.effect === 'NoExecute')) ? l : undefined;
    });
    // "none comes back", proved by the controller's own progress rather than a window of wall time: every node
    // change from that list on is watched, up to a sentinel Node that never posts status (created now, in the
    // same zone) being judged Unknown — a startup grace period, so many monitor passes, later — and tainted
    // unreachable by the taint reconcile that follows. No event up to then may carry a NoExecute taint, the
    // sentinel's own included.
    const watchAbort = new AbortController();
    const bound = setTimeout(() => watchAbort.abort(), 60_000); // a bound on the positive wait only
    const seen: string[] = [];
    const sentinelTainted = (async () => {
      const from = clean.metadata!.resourceVersion;
      for await (const ev of client.watch<Node>(nodes, { resourceVersion: from, timeoutSeconds: 120, signal: watchAbort.signal })) {
        if (ev.type === 'BOOKMARK') continue;
        if (ev.type === 'ERROR') { // events were lost: nothing could be concluded
          seen.push(`ERROR ${JSON.stringify(ev.object)}`);
          return false;
        }
        const n = ev.object as Node;
        if (n.spec?.taints?.some((t) => t.effect === 'NoExecute')) seen.push(`${ev.type} ${n.metadata?.name} ${JSON.stringify(n.spec.taints)}`);
        if (n.metadata?.name === 'sentinel' && n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule')) return true;
      }
      return false;
    })().catch(() => false);
    await client.create<Node>(nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'sentinel' } });
    try {
      assert.equal(await sentinelTainted, true, 'the sentinel node was never tainted unreachable');
      assert.deepEqual(seen, []);
    } finally {
      clearTimeout(bound);
      watchAbort.abort();
      await client.delete(nodes, 'sentinel');
    }
    for (const n of sim.names) sim.resumeHeartbeat(n);
    await waitFor('all Ready and untainted', async () => {
      const l = await client.list<Node>(nodes);
      return l.items.every((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && !(n.spec?.taints ?? []).length);
    });
  });
  test('a Node that never posts status goes Unknown (NodeStatusNeverUpdated) on all four conditions and is tainted unreachable', async () => {
    const r = await s.kubectl(['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'by-hand' } }) });
    assert.equal(r.code, 0, r.stderr);
    const n = await waitFor('conditions posted for it', async () => {
      const got = await client.get<Node>(nodes, 'by-hand');
      return (got.status?.conditions?.length ?? 0) === 4 ? got : undefined;
    });
    const byType = new Map((n.status?.conditions ?? []).map((c) => [c.type, c]));
    assert.deepEqual([...byType.keys()].sort(), ['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
    for (const c of byType.values()) {
      assert.equal(c.status, 'Unknown', c.type);
      assert.equal(c.reason, 'NodeStatusNeverUpdated', c.type);
      assert.equal(c.message, 'Kubelet never posted node status.', c.type);
      assert.equal(c.lastHeartbeatTime, n.metadata?.creationTimestamp, `${c.type}: heartbeat is the creation time`);
    }
    await waitFor('unreachable taints', async () => {
      const t = (await client.get<Node>(nodes, 'by-hand')).spec?.taints ?? [];
      return t.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute') &&
        t.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoSchedule');
    });
    assert.match((await s.kubectl(['get', 'node', 'by-hand', '--no-headers'])).stdout, /NotReady/);
    assert.equal((await s.kubectl(['delete', 'node', 'by-hand'])).code, 0);
  });
});
