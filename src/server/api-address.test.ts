import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiUrl, defaultAdvertiseAddress, listensEverywhere, localApiHost } from './api-address.ts';

test('the server\'s own kubeconfigs say loopback when the API listens there, else the address it listens on', () => {
  assert.equal(localApiHost('0.0.0.0'), '127.0.0.1');
  assert.equal(localApiHost('::'), '127.0.0.1');
  assert.equal(localApiHost('127.0.0.1'), '127.0.0.1');
  assert.equal(localApiHost('192.0.2.5'), '192.0.2.5');
  assert.equal(apiUrl('192.0.2.5', 6443), 'https://192.0.2.5:6443');
  assert.equal(apiUrl('::1', 6443), 'https://[::1]:6443');
});

test('the advertised address is never one a pod cannot reach when the host has one to give', () => {
  assert.equal(defaultAdvertiseAddress('192.0.2.5', '192.0.2.9'), '192.0.2.5');
  assert.equal(defaultAdvertiseAddress('0.0.0.0', '192.0.2.9'), '192.0.2.9');
  assert.equal(defaultAdvertiseAddress('127.0.0.1', '192.0.2.9'), '192.0.2.9');
  assert.equal(defaultAdvertiseAddress('::', '192.0.2.9'), '192.0.2.9');
  assert.ok(listensEverywhere('0.0.0.0'));
  assert.ok(!listensEverywhere('127.0.0.1'));
});
