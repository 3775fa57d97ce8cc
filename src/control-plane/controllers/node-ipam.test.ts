import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet } from './node-ipam.ts';

test('CidrSet hands out distinct /24s of a /16, skips occupied ones, and reuses released ones', () => {
  const set = new CidrSet('10.42.0.0/16', 24);
  assert.equal(set.count, 256);
  assert.ok(set.occupy('10.42.1.0/24'));
  assert.ok(!set.occupy('10.42.1.0/24'), 'occupied twice');
  assert.ok(!set.occupy('10.43.0.0/24'), 'outside the cluster CIDR');
  assert.equal(set.allocate(), '10.42.0.0/24');
  assert.equal(set.allocate(), '10.42.2.0/24');
  set.release('10.42.0.0/24');
  const seen = new Set<string>();
  for (let i = 0; i < 254; i++) seen.add(set.allocate()!);
  assert.equal(seen.size, 254);
  assert.ok(seen.has('10.42.0.0/24'));
  assert.equal(set.allocate(), undefined, 'exhausted');
});

test('CidrSet rejects a mask that does not fit', () => {
  assert.throws(() => new CidrSet('10.42.0.0/16', 8));
  assert.throws(() => new CidrSet('nonsense', 24));
});
