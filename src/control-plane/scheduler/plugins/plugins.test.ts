import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { newPodInfo } from '../pod-info.ts';
import { makeNode, makePod, snapshotOf } from '../testing.ts';
import type { FilterPlugin, ScorePlugin, Status } from '../framework.ts';
import { nodeName, nodePorts, nodeUnschedulable } from './node-basics.ts';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity.ts';
import { nodeResourcesBalancedAllocation, nodeResourcesFit, nodeResourcesLeastAllocated } from './node-resources.ts';
import { taintTolerationFilter, taintTolerationScore, tolerates } from './taint-toleration.ts';
import { podTopologySpreadFilter, podTopologySpreadScore } from './pod-topology-spread.ts';
import { interPodAffinityFilter, interPodAffinityScore } from './inter-pod-affinity.ts';
import type { SchedulerCache } from '../cache.ts';

/** node name -> status (null = passes) */
function filterAll(plugin: FilterPlugin, pod: Pod, snap: SchedulerCache): Record<string, Status | null> {
  const r = plugin.prepare(newPodInfo(pod), snap);
  const out: Record<string, Status | null> = {};
  for (const n of snap.nodes) out[n.name] = r === null ? null : typeof r === 'function' ? r(n) : r;
  return out;
}

function scoreAll(plugin: ScorePlugin, pod: Pod, snap: SchedulerCache): Record<string, number> {
  const nodes = snap.nodes;
  const s = plugin.prepare(newPodInfo(pod), snap, nodes);
  const out: Record<string, number> = {};
  if (!s) return out;
  const scores = nodes.map((n) => s.score(n));
  s.normalize?.(scores, nodes);
  nodes.forEach((n, i) => (out[n.name] = scores[i]));
  return out;
}

const reasons = (r: Record<string, Status | null>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v ? `${v.code}: ${v.reasons.join('; ')}` : 'ok']));

test('NodeUnschedulable: cordoned nodes only for pods tolerating unschedulable', () => {
  const snap = snapshotOf([makeNode('a', { unschedulable: true }), makeNode('b')]);
  assert.deepEqual(reasons(filterAll(nodeUnschedulable, makePod('p'), snap)), { a: 'UnschedulableAndUnresolvable: node(s) were unschedulable', b: 'ok' });
  const tolerant = makePod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.deepEqual(reasons(filterAll(nodeUnschedulable, tolerant, snap)), { a: 'ok', b: 'ok' });
});

test('NodeName', () => {
  const snap = snapshotOf([makeNode('a'), makeNode('b')]);
  assert.deepEqual(reasons(filterAll(nodeName, makePod('p', { nodeName: 'b' }), snap)), { a: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name", b: 'ok' });
});

test('NodePorts: same protocol and port conflicts unless both bind different specific IPs', () => {
  const hostPod = (name: string, port: number, ip?: string, node?: string) => makePod(name, { nodeName: node, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: port, hostIP: ip }] }] });
  const snap = snapshotOf([makeNode('a'), makeNode('b'), makeNode('c')], [hostPod('x', 8080, undefined, 'a'), hostPod('y', 8080, '10.0.0.1', 'b')]);
  const r = reasons(filterAll(nodePorts, hostPod('p', 8080, '10.0.0.2'), snap));
  assert.deepEqual(r, { a: "Unschedulable: node(s) didn't have free ports for the requested pod ports", b: 'ok', c: 'ok' });
  assert.equal(reasons(filterAll(nodePorts, hostPod('p', 8080), snap)).b, "Unschedulable: node(s) didn't have free ports for the requested pod ports");
  assert.equal(reasons(filterAll(nodePorts, hostPod('p', 9090), snap)).a, 'ok');
});

test('NodeResourcesFit: pods, cpu, memory; unresolvable when bigger than allocatable', () => {
  const snap = snapshotOf([makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '8', pods: '1' })], [makePod('x', { nodeName: 'a' }, { cpu: '1500m' }), makePod('y', { nodeName: 'b' })]);
  assert.deepEqual(reasons(filterAll(nodeResourcesFit, makePod('p', {}, { cpu: '1' }), snap)), { a: 'Unschedulable: Insufficient cpu', b: 'Unschedulable: Too many pods' });
  assert.deepEqual(reasons(filterAll(nodeResourcesFit, makePod('p', {}, { cpu: '3', memory: '16Gi' }), snap)), {
    a: 'UnschedulableAndUnresolvable: Insufficient cpu; Insufficient memory',
    b: 'UnschedulableAndUnresolvable: Too many pods; Insufficient memory',
  });
  const gpu = makePod('g', { containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': '1' } } }] });
  assert.equal(reasons(filterAll(nodeResourcesFit, gpu, snap)).a, 'UnschedulableAndUnresolvable: Insufficient example.com/gpu');
});

