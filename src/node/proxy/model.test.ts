import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servicePorts } from './model.ts';
import { ep, slice, svc } from './fixtures.ts';

test('endpoints are matched by port name and protocol; not-ready ones are left out', () => {
  const s = svc('web', { ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'dns', port: 53, protocol: 'UDP' }] });
  const sl = slice('web', [ep('10.244.0.3'), ep('10.244.0.2', 'n2'), ep('10.244.0.4', 'n1', { ready: false })],
    [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'TCP' }]);
  const [http, dns] = servicePorts(s, [sl], 'n1');
  assert.deepEqual(http!.endpoints, [{ ip: '10.244.0.2', port: 8080, local: false }, { ip: '10.244.0.3', port: 8080, local: true }]);
  assert.equal(http!.protocol, 'tcp');
  assert.deepEqual(dns!.endpoints, [], 'a TCP slice port does not serve a UDP service port');
});

test('with no ready endpoint, serving terminating ones are used (upstream fallback); nil ready counts as ready', () => {
  const s = svc('web', { ports: [{ name: 'http', port: 80 }] });
  const terminating = ep('10.244.0.5', 'n1', { ready: false, serving: true, terminating: true });
  assert.deepEqual(servicePorts(s, [slice('web', [terminating, ep('10.244.0.6', 'n1', { ready: false })])], 'n1')[0]!.endpoints.map((e) => e.ip), ['10.244.0.5']);
  assert.deepEqual(servicePorts(s, [slice('web', [terminating, ep('10.244.0.7', 'n1', {})])], 'n1')[0]!.endpoints.map((e) => e.ip), ['10.244.0.7']);
});

test('headless and ExternalName services are not proxied; NodePort, affinity, policies and LB ingress are read', () => {
  assert.deepEqual(servicePorts(svc('h', { clusterIP: 'None', ports: [{ port: 80 }] }), [], 'n1'), []);
  assert.deepEqual(servicePorts(svc('x', { type: 'ExternalName', externalName: 'example.com' }), [], 'n1'), []);
  const [lb] = servicePorts(svc('lb', {
    type: 'LoadBalancer', externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP',
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, externalIPs: ['192.0.2.9'], ports: [{ port: 80, nodePort: 30001 }],
  }, { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }] } }), [], 'n1');
  assert.deepEqual(
    [lb!.nodePort, lb!.affinityTimeoutSeconds, lb!.externalLocal, lb!.internalLocal, lb!.loadBalancerIPs, lb!.externalIPs],
    [30001, 60, true, true, ['192.0.2.1'], ['192.0.2.9']],
  );
  const [plain] = servicePorts(svc('c', { sessionAffinity: 'ClientIP', ports: [{ port: 80, nodePort: 30002 }] }), [], 'n1');
  assert.equal(plain!.nodePort, 0, 'a ClusterIP service has no node port even if one is set');
  assert.equal(plain!.affinityTimeoutSeconds, 10_800, 'upstream default affinity timeout');
});
