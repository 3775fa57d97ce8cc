import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import { isOurs, nodeIngress, serviceLBClass } from './servicelb.ts';

const node = (name: string, addresses: { type: string; address: string }[], labels?: Record<string, string>): Node =>
  ({ metadata: { name, labels }, status: { addresses } });

test('ingress: each node InternalIP (ExternalIP if none), sorted numerically, excluded nodes skipped', () => {
  const nodes = [
    node('a', [{ type: 'InternalIP', address: '10.0.0.10' }, { type: 'ExternalIP', address: '192.0.2.1' }]),
    node('b', [{ type: 'ExternalIP', address: '10.0.0.9' }]),
    node('c', [{ type: 'InternalIP', address: '10.0.0.11' }], { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }),
    node('d', [{ type: 'Hostname', address: 'd' }]),
  ];
  assert.deepEqual(nodeIngress(nodes), [{ ip: '10.0.0.9', ipMode: 'VIP' }, { ip: '10.0.0.10', ipMode: 'VIP' }]);
});

test('only LoadBalancer services without a class, or with ours, are ours', () => {
  const lb = (spec: Service['spec']): Service => ({ spec: { type: 'LoadBalancer', ...spec } });
  assert.equal(isOurs(lb({})), true);
  assert.equal(isOurs(lb({ loadBalancerClass: serviceLBClass })), true);
  assert.equal(isOurs(lb({ loadBalancerClass: 'example.com/other' })), false);
  assert.equal(isOurs({ spec: { type: 'NodePort' } }), false);
});
