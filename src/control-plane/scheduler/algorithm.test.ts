import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Algorithm, FitError, numFeasibleNodesToFind } from './algorithm.ts';
import { defaultProfile } from './plugins/index.ts';
import { newPodInfo } from './pod-info.ts';
import { makeNode, makePod, snapshotOf } from './testing.ts';

test('numFeasibleNodesToFind follows upstream (adaptive percentage, floors of 100 nodes and 5%)', () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(100), 100);
  assert.equal(numFeasibleNodesToFind(1000), 420); // 50 - 8 = 42%
  assert.equal(numFeasibleNodesToFind(5000), 500); // 50 - 40 = 10%
  assert.equal(numFeasibleNodesToFind(6000), 300); // 50 - 48 = 2% -> 5%
  assert.equal(numFeasibleNodesToFind(1000, 5), 100);
  assert.equal(numFeasibleNodesToFind(1000, 100), 1000);
});

test('FitError message matches upstream shape, reasons sorted, preemption verdict per node', () => {
  const snap = snapshotOf([
    makeNode('a', { cpu: '2' }),
    makeNode('b', { taints: [{ key: 'node-role', value: 'x', effect: 'NoSchedule' }] }),
    makeNode('c', { taints: [{ key: 'node-role', value: 'x', effect: 'NoSchedule' }] }),
  ], [makePod('busy', { nodeName: 'a' }, { cpu: '1500m' })]);
  const alg = new Algorithm(defaultProfile());
  const err = (() => {
    try {
      alg.schedule(newPodInfo(makePod('p', {}, { cpu: '1' })), snap);
    } catch (e) {
      return e as FitError;
    }
    throw new Error('scheduled');
  })();
  assert.ok(err instanceof FitError);
  assert.equal(err.message, '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role: x}. ' +
    'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.');
  assert.deepEqual([...err.unschedulablePlugins].sort(), ['NodeResourcesFit', 'TaintToleration']);
  assert.throws(() => alg.schedule(newPodInfo(makePod('p', { preemptionPolicy: 'Never' }, { cpu: '64' })), snap),
    { message: '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role: x}. preemption: not eligible due to preemptionPolicy=Never.' });
  assert.throws(() => alg.schedule(newPodInfo(makePod('p')), snapshotOf([])), { message: 'no nodes available to schedule pods' });
});

test('picks the best-scored node and resumes the node walk where it stopped', () => {
  const nodes = Array.from({ length: 300 }, (_, i) => makeNode(`n${i}`));
  const snap = snapshotOf(nodes);
  const alg = new Algorithm(defaultProfile(), () => 0.99);
  const r1 = alg.schedule(newPodInfo(makePod('p')), snap);
  assert.equal(r1.evaluatedNodes, 144); // 48% of 300
  assert.equal(r1.feasibleNodes, 144);
  // the second cycle starts at node 144: it cannot pick among the first 144
  const r2 = alg.schedule(newPodInfo(makePod('q')), snap);
  assert.ok(Number(r2.node.name.slice(1)) >= 144, r2.node.name);
  // preferred node affinity wins over equal resources
  const small = snapshotOf([makeNode('a'), makeNode('b', { labels: { fast: 'yes' } })]);
  const pref = makePod('r', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'fast', operator: 'Exists' }] } }] } } });
  assert.equal(new Algorithm(defaultProfile()).schedule(newPodInfo(pref), small).node.name, 'b');
});

test('assumed pods count at once; forgetting releases them', () => {
  const snap = snapshotOf([makeNode('a', { cpu: '1' })]);
  const alg = new Algorithm(defaultProfile());
  const p = newPodInfo(makePod('p', { nodeName: 'a' }, { cpu: '800m' }));
  snap.assume(p, 'a');
  assert.throws(() => alg.schedule(newPodInfo(makePod('q', {}, { cpu: '500m' })), snap), /Insufficient cpu/);
  snap.forget(p.uid);
  assert.equal(alg.schedule(newPodInfo(makePod('q', {}, { cpu: '500m' })), snap).node.name, 'a');
});
