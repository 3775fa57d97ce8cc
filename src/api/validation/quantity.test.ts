import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareQuantities, parseQuantity } from './quantity.ts';

test('quantities parse exactly across suffixes', () => {
  assert.equal(parseQuantity('1'), 1_000_000_000n);
  assert.equal(parseQuantity('500m'), 500_000_000n);
  assert.equal(parseQuantity('1Ki'), 1024n * 1_000_000_000n);
  assert.equal(parseQuantity('1k'), 1000n * 1_000_000_000n);
  assert.equal(parseQuantity('1e3'), 1000n * 1_000_000_000n);
  assert.equal(parseQuantity('.5'), 500_000_000n);
  assert.equal(parseQuantity(2), 2_000_000_000n);
  assert.equal(parseQuantity('-1'), -1_000_000_000n);
  assert.equal(parseQuantity('1 Gi'), undefined);
  assert.equal(parseQuantity('abc'), undefined);
});

test('comparisons', () => {
  assert.equal(compareQuantities('1Gi', '1024Mi'), 0);
  assert.equal(compareQuantities('1G', '1Gi'), -1);
  assert.equal(compareQuantities('1500m', '1.5'), 0);
  assert.equal(compareQuantities('2', '1'), 1);
  assert.equal(compareQuantities('x', '1'), undefined);
});
