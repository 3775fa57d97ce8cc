import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstAddress, formatCidr, formatIPv4, lastAddressOf, mustParseCidr, parseCidr, parseIPv4 } from './ipv4.ts';

test('parseIPv4 reads dotted quads and refuses everything else', () => {
  assert.equal(parseIPv4('10.0.0.1'), 0x0a000001);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIPv4('0.0.0.0'), 0);
  for (const bad of ['', '10.0.0', '10.0.0.256', '10.0.0.1.2', '1000.0.0.1', 'a.b.c.d', ' 10.0.0.1', '10.0.0.-1', '::1']) {
    assert.equal(parseIPv4(bad), undefined, bad);
  }
});

test('formatIPv4 is the inverse of parseIPv4, without sign trouble at the top of the range', () => {
  for (const ip of ['0.0.0.0', '10.43.0.1', '192.168.255.254', '255.255.255.255']) assert.equal(formatIPv4(parseIPv4(ip)!), ip);
});

test('parseCidr drops host bits and reports the block size', () => {
  assert.deepEqual(parseCidr('10.42.3.7/16'), { base: parseIPv4('10.42.0.0'), bits: 16, size: 65536 });
  assert.deepEqual(parseCidr('0.0.0.0/0'), { base: 0, bits: 0, size: 2 ** 32 });
  assert.deepEqual(parseCidr('10.0.0.9/32'), { base: parseIPv4('10.0.0.9'), bits: 32, size: 1 });
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/x', '10.0.0.256/8', '10.0.0.0/008']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
  assert.throws(() => mustParseCidr('nope/8'), /invalid CIDR "nope\/8"/);
});

test('first and last addresses, and formatting a block', () => {
  assert.equal(firstAddress('10.43.0.0/16'), '10.43.0.1');
  assert.equal(formatIPv4(lastAddressOf(mustParseCidr('10.43.0.0/16'))), '10.43.255.255');
  assert.equal(formatIPv4(lastAddressOf(mustParseCidr('128.0.0.0/1'))), '255.255.255.255');
  assert.equal(formatCidr(parseIPv4('10.42.7.0')!, 24), '10.42.7.0/24');
});
