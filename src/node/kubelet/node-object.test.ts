import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeConditions } from './node-object.ts';

const byType = (l: ReturnType<typeof nodeConditions>) => Object.fromEntries(l.map((c) => [c.type, `${c.status} ${c.reason}: ${c.message}`]));

test('pressure conditions carry upstream reasons and messages both ways', () => {
  const calm = byType(nodeConditions('t0', undefined, undefined));
  assert.deepEqual(calm, {
    MemoryPressure: 'False KubeletHasSufficientMemory: kubelet has sufficient memory available',
    DiskPressure: 'False KubeletHasNoDiskPressure: kubelet has no disk pressure',
    PIDPressure: 'False KubeletHasSufficientPID: kubelet has sufficient PID available',
    Ready: 'True KubeletReady: kubelet is posting ready status',
  });
  const pressed = byType(nodeConditions('t0', undefined, undefined, { memory: true, disk: true, pid: true }));
  assert.equal(pressed.MemoryPressure, 'True KubeletHasInsufficientMemory: kubelet has insufficient memory available');
  assert.equal(pressed.DiskPressure, 'True KubeletHasDiskPressure: kubelet has disk pressure');
  assert.equal(pressed.PIDPressure, 'True KubeletHasInsufficientPID: kubelet has insufficient PID available');
});

test('a condition keeps its transition time while its status holds, and takes a new one when it flips', () => {
  const first = nodeConditions('t0', undefined, undefined);
  const same = nodeConditions('t1', first, undefined);
  assert.equal(same.find((c) => c.type === 'DiskPressure')?.lastTransitionTime, 't0');
  assert.equal(same.find((c) => c.type === 'DiskPressure')?.lastHeartbeatTime, 't1');
  const flipped = nodeConditions('t2', same, undefined, { memory: false, disk: true, pid: false });
  assert.equal(flipped.find((c) => c.type === 'DiskPressure')?.lastTransitionTime, 't2');
  assert.equal(flipped.find((c) => c.type === 'MemoryPressure')?.lastTransitionTime, 't0');
});
