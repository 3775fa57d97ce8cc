import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bridgeConflist, cniLayout, gatewayOf, writeCniConfig } from './cni.ts';

test('gatewayOf: the first address of the podCIDR', () => {
  assert.equal(gatewayOf('10.42.3.0/24'), '10.42.3.1');
  assert.equal(gatewayOf('10.42.3.77/24'), '10.42.3.1');
  assert.throws(() => gatewayOf('10.42.3.0/33'), /invalid IPv4 podCIDR/);
});

test('the conflist: bridge with gateway and hairpin, host-local on the podCIDR, portmap', () => {
  const c = bridgeConflist({ podCIDR: '10.42.3.0/24', bridge: 'br9', network: 'n9', ipamDir: '/d/ipam' }) as {
    name: string; plugins: { type: string; bridge?: string; isGateway?: boolean; hairpinMode?: boolean; ipam?: { dataDir: string; ranges: unknown } }[];
  };
  assert.equal(c.name, 'n9');
  assert.deepEqual(c.plugins.map((p) => p.type), ['bridge', 'portmap']);
  assert.equal(c.plugins[0].bridge, 'br9');
  assert.equal(c.plugins[0].isGateway, true);
  assert.equal(c.plugins[0].hairpinMode, true);
  assert.equal(c.plugins[0].ipam?.dataDir, '/d/ipam');
  assert.deepEqual(c.plugins[0].ipam?.ranges, [[{ subnet: '10.42.3.0/24', gateway: '10.42.3.1' }]]);
  assert.throws(() => bridgeConflist({ podCIDR: '10.42.3.0/24', bridge: 'a-very-long-bridge', ipamDir: '/d' }), /longer than 15/);
});

test('writeCniConfig writes once and reports unchanged rewrites', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cni-'));
  try {
    const layout = cniLayout(dir);
    assert.equal(writeCniConfig(layout, { podCIDR: '10.42.1.0/24' }), true);
    assert.equal(writeCniConfig(layout, { podCIDR: '10.42.1.0/24' }), false);
    assert.equal(writeCniConfig(layout, { podCIDR: '10.42.2.0/24' }), true);
    const text = readFileSync(join(layout.confDir, '10-skiff.conflist'), 'utf8');
    assert.match(text, /"subnet": "10\.42\.2\.0\/24"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
