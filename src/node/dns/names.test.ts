import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIPv6, endpointLabel, ipToReverse, parseName, podLabelToIP, reverseToIP } from './names.ts';

test('names in the zone parse as CoreDNS parses a request', () => {
  const z = 'cluster.local';
  assert.deepEqual(parseName('Web.Default.svc.cluster.local.', z), { kind: 'svc', namespace: 'default', service: 'web', endpoint: '', port: '', protocol: '' });
  assert.deepEqual(parseName('web-0.web.ns.svc.cluster.local', z), { kind: 'svc', namespace: 'ns', service: 'web', endpoint: 'web-0', port: '', protocol: '' });
  assert.deepEqual(parseName('_http._tcp.web.ns.svc.cluster.local', z), { kind: 'svc', namespace: 'ns', service: 'web', endpoint: '', port: 'http', protocol: 'tcp' });
  assert.deepEqual(parseName('1-2-3-4.ns.pod.cluster.local', z), { kind: 'pod', namespace: 'ns', service: '1-2-3-4', endpoint: '', port: '', protocol: '' });
  assert.deepEqual(parseName('ns.svc.cluster.local', z), { kind: 'svc', namespace: 'ns', service: '', endpoint: '', port: '', protocol: '' });
  assert.deepEqual(parseName('cluster.local.', z), { kind: 'apex' });
  assert.deepEqual(parseName('a.b.c.web.ns.svc.cluster.local', z), { kind: 'invalid' });
  assert.deepEqual(parseName('foo.cluster.local', z), { kind: 'invalid' });
  assert.deepEqual(parseName('example.com', z), { kind: 'outside' });
  assert.deepEqual(parseName('notcluster.local', z), { kind: 'outside' });
  assert.deepEqual(parseName('ns.dns.cluster.local', z), { kind: 'ns' });
});

test('reverse names round-trip for IPv4 and IPv6; partial reverse zones carry no address', () => {
  assert.equal(reverseToIP('4.3.2.1.in-addr.arpa.'), '1.2.3.4');
  assert.equal(ipToReverse('10.43.0.10'), '10.0.43.10.in-addr.arpa');
  assert.equal(reverseToIP('43.10.in-addr.arpa'), undefined);
  assert.equal(reverseToIP('1.2.3.256.in-addr.arpa'), undefined);
  assert.equal(reverseToIP(ipToReverse('fd00:10:43::a')), 'fd00:10:43::a');
  assert.equal(canonicalIPv6('FD00:0:0:0:0:0:0:1'), 'fd00::1');
  assert.equal(canonicalIPv6('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
});

test('endpoint and pod labels are addresses with dashes', () => {
  assert.equal(endpointLabel(undefined, '10.42.0.5'), '10-42-0-5');
  assert.equal(endpointLabel('web-0', '10.42.0.5'), 'web-0');
  assert.equal(endpointLabel(undefined, 'fd00::5'), 'fd00--5');
  assert.equal(podLabelToIP('10-42-0-5'), '10.42.0.5');
  assert.equal(podLabelToIP('fd00--5'), 'fd00::5');
});
