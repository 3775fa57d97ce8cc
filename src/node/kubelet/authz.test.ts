import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubeletForbidden } from './authz.ts';

const node = { name: 'system:node:b', groups: ['system:nodes'] };

test('a node or kube-proxy may not use another kubelet\'s API; the API server\'s client and the admin may', () => {
  assert.equal(kubeletForbidden(node, 'POST', '/exec/default/web/c'), 'Forbidden (user=system:node:b, verb=create, resource=nodes, subresource=proxy)');
  assert.equal(kubeletForbidden(node, 'GET', '/containerLogs/default/web/c'), 'Forbidden (user=system:node:b, verb=get, resource=nodes, subresource=proxy)');
  assert.equal(kubeletForbidden(node, 'GET', '/metrics'), 'Forbidden (user=system:node:b, verb=get, resource=nodes, subresource=metrics)');
  assert.equal(kubeletForbidden({ name: 'system:kube-proxy', groups: [] }, 'GET', '/portForward/default/web'),
    'Forbidden (user=system:kube-proxy, verb=get, resource=nodes, subresource=proxy)');
  assert.equal(kubeletForbidden({ name: 'kube-apiserver-kubelet-client', groups: ['system:masters'] }, 'POST', '/exec/default/web/c'), undefined);
  assert.equal(kubeletForbidden({ name: 'system:admin', groups: ['system:masters'] }, 'GET', '/containerLogs/default/web/c'), undefined);
});
