import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Signals, defaultThresholds, pressureFor, readSignals } from './pressure.ts';

const Mi = 1024 * 1024;
const fs = (availableBytes: number, capacityBytes = 1000 * Mi, inodesFree = 900, inodes = 1000) => ({ availableBytes, capacityBytes, inodesFree, inodes });
const healthy: Signals = { memoryAvailableBytes: 2048 * Mi, nodefs: fs(500 * Mi), imagefs: fs(500 * Mi), pidAvailable: 30000, pidMax: 32768 };

test('a healthy host has no pressure', () => {
  assert.deepEqual(pressureFor(healthy), { memory: false, disk: false, pid: false });
});

test('memory.available below 100Mi is MemoryPressure; exactly 100Mi is not', () => {
  assert.equal(pressureFor({ ...healthy, memoryAvailableBytes: 100 * Mi - 1 }).memory, true);
  assert.equal(pressureFor({ ...healthy, memoryAvailableBytes: 100 * Mi }).memory, false);
});

test('nodefs below 10%, imagefs below 15%, or either below 5% inodes is DiskPressure', () => {
  assert.equal(pressureFor({ ...healthy, nodefs: fs(99 * Mi) }).disk, true);
  assert.equal(pressureFor({ ...healthy, nodefs: fs(100 * Mi) }).disk, false);
  assert.equal(pressureFor({ ...healthy, imagefs: fs(149 * Mi) }).disk, true);
  assert.equal(pressureFor({ ...healthy, imagefs: fs(150 * Mi) }).disk, false);
  assert.equal(pressureFor({ ...healthy, nodefs: fs(500 * Mi, 1000 * Mi, 49, 1000) }).disk, true);
  assert.equal(pressureFor({ ...healthy, imagefs: fs(500 * Mi, 1000 * Mi, 49, 1000) }).disk, true);
});

test('pid.available has no default threshold (as upstream); a configured one gives PIDPressure', () => {
  const few = { ...healthy, pidAvailable: 10 };
  assert.equal(pressureFor(few).pid, false);
  assert.equal(pressureFor(few, { ...defaultThresholds, pidAvailable: 1000 }).pid, true);
  assert.equal(pressureFor(healthy, { ...defaultThresholds, pidAvailable: 1000 }).pid, false);
});

test('this host can be measured', () => {
  const s = readSignals('.', '.');
  assert.ok(s.memoryAvailableBytes > 0 && s.nodefs.capacityBytes > 0 && s.pidMax > 0 && s.pidAvailable > 0 && s.pidAvailable < s.pidMax);
});
