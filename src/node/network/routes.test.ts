import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { desiredRoutes } from './routes.ts';

const node = (name: string, ip: string | undefined, cidrs: string[]): Node => ({
  metadata: { name },
  spec: { podCIDR: cidrs[0], podCIDRs: cidrs },
  status: { addresses: ip ? [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] : [] },
});

test('routes every other node\'s IPv4 podCIDRs via its InternalIP, not our own nor nodes sharing our address', () => {
  const routes = desiredRoutes([
    node('self', '172.30.0.1', ['10.42.0.0/24']),
    node('b', '172.30.0.2', ['10.42.1.0/24', 'fd00:42:1::/64']),
    node('c', '172.30.0.3', ['10.42.2.0/24']),
    node('same-host', '172.30.0.1', ['10.42.3.0/24']),
    node('no-address', undefined, ['10.42.4.0/24']),
    node('no-cidr', '172.30.0.5', []),
  ], 'self', '172.30.0.1');
  assert.deepEqual([...routes], [['10.42.1.0/24', '172.30.0.2'], ['10.42.2.0/24', '172.30.0.3']]);
});

test('a node with only the legacy spec.podCIDR is routed too', () => {
  const n: Node = { metadata: { name: 'old' }, spec: { podCIDR: '10.42.9.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.9' }] } };
  assert.deepEqual([...desiredRoutes([n], 'self', '192.0.2.1')], [['10.42.9.0/24', '192.0.2.9']]);
});
