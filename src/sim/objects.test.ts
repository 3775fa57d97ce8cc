import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { buildNode, isPodRunning, nodeInternalIP, runningStatus } from './objects.ts';
import { PodIPAllocator } from './ip-pool.ts';
import { parseTaint } from './command.ts';
import { kubernetesMinor, version } from '../version.ts';

test('node is labelled simulated and carries capacity', () => {
  const n = buildNode({ name: 'a', index: 0, capacity: { cpu: '4' }, labels: { zone: 'z1' }, taints: [] }, 0);
  assert.equal(n.metadata?.labels?.type, 'kwok');
  assert.equal(n.metadata?.labels?.zone, 'z1');
  assert.equal(n.status?.allocatable?.cpu, '4');
  assert.equal(nodeInternalIP(0), '172.16.0.1');
  assert.equal(nodeInternalIP(255), '172.16.1.0');
});

test('node reports the version of the API server it joins, never a newer kubelet', () => {
  const n = buildNode({ name: 'a', index: 0, capacity: {}, labels: {}, taints: [] }, 0);
  assert.equal(n.status?.nodeInfo?.kubeletVersion, `v1.${kubernetesMinor}.0+skiff`);
  assert.equal(n.status?.nodeInfo?.kubeProxyVersion, version().gitVersion);
});

test('running status covers every container and is recognised as running', () => {
  const pod: Pod = { metadata: { uid: 'u' }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
  const st = runningStatus(pod, '10.244.0.2', '172.16.0.1', 0);
  assert.equal(st.containerStatuses?.length, 2);
  assert.equal(st.containerStatuses?.[1]?.containerID, 'sim://u/b');
  assert.ok(isPodRunning({ ...pod, status: st }));
  assert.ok(!isPodRunning(pod));
});

test('pod IPs come from the podCIDR, skip network and gateway, and are reused after release', () => {
  const a = new PodIPAllocator();
  assert.equal(a.allocate('p1', '10.42.3.0/24'), '10.42.3.2');
  assert.equal(a.allocate('p1', '10.42.3.0/24'), '10.42.3.2');
  assert.equal(a.allocate('p2', '10.42.3.0/24'), '10.42.3.3');
  assert.equal(a.allocate('p3', undefined), '10.244.0.2');
  a.release('p1');
  const small = new PodIPAllocator();
  assert.equal(small.allocate('x', '10.0.0.0/30'), '10.0.0.2');
  assert.equal(small.allocate('y', '10.0.0.0/30'), undefined);
});

test('taint flag parsing', () => {
  assert.deepEqual(parseTaint('a=b:NoSchedule'), { key: 'a', value: 'b', effect: 'NoSchedule' });
  assert.deepEqual(parseTaint('a:NoExecute'), { key: 'a', effect: 'NoExecute' });
  assert.throws(() => parseTaint('a=b'));
});
