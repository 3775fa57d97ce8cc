// The DaemonSet controller's pure decisions: placement under selectors and taints, the rolling-update budget,
// and the status counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { affinityForNode, nodeShouldRunDaemonPod, podTemplateForNode, targetNodeOf } from './daemonset-placement.ts';
import { type NodeState, daemonSetCounters, planPlacement, planRollingUpdate, rollingBudget } from './daemonset-plan.ts';
import { revisionHash, safeEncode } from './daemonset-history.ts';

const node = (name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node => ({ metadata: { name, labels }, spec: { taints } });
const ds = (extra: Partial<NonNullable<DaemonSet['spec']>> = {}): DaemonSet => ({
  metadata: { name: 'agent', namespace: 'default', generation: 2 },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    ...extra,
  },
});
const t0 = Date.parse('2026-01-01T00:00:00Z');
let seq = 0;
const pod = (nodeName: string, hash: string, ready = true, extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name: `p${++seq}`, namespace: 'default', uid: `u${seq}`, labels: { 'controller-revision-hash': hash }, creationTimestamp: `2026-01-01T00:00:${String(seq % 60).padStart(2, '0')}Z`, ...extra },
  spec: { nodeName, containers: [] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});

test('placement: nodeSelector and affinity decide; NoSchedule only stops new pods, NoExecute evicts; default tolerations count', () => {
  assert.deepEqual(nodeShouldRunDaemonPod(node('a'), ds()), { shouldRun: true, shouldContinueRunning: true });
  const selecting = ds({ template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [], nodeSelector: { disk: 'ssd' } } } });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a'), selecting), { shouldRun: false, shouldContinueRunning: false });
  assert.equal(nodeShouldRunDaemonPod(node('a', { disk: 'ssd' }), selecting).shouldRun, true);
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'k', effect: 'NoSchedule' }]), ds()), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'k', effect: 'NoExecute' }]), ds()), { shouldRun: false, shouldContinueRunning: false });
  // tolerated by the tolerations every daemon pod gets
  for (const key of ['node.kubernetes.io/unschedulable', 'node.kubernetes.io/not-ready', 'node.kubernetes.io/disk-pressure']) {
    const effect = key.endsWith('not-ready') ? 'NoExecute' : 'NoSchedule';
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key, effect }]), ds()).shouldRun, true, key);
  }
  const net = [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }];
  assert.equal(nodeShouldRunDaemonPod(node('a', {}, net), ds()).shouldRun, false);
  const hostNet = ds({ template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [], hostNetwork: true } } });
  assert.equal(nodeShouldRunDaemonPod(node('a', {}, net), hostNet).shouldRun, true);
});

test('a pod template names its node through matchFields, keeping the template\'s own expressions', () => {
  const tmpl = podTemplateForNode(ds(), 'h1', 'n1');
  assert.deepEqual(tmpl.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]);
  assert.equal(tmpl.spec?.nodeName, undefined);
  assert.deepEqual(tmpl.metadata?.labels, { app: 'agent', 'pod-template-generation': '2', 'controller-revision-hash': 'h1' });
  const withExpr = affinityForNode({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'z', operator: 'Exists' }] }] } } }, 'n2');
  assert.deepEqual(withExpr.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    [{ matchExpressions: [{ key: 'z', operator: 'Exists' }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }]);
  assert.equal(targetNodeOf({ spec: { containers: [], affinity: withExpr } }), 'n2');
});

const state = (name: string, pods: Pod[], shouldRun = true, shouldContinueRunning = true): NodeState => ({ node: node(name), placement: { shouldRun, shouldContinueRunning }, pods });

test('placement plan: create where missing, wait for a terminating pod, drop extras, failed and evicted pods', () => {
  const terminating = pod('b', 'h', true, { deletionTimestamp: '2026-01-01T00:00:00Z' });
  const [older, newer] = [pod('c', 'h'), pod('c', 'h')];
  const failed = { ...pod('d', 'h'), status: { phase: 'Failed' } };
  const evicted = pod('e', 'h');
  const plan = planPlacement([state('a', []), state('b', [terminating]), state('c', [newer, older]), state('d', [failed]), state('e', [evicted], false, false)], 'h', false);
  assert.deepEqual(plan.create, ['a']);
  assert.deepEqual(plan.delete.map((p) => p.metadata?.name).sort(), [newer, failed, evicted].map((p) => p.metadata?.name).sort());
  assert.deepEqual(plan.failed, [failed]);
});

test('rolling update without surge: at most maxUnavailable available old pods go; unavailable ones go at once', () => {
  const states = ['a', 'b', 'c', 'd'].map((n) => state(n, [pod(n, 'old')]));
  const plan = planRollingUpdate(ds(), states, 'new', t0);
  assert.deepEqual(plan.delete.map((p) => p.spec?.nodeName), ['a']);
  // one node already has an unready new pod: the budget of 1 is used up
  states[0] = state('a', [pod('a', 'new', false)]);
  assert.deepEqual(planRollingUpdate(ds(), states, 'new', t0).delete, []);
  states[1] = state('b', [pod('b', 'old', false)]);
  assert.deepEqual(planRollingUpdate(ds(), states, 'new', t0).delete.map((p) => p.spec?.nodeName), ['b']);
  const pct = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', maxSurge: 0 } } });
  assert.deepEqual(rollingBudget(pct, 3), { maxSurge: 0, maxUnavailable: 2 });
});

test('rolling update with surge: a new pod beside the old one, the old one goes once the new one is available', () => {
  const surge = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
  const states = ['a', 'b'].map((n) => state(n, [pod(n, 'old')]));
  assert.deepEqual(planRollingUpdate(surge, states, 'new', t0), { create: ['a'], delete: [], failed: [] });
  states[0] = state('a', [pod('a', 'old'), pod('a', 'new', false)]);
  assert.deepEqual(planRollingUpdate(surge, states, 'new', t0), { create: [], delete: [], failed: [] });
  const old = pod('a', 'old');
  states[0] = state('a', [old, pod('a', 'new')]);
  assert.deepEqual(planRollingUpdate(surge, states, 'new', t0), { create: ['b'], delete: [old], failed: [] });
  // an unavailable old pod is replaced without waiting for a surge slot
  states[0] = state('a', [pod('a', 'old'), pod('a', 'new', false)]);
  states[1] = state('b', [pod('b', 'old', false)]);
  assert.deepEqual(planRollingUpdate(surge, states, 'new', t0), { create: ['b'], delete: [], failed: [] });
});

test('status counters: desired, current, misscheduled, ready, available, updated, unavailable', () => {
  const st = daemonSetCounters(ds(), [state('a', [pod('a', 'new')]), state('b', [pod('b', 'old', false)]), state('c', []), state('d', [pod('d', 'new')], false, true)], 'new', t0);
  assert.deepEqual(st, {
    currentNumberScheduled: 2, numberMisscheduled: 1, desiredNumberScheduled: 3, numberReady: 1, updatedNumberScheduled: 1,
    numberAvailable: 1, numberUnavailable: 2,
  });
  const none = daemonSetCounters(ds(), [state('a', [])], 'new', t0);
  assert.deepEqual(none, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 0, numberUnavailable: 1 }, 'omitempty zeros left out');
});

test('revision hashes use upstream\'s safe alphabet and change with collisionCount', () => {
  assert.match(revisionHash({ a: 1 }), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.notEqual(revisionHash({ a: 1 }), revisionHash({ a: 1 }, 1));
  assert.equal(safeEncode('0123'), '4567'); // rune % 27 into the alphabet, as upstream
});
