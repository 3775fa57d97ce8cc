import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { firstProbeMs, unknownConditions } from './node-lifecycle.ts';

test('a silent node: posted conditions go Unknown with upstream reason and message, missing ones are added', () => {
  const node: Node = {
    metadata: { name: 'n', creationTimestamp: '2020-01-01T00:00:00Z' },
    status: { conditions: [
      { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '2020-01-02T00:00:00Z', lastTransitionTime: '2020-01-01T00:00:01Z' },
      { type: 'MemoryPressure', status: 'Unknown', reason: 'NodeStatusUnknown', lastTransitionTime: 'earlier' },
    ] },
  };
  const conds = unknownConditions(node, 'NOW')!;
  const by = Object.fromEntries(conds.map((c) => [c.type, c]));
  assert.deepEqual(by.Ready, {
    type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.',
    lastHeartbeatTime: '2020-01-02T00:00:00Z', lastTransitionTime: 'NOW',
  });
  assert.equal(by.MemoryPressure.lastTransitionTime, 'earlier', 'already Unknown: untouched');
  assert.deepEqual(by.PIDPressure, {
    type: 'PIDPressure', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
    lastHeartbeatTime: '2020-01-01T00:00:00Z', lastTransitionTime: 'NOW',
  });
  assert.equal(unknownConditions({ ...node, status: { conditions: conds } }, 'LATER'), undefined, 'nothing left to change');
});

test('a node that never posted Ready is counted from its creation; one that did, from when we first see it', () => {
  const created = Date.parse('2020-01-01T00:00:00Z');
  const now = created + 3_600_000;
  const bare: Node = { metadata: { name: 'n', creationTimestamp: '2020-01-01T00:00:00Z' } };
  assert.equal(firstProbeMs(bare, now), created);
  assert.equal(firstProbeMs(bare, created - 5_000), created - 5_000, 'creation ahead of our clock counts as now');
  const posted: Node = { ...bare, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.equal(firstProbeMs(posted, now), now);
  assert.equal(firstProbeMs({ metadata: { name: 'x' } }, now), now, 'no creation time: now');
});
