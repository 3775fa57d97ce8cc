import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../client/index.ts';
import { ZoneTracker, zoneState } from './node-lifecycle-zones.ts';
import { reconcileTaints } from './node-lifecycle-taints.ts';

const node = (name: string, ready: boolean, zone = 'a'): Node => ({
  metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }] },
});

test('zone states as upstream ComputeZoneState', () => {
  assert.equal(zoneState([node('1', true), node('2', false)]), 'Normal');
  assert.equal(zoneState([node('1', false), node('2', false)]), 'FullDisruption');
  assert.equal(zoneState([node('1', true), node('2', false), node('3', false), node('4', false)]), 'PartialDisruption');
  assert.equal(zoneState([node('1', true), node('2', true), node('3', false), node('4', false)]), 'Normal', 'two down is never partial');
});

test('NoExecute health taints: paced per zone, held in a small partially disrupted zone, lifted when all zones are down', () => {
  const clock = new FakeClock(0);
  const z = new ZoneTracker(clock);
  z.update([node('1', true), node('2', true), node('3', false)]);
  const a = ':\u0000:a';
  assert.deepEqual(z.admit(a), { policy: 'allow' });
  const second = z.admit(a);
  assert.equal(second.policy, 'hold');
  assert.ok((second.retryMs ?? 0) > 0);
  clock.step(10_000);
  assert.deepEqual(z.admit(a), { policy: 'allow' }, 'one node per 10 s');

  z.update([node('1', true), node('2', false), node('3', false), node('4', false), node('5', true, 'b')]);
  assert.equal(z.stateOf(a), 'PartialDisruption');
  assert.equal(z.admit(a).policy, 'hold', 'a small cluster does not evict from a partially disrupted zone');
  assert.equal(z.admit(':\u0000:b').policy, 'allow', 'a healthy zone still does');

  z.update([node('1', false, 'a'), node('2', false, 'b')]);
  assert.ok(z.allFullyDisrupted());
  assert.deepEqual(z.admit(a), { policy: 'remove' });
});

test('hold keeps an existing NoExecute health taint, remove lifts it, NoSchedule ones stay', () => {
  const down: Node = { metadata: { name: 'n' }, spec: { taints: [] }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  assert.deepEqual(reconcileTaints(down, 'T', 'hold'), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
  const tainted: Node = { ...down, spec: { taints: reconcileTaints(down, 'T')! } };
  assert.equal(reconcileTaints(tainted, 'T', 'hold'), undefined);
  assert.deepEqual(reconcileTaints(tainted, 'T', 'remove'), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
});
