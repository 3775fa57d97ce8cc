import { test } from 'node:test';
import assert from 'node:assert/strict';
import { semanticEqual } from './equality.ts';

test('key order does not matter, array order does', () => {
  assert.ok(semanticEqual({ a: 1, b: { x: 'y', z: [1, 2] } }, { b: { z: [1, 2], x: 'y' }, a: 1 }));
  assert.ok(!semanticEqual({ z: [1, 2] }, { z: [2, 1] }));
});

test('absent and null are equal; a different or extra value is not', () => {
  assert.ok(semanticEqual({ a: 1, t: null }, { a: 1 }));
  assert.ok(semanticEqual({ a: 1 }, { a: 1, u: undefined }));
  assert.ok(!semanticEqual({ a: 1 }, { a: 1, b: 0 }));
  assert.ok(!semanticEqual({ a: '1' }, { a: 1 }));
  assert.ok(!semanticEqual({ a: [] }, { a: {} }));
  assert.ok(!semanticEqual({ a: {} }, { a: 'x' }));
});

test('an empty array equals an absent or null one (a nil and an empty Go slice); an empty object does not', () => {
  assert.ok(semanticEqual({ a: 1, finalizers: [] }, { a: 1 }));
  assert.ok(semanticEqual({ a: 1 }, { a: 1, finalizers: [] }));
  assert.ok(semanticEqual({ finalizers: null }, { finalizers: [] }));
  assert.ok(semanticEqual({ spec: { containers: [{ name: 'c', ports: [] }] } }, { spec: { containers: [{ name: 'c' }] } }));
  assert.ok(semanticEqual([], undefined));
  // an empty array is still not an empty object, nor a non-empty array
  assert.ok(!semanticEqual({ a: [] }, { a: {} }));
  assert.ok(!semanticEqual({ a: [] }, { a: [0] }));
  assert.ok(!semanticEqual({}, { a: [null] }));
  // `emptyDir: {}` means something: a pointer to an empty struct is not nil
  assert.ok(!semanticEqual({ name: 'v', emptyDir: {} }, { name: 'v' }));
  assert.ok(!semanticEqual({ labels: {} }, {}));
});