test('NodeResourcesFit: init containers are a floor, sidecars add', () => {
  const snap = snapshotOf([makeNode('a', { cpu: '2' })]);
  const pod = makePod('p', {
    initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '1500m' } } }, { name: 's', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '600m' } } }],
  }, { cpu: '500m' });
  assert.equal(newPodInfo(pod).requests.milliCPU, 1500);
  const pod2 = makePod('p', { initContainers: [{ name: 's', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '600m' } } }, { name: 'i', image: 'x', resources: { requests: { cpu: '1500m' } } }] }, { cpu: '500m' });
  assert.equal(newPodInfo(pod2).requests.milliCPU, 2100);
  assert.equal(reasons(filterAll(nodeResourcesFit, pod2, snap)).a, 'UnschedulableAndUnresolvable: Insufficient cpu');
});

test('LeastAllocated prefers the emptier node; BalancedAllocation the balanced one', () => {
  const snap = snapshotOf([makeNode('a', { cpu: '4', memory: '4Gi' }), makeNode('b', { cpu: '4', memory: '4Gi' })], [makePod('x', { nodeName: 'a' }, { cpu: '2', memory: '1Gi' })]);
  const least = scoreAll(nodeResourcesLeastAllocated, makePod('p', {}, { cpu: '1', memory: '1Gi' }), snap);
  assert.ok(least.b > least.a, JSON.stringify(least));
  // cpu 50% + memory 25% -> 75% and 50%: score (75*1? no) computed per resource, averaged
  assert.equal(least.b, Math.trunc((75 + 75) / 2));
  const balanced = scoreAll(nodeResourcesBalancedAllocation, makePod('p', {}, { cpu: '1', memory: '1Gi' }), snap);
  assert.equal(balanced.b, 100);
  assert.equal(balanced.a, Math.trunc((1 - Math.abs(0.75 - 0.5) / 2) * 100));
});

test('NodeAffinity: nodeSelector, required terms ORed, expressions ANDed, matchFields on metadata.name', () => {
  const snap = snapshotOf([makeNode('a', { labels: { zone: 'z1', gen: '3' } }), makeNode('b', { labels: { zone: 'z2', gen: '5' } }), makeNode('c')]);
  const mismatch = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";
  assert.deepEqual(reasons(filterAll(nodeAffinityFilter, makePod('p', { nodeSelector: { zone: 'z1' } }), snap)), { a: 'ok', b: mismatch, c: mismatch });
  const affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] },
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] },
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] } },
        { weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } },
      ],
    },
  };
  assert.deepEqual(reasons(filterAll(nodeAffinityFilter, makePod('p', { affinity }), snap)), { a: mismatch, b: 'ok', c: 'ok' });
  assert.deepEqual(scoreAll(nodeAffinityScore, makePod('p', { affinity }), snap), { a: 33, b: 100, c: 0 });
});

