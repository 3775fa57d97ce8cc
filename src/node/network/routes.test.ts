import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { resourceRef } from '../../client/index.ts';
import { startApiServer } from '../../client/testing/apiserver.ts';
import { until } from '../../client/testing/until.ts';
import { desiredRoutes, runRouteController } from './routes.ts';

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

test('the controller adds, keeps, retries sparingly and removes routes as Nodes come, change and go', async () => {
  const api = await startApiServer();
  const client = api.client();
  const ac = new AbortController();
  const calls: string[] = [];
  const logs: string[] = [];
  const ip = async (args: string[]): Promise<void> => {
    calls.push(args.join(' '));
    if (args.includes('192.0.2.99')) throw new Error('Nexthop has invalid gateway');
  };
  const nodes = resourceRef('v1', 'nodes', false);
  try {
    await client.create<Node>(nodes, node('self', '192.0.2.1', ['10.42.0.0/24']));
    await client.create<Node>(nodes, node('b', '192.0.2.2', ['10.42.1.0/24']));
    await client.create<Node>(nodes, node('far', '192.0.2.99', ['10.42.2.0/24']));
    const done = runRouteController({ client, nodeName: 'self', nodeIP: '192.0.2.1', signal: ac.signal, log: (m) => logs.push(m), ip });
    await until(() => calls.includes('route replace 10.42.1.0/24 via 192.0.2.2') && calls.includes('route replace 10.42.2.0/24 via 192.0.2.99'), 'routes added');
    assert.ok(logs.some((l) => /adding route 10\.42\.2\.0\/24 via 192\.0\.2\.99 failed: Nexthop/.test(l)));
    // a heartbeat-like update of every node: nothing to do, the refused route is not tried again
    const before = calls.length;
    for (const n of ['b', 'far']) await client.patch<Node>(nodes, n, { metadata: { labels: { beat: '1' } } }, 'merge');
    await client.create<Node>(nodes, node('c', '192.0.2.3', ['10.42.3.0/24']));
    await until(() => calls.includes('route replace 10.42.3.0/24 via 192.0.2.3'), 'route to c');
    assert.deepEqual(calls.slice(before), ['route replace 10.42.3.0/24 via 192.0.2.3']);
    await client.delete(nodes, 'b');
    await until(() => calls.includes('route del 10.42.1.0/24 via 192.0.2.2'), 'route to b removed');
    ac.abort();
    await done;
  } finally {
    ac.abort();
    client.close();
    await api.stop();
  }
});
