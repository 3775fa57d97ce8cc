import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Measure, PressureHold, type Signals, defaultThresholds, parseEvictionHard, pressureFor, readSignals } from './pressure.ts';

const Mi = 1024 * 1024;
const m = (available: number, capacity: number): Measure => ({ available, capacity });
const healthy: Signals = {
  'memory.available': m(2048 * Mi, 4096 * Mi),
  'nodefs.available': m(500 * Mi, 1000 * Mi),
  'nodefs.inodesFree': m(900, 1000),
  'imagefs.available': m(500 * Mi, 1000 * Mi),
  'imagefs.inodesFree': m(900, 1000),
  'pid.available': m(30000, 32768),
};

test('a healthy host has no pressure', () => {
  assert.deepEqual(pressureFor(healthy), { memory: false, disk: false, pid: false });
});

test('memory.available below 100Mi is MemoryPressure; exactly 100Mi is not', () => {
  assert.equal(pressureFor({ ...healthy, 'memory.available': m(100 * Mi - 1, 4096 * Mi) }).memory, true);
  assert.equal(pressureFor({ ...healthy, 'memory.available': m(100 * Mi, 4096 * Mi) }).memory, false);
});

test('nodefs below 10%, imagefs below 15%, or either below 5% inodes is DiskPressure', () => {
  assert.equal(pressureFor({ ...healthy, 'nodefs.available': m(99 * Mi, 1000 * Mi) }).disk, true);
  assert.equal(pressureFor({ ...healthy, 'nodefs.available': m(100 * Mi, 1000 * Mi) }).disk, false);
  assert.equal(pressureFor({ ...healthy, 'imagefs.available': m(149 * Mi, 1000 * Mi) }).disk, true);
  assert.equal(pressureFor({ ...healthy, 'imagefs.available': m(150 * Mi, 1000 * Mi) }).disk, false);
  assert.equal(pressureFor({ ...healthy, 'nodefs.inodesFree': m(49, 1000) }).disk, true);
  assert.equal(pressureFor({ ...healthy, 'imagefs.inodesFree': m(49, 1000) }).disk, true);
  assert.equal(pressureFor({ ...healthy, 'imagefs.inodesFree': m(50, 1000) }).disk, false);
});

test('pid.available has no default threshold (as upstream); a configured one gives PIDPressure', () => {
  const few = { ...healthy, 'pid.available': m(10, 32768) };
  assert.equal(pressureFor(few).pid, false);
  assert.equal(pressureFor(few, { ...defaultThresholds, 'pid.available': { quantity: 1000 } }).pid, true);
  assert.equal(pressureFor(healthy, { ...defaultThresholds, 'pid.available': { quantity: 1000 } }).pid, false);
  assert.equal(pressureFor(few, { ...defaultThresholds, 'pid.available': { fraction: 0.01 } }).pid, true);
});

test('--eviction-hard: quantities and percentages override the signals named, the others keep their defaults', () => {
  const t = parseEvictionHard('memory.available<1Gi, pid.available<5%,nodefs.available<20%');
  assert.deepEqual(t['memory.available'], { quantity: 1024 * Mi });
  assert.deepEqual(t['pid.available'], { fraction: 0.05 });
  assert.deepEqual(t['nodefs.available'], { fraction: 0.2 });
  assert.deepEqual(t['imagefs.available'], { fraction: 0.15 });
  assert.equal(pressureFor(healthy, t).memory, false);
  assert.equal(pressureFor({ ...healthy, 'memory.available': m(1000 * Mi, 4096 * Mi) }, t).memory, true);
  assert.deepEqual(parseEvictionHard(''), defaultThresholds);
});

test('--eviction-hard: bad input is a clear error', () => {
  assert.throws(() => parseEvictionHard('memory.free<1Gi'), /--eviction-hard: invalid threshold "memory.free<1Gi" \(want SIGNAL<QUANTITY or SIGNAL<N%/);
  assert.throws(() => parseEvictionHard('memory.available>1Gi'), /invalid threshold "memory.available>1Gi"/);
  assert.throws(() => parseEvictionHard('nodefs.available<120%'), /invalid percentage "120%" for nodefs.available/);
  assert.throws(() => parseEvictionHard('memory.available<lots'), /invalid quantity "lots" for memory.available/);
});

test('this host can be measured', () => {
  const s = readSignals('.', '.');
  for (const [name, v] of Object.entries(s)) assert.ok(v.available >= 0 && v.available <= v.capacity && v.capacity > 0, `${name}: ${JSON.stringify(v)}`);
});

test('a pressure stays True for the transition period after it was last observed, then clears', () => {
  const hold = new PressureHold(300_000);
  const none = { memory: false, disk: false, pid: false };
  assert.deepEqual(hold.apply(none, 0), none);
  assert.deepEqual(hold.apply({ ...none, memory: true }, 1000), { ...none, memory: true });
  assert.deepEqual(hold.apply(none, 1000 + 299_999), { ...none, memory: true });
  assert.deepEqual(hold.apply({ ...none, disk: true }, 1000 + 299_999), { ...none, memory: true, disk: true });
  assert.deepEqual(hold.apply(none, 1000 + 300_000), { ...none, disk: true });
  assert.deepEqual(hold.apply(none, 1000 + 299_999 + 300_000), none);
});
