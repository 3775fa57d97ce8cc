import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { failedStatus, planPodGc } from './podgc-plan.ts';

const pod = (name: string, o: { phase?: string; reason?: string; created?: string; node?: string; deleting?: boolean } = {}): Pod => ({
  metadata: {
    name, namespace: 'ns', creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
    ...(o.deleting ? { deletionTimestamp: '2024-01-02T00:00:00Z' } : {}),
  },
  spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
  status: { phase: o.phase, ...(o.reason ? { reason: o.reason } : {}) },
});
const node = (name: string, ready: boolean, outOfService = false): Node => ({
  metadata: { name },
  spec: outOfService ? { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] } : {},
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const names = (ps: Pod[]): string[] => ps.map((p) => p.metadata!.name!);

test('terminated pods over the threshold go evicted first, then oldest, then by name', () => {
  const pods = [
    pod('new', { phase: 'Succeeded', created: '2024-01-03T00:00:00Z' }),
    pod('old-b', { phase: 'Failed', created: '2024-01-01T00:00:00Z' }),
    pod('old-a', { phase: 'Succeeded', created: '2024-01-01T00:00:00Z' }),
    pod('evicted', { phase: 'Failed', reason: 'Evicted', created: '2024-01-09T00:00:00Z' }),
    pod('running', { phase: 'Running', created: '2023-01-01T00:00:00Z' }),
    pod('pending', { phase: 'Pending', created: '2023-01-01T00:00:00Z' }),
  ];
  assert.deepEqual(names(planPodGc(pods, [], 1).terminated), ['evicted', 'old-a', 'old-b']);
  assert.deepEqual(names(planPodGc(pods, [], 4).terminated), []);
  assert.deepEqual(names(planPodGc(pods, [], 0).terminated), [], 'threshold 0 turns it off');
});

test('terminating pods: on a not-ready out-of-service node, or never scheduled; missing nodes are reported', () => {
  const pods = [
    pod('oos', { node: 'down', deleting: true }),
    pod('oos-alive', { node: 'down' }),
    pod('tainted-but-ready', { node: 'ready-oos', deleting: true }),
    pod('unscheduled', { deleting: true }),
    pod('unscheduled-alive'),
    pod('orphan-1', { node: 'gone' }),
    pod('orphan-2', { node: 'gone', phase: 'Running' }),
    pod('fine', { node: 'up' }),
  ];
  const plan = planPodGc(pods, [node('down', false, true), node('ready-oos', true, true), node('up', true)], 100);
  assert.deepEqual(names(plan.terminatingOutOfService), ['oos']);
  assert.deepEqual(names(plan.unscheduledTerminating), ['unscheduled']);
  assert.deepEqual(plan.missingNodes, ['gone']);
});

test('failedStatus: phase Failed with the condition added or updated; terminal pods are left alone', () => {
  const cond = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };
  const running: Pod = { ...pod('p', { phase: 'Running' }), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.deepEqual(failedStatus(running, 'NOW', cond), {
    phase: 'Failed', conditions: [{ type: 'Ready', status: 'True' }, { ...cond, lastTransitionTime: 'NOW' }],
  });
  const marked: Pod = { ...running, status: { phase: 'Unknown', conditions: [{ ...cond, lastTransitionTime: 'THEN' }] } };
  assert.equal(failedStatus(marked, 'NOW', cond)!.conditions![0].lastTransitionTime, 'THEN', 'same status: time kept');
  assert.deepEqual(failedStatus(pod('q', { phase: 'Pending' }), 'NOW'), { phase: 'Failed' });
  assert.equal(failedStatus(pod('s', { phase: 'Succeeded' }), 'NOW', cond), undefined);
  assert.equal(failedStatus(pod('f', { phase: 'Failed' }), 'NOW', cond), undefined);
  assert.equal(running.status!.phase, 'Running', 'input not changed');
});
