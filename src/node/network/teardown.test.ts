import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cniNetworks, hostGwRoutes, removeCniResults } from './teardown.ts';
import { bridgeConflist } from './cni.ts';

test('host-gw routes are the routes via a gateway into the cluster CIDR, nothing else', () => {
  const routes = [
    { dst: 'default', gateway: '192.0.2.1' },
    { dst: '10.42.1.0/24', gateway: '192.0.2.7' },
    { dst: '10.42.0.0/24' }, // our own podCIDR on the bridge: no gateway
    { dst: '10.43.0.0/24', gateway: '192.0.2.7' }, // outside 10.42.0.0/16
    { dst: '10.0.0.0/8', gateway: '192.0.2.7' }, // wider than the cluster CIDR
    { dst: '10.42.9.9', gateway: '192.0.2.8' },
  ];
  assert.deepEqual(hostGwRoutes(routes, '10.42.0.0/16'), [{ dst: '10.42.1.0/24', via: '192.0.2.7' }, { dst: '10.42.9.9/32', via: '192.0.2.8' }]);
  assert.deepEqual(hostGwRoutes(routes, 'nonsense'), []);
});

test('the CNI configs name the networks and bridges; only that network\'s cached results are removed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cni-teardown-'));
  try {
    const conf = join(dir, 'net.d');
    mkdirSync(conf);
    writeFileSync(join(conf, '10-skiff.conflist'), JSON.stringify(bridgeConflist({ podCIDR: '10.42.0.0/24', bridge: 'br7', network: 'br7', ipamDir: '/x' })));
    writeFileSync(join(conf, 'junk.conflist'), '{');
    assert.deepEqual(cniNetworks(conf), [{ network: 'br7', bridge: 'br7' }]);
    assert.deepEqual(cniNetworks(join(dir, 'none')), []);
    const results = join(dir, 'results');
    mkdirSync(results);
    const id = 'ab'.repeat(32);
    for (const f of [`br7-${id}-eth0`, `br7x-${id}-eth0`, `br7-short-eth0`, `other-${id}-eth0`]) writeFileSync(join(results, f), '{}');
    assert.deepEqual(removeCniResults('br7', results), [`br7-${id}-eth0`]);
    assert.deepEqual(readdirSync(results).sort(), [`br7-short-eth0`, `br7x-${id}-eth0`, `other-${id}-eth0`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
