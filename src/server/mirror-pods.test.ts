// The publisher against a real API server (no kubelet, no controllers): it creates what is missing, writes status
// on change only, removes its own stale mirror pods and leaves everything else alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../client/index.ts';
import { startTestServer } from '../../test/support/server.ts';
import { waitFor } from '../../test/support/wait.ts';
import type { HostedComponentState } from './hosted-component.ts';
import type { MirrorComponent } from './mirror-pod.ts';
import { type MirrorSource, publishMirrorPods } from './mirror-pods.ts';

const podsRef = resourceRef('v1', 'pods');
const nodesRef = resourceRef('v1', 'nodes', false);

function component(name: string): MirrorComponent {
  return { name, container: name, labels: { component: name, tier: 'control-plane' }, image: `skiff/${name}:test`, command: ['skiff'], hostedIn: 'a test' };
}

/** A source whose state the test sets. */
function settable(c: MirrorComponent): MirrorSource & { set(s: Partial<HostedComponentState>): void } {
  const since = new Date();
  let state: HostedComponentState = { phase: 'running', restarts: 0, firstStartedAt: since, startedAt: since, since };
  const changes = new EventEmitter();
  return {
    component: c,
    state: () => state,
    onChange(fn) {
      changes.on('change', fn);
      return () => void changes.off('change', fn);
    },
    set(s) {
      state = { ...state, ...s, since: new Date() };
      changes.emit('change');
    },
  };
}

function foreignPod(name: string, annotations: Record<string, string> | undefined, nodeName: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'kube-system', annotations },
    spec: { nodeName, containers: [{ name: 'c', image: 'x' }] },
  };
}

test('the publisher keeps exactly its components\' mirror pods, with their status, and nothing else', async (t) => {
  const s = await startTestServer();
  const client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'mirror-pods-test', qps: 0 });
  const ac = new AbortController();
  t.after(async () => {
    ac.abort();
    client.close();
    await s.stop();
  });
  const node = await client.create<Node>(nodesRef, {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' },
  });
  await client.updateStatus<Node>(nodesRef, { ...node, status: { addresses: [{ type: 'InternalIP', address: '10.1.2.3' }] } });
  // left from an earlier run: a mirror pod of this source for a component gone, one of another source, a
  // non-mirror pod in the way of a component's name
  await client.create(podsRef, foreignPod('old-thing-n1', { 'kubernetes.io/config.mirror': 'x', 'kubernetes.io/config.source': 'skiff-server' }, 'n1'));
  await client.create(podsRef, foreignPod('kube-proxy-n1', { 'kubernetes.io/config.mirror': 'y', 'kubernetes.io/config.source': 'skiff-agent' }, 'n1'));
  await client.create(podsRef, foreignPod('users-n1', undefined, 'n1'));
  const inTheWay = settable(component('users'));
  const apiserver = settable(component('kube-apiserver'));
  const done = publishMirrorPods({ client, nodeName: 'n1', source: 'skiff-server', sources: [apiserver, inTheWay], signal: ac.signal, log: () => undefined }).done;

  const published = await waitFor('kube-apiserver-n1 published and Running', async () => {
    const p = await client.get<Pod>(podsRef, 'kube-apiserver-n1', { namespace: 'kube-system' }).catch(() => undefined);
    return p?.status?.phase === 'Running' ? p : undefined;
  });
  assert.equal(published.status?.podIP, '10.1.2.3');
  assert.deepEqual(published.metadata?.ownerReferences?.map((r) => `${r.kind}/${r.name}/${r.uid}`), [`Node/n1/${node.metadata!.uid}`]);
  await waitFor('the stale mirror pod of this source removed', async () =>
    (await client.get<Pod>(podsRef, 'old-thing-n1', { namespace: 'kube-system' }).then(() => undefined, () => true)));
  const names = (await client.list<Pod>(podsRef, { namespace: 'kube-system' })).items.map((p) => p.metadata!.name).sort();
  assert.deepEqual(names, ['kube-apiserver-n1', 'kube-proxy-n1', 'users-n1']);
  const users = await client.get<Pod>(podsRef, 'users-n1', { namespace: 'kube-system' });
  assert.equal(users.metadata?.annotations, undefined, 'a pod that is not a mirror pod is not taken over');

  // a state change is written; the status carries it
  const rv = published.metadata!.resourceVersion;
  apiserver.set({ phase: 'backoff', restarts: 1, startedAt: undefined, backoffMs: 2000, lastEnd: { startedAt: new Date(), finishedAt: new Date(), exitCode: 137, how: 'signal SIGKILL' } });
  const crashed = await waitFor('not ready after the crash', async () => {
    const p = await client.get<Pod>(podsRef, 'kube-apiserver-n1', { namespace: 'kube-system' });
    return p.status?.containerStatuses?.[0]?.ready === false ? p : undefined;
  });
  assert.notEqual(crashed.metadata!.resourceVersion, rv);
  assert.equal(crashed.status?.containerStatuses?.[0]?.restartCount, 1);
  assert.equal(crashed.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(crashed.metadata!.uid, published.metadata!.uid, 'a status change keeps the pod');

  // a node gone silent: the node-lifecycle controller marks its pods not ready; Ready again, so are the pods
  apiserver.set({ phase: 'running', startedAt: new Date() });
  await waitFor('ready again', async () =>
    (await client.get<Pod>(podsRef, 'kube-apiserver-n1', { namespace: 'kube-system' })).status?.containerStatuses?.[0]?.ready || undefined);
  const setNodeReady = async (status: string): Promise<void> => {
    const cur = await client.get<Node>(nodesRef, 'n1');
    await client.updateStatus<Node>(nodesRef, { ...cur, status: { ...cur.status, conditions: [{ type: 'Ready', status, reason: 'Test' }] } });
  };
  await setNodeReady('Unknown');
  const marked = await client.get<Pod>(podsRef, 'kube-apiserver-n1', { namespace: 'kube-system' });
  marked.status!.conditions = marked.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
  await client.updateStatus(podsRef, marked);
  await setNodeReady('True');
  await waitFor('the pod Ready once the node is', async () => {
    const p = await client.get<Pod>(podsRef, 'kube-apiserver-n1', { namespace: 'kube-system' });
    return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' || undefined;
  });

  ac.abort();
  await done;
});