test('TaintToleration: filter names the first untolerated taint; PreferNoSchedule scores', () => {
  assert.ok(tolerates({ operator: 'Exists' }, { key: 'any', effect: 'NoSchedule' }));
  assert.ok(!tolerates({ key: 'k', value: 'v' }, { key: 'k', value: 'w', effect: 'NoSchedule' }));
  const snap = snapshotOf([
    makeNode('a', { taints: [{ key: 'node-role', value: 'x', effect: 'NoSchedule' }] }),
    makeNode('b', { taints: [{ key: 'soft', value: '', effect: 'PreferNoSchedule' }] }),
    makeNode('c'),
  ]);
  assert.deepEqual(reasons(filterAll(taintTolerationFilter, makePod('p'), snap)), { a: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node-role: x}', b: 'ok', c: 'ok' });
  const tolerant = makePod('p', { tolerations: [{ key: 'node-role', operator: 'Equal', value: 'x', effect: 'NoSchedule' }] });
  assert.equal(reasons(filterAll(taintTolerationFilter, tolerant, snap)).a, 'ok');
  assert.deepEqual(scoreAll(taintTolerationScore, makePod('p'), snap), { a: 100, b: 0, c: 100 });
});

test('PodTopologySpread: DoNotSchedule keeps skew within maxSkew; missing label is unresolvable', () => {
  const nodes = [makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z1' } }), makeNode('c', { labels: { zone: 'z2' } }), makeNode('d')];
  const existing = [makePod('x1', { nodeName: 'a' }, { labels: { app: 'w' } }), makePod('x2', { nodeName: 'b' }, { labels: { app: 'w' } })];
  const snap = snapshotOf(nodes, existing);
  const pod = makePod('p', { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } }] }, { labels: { app: 'w' } });
  assert.deepEqual(reasons(filterAll(podTopologySpreadFilter, pod, snap)), {
    a: "Unschedulable: node(s) didn't match pod topology spread constraints",
    b: "Unschedulable: node(s) didn't match pod topology spread constraints",
    c: 'ok',
    d: "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)",
  });
});

test('PodTopologySpread scoring spreads pods of one owner by default', () => {
  const snap = snapshotOf([makeNode('a'), makeNode('b')], [makePod('x', { nodeName: 'a' }, { owner: 'rs1' }), makePod('y', { nodeName: 'a' }, { owner: 'rs2' })]);
  const s = scoreAll(podTopologySpreadScore, makePod('p', {}, { owner: 'rs1' }), snap);
  assert.ok(s.b > s.a, JSON.stringify(s));
  assert.deepEqual(scoreAll(podTopologySpreadScore, makePod('p'), snap), {}, 'no owner: no default spreading');
});

test('InterPodAffinity: affinity, anti-affinity and existing pods anti-affinity', () => {
  const nodes = [makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z1' } }), makeNode('c', { labels: { zone: 'z2' } })];
  const guard = makePod('guard', { nodeName: 'c', affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { role: 'noisy' } } }] } } });
  const snap = snapshotOf(nodes, [makePod('db', { nodeName: 'a' }, { labels: { app: 'db' } }), guard]);
  const near = makePod('p', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'db' } } }] } } });
  assert.deepEqual(reasons(filterAll(interPodAffinityFilter, near, snap)), { a: 'ok', b: 'ok', c: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules" });
  const away = makePod('p', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } }] } } });
  assert.deepEqual(reasons(filterAll(interPodAffinityFilter, away, snap)), { a: "Unschedulable: node(s) didn't match pod anti-affinity rules", b: 'ok', c: 'ok' });
  const noisy = makePod('n', {}, { labels: { role: 'noisy' } });
  assert.deepEqual(reasons(filterAll(interPodAffinityFilter, noisy, snap)), { a: 'ok', b: 'ok', c: "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules" });
  // the first pod of a group that selects itself may go anywhere
  const first = makePod('f', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'new' } } }] } } }, { labels: { app: 'new' } });
  assert.deepEqual(reasons(filterAll(interPodAffinityFilter, first, snap)), { a: 'ok', b: 'ok', c: 'ok' });
});

test('InterPodAffinity scoring: preferred terms both ways', () => {
  const nodes = [makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z2' } }), makeNode('c', { labels: { zone: 'z3' } })];
  const cache = makePod('cache', { nodeName: 'a' }, { labels: { app: 'cache' } });
  const noisy = makePod('noisy', { nodeName: 'b' }, { labels: { app: 'noisy' } });
  const snap = snapshotOf(nodes, [cache, noisy]);
  const pod = makePod('p', { affinity: {
    podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'cache' } } } }] },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'noisy' } } } }] },
  } });
  assert.deepEqual(scoreAll(interPodAffinityScore, pod, snap), { a: 100, b: 0, c: 50 });
  assert.deepEqual(scoreAll(interPodAffinityScore, makePod('q'), snap), {}, 'nothing to score');
  // an existing pod that prefers pods like the incoming one pulls it to its zone
  const friendly = makePod('f', { nodeName: 'c', affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } } }] } } });
  const snap2 = snapshotOf(nodes, [friendly]);
  assert.deepEqual(scoreAll(interPodAffinityScore, makePod('w', {}, { labels: { app: 'web' } }), snap2), { a: 0, b: 0, c: 100 });
});
