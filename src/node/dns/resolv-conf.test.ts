import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResolvConf, maxSearchListChars, maxSearchPaths, mergeOptions, parseResolvConf, podResolvConf, type PodDnsInput } from './resolv-conf.ts';

const host = parseResolvConf('# generated\nnameserver 192.168.1.1\nnameserver 192.168.1.2 # second\nsearch corp.example.com. lab.example.com .\noptions edns0 timeout:2\n');
const base: PodDnsInput = { namespace: 'team', clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', host };

test('the node resolv.conf parses nameservers, the search line (dots dropped) and options', () => {
  assert.deepEqual(host, { nameservers: ['192.168.1.1', '192.168.1.2'], searches: ['corp.example.com', 'lab.example.com'], options: ['edns0', 'timeout:2'] });
});

test('ClusterFirst (the default): cluster DNS, namespace search path then the host searches, ndots:5', () => {
  const { conf, warnings } = podResolvConf(base);
  assert.deepEqual(warnings, []);
  assert.equal(formatResolvConf(conf), 'search team.svc.cluster.local svc.cluster.local cluster.local corp.example.com lab.example.com\nnameserver 10.43.0.10\noptions ndots:5\n');
});

test('host-network pods: ClusterFirst means the node DNS, ClusterFirstWithHostNet the cluster DNS', () => {
  assert.deepEqual(podResolvConf({ ...base, hostNetwork: true }).conf, host);
  assert.deepEqual(podResolvConf({ ...base, hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }).conf.nameservers, ['10.43.0.10']);
  assert.deepEqual(podResolvConf({ ...base, dnsPolicy: 'Default' }).conf, host);
});

test('ClusterFirst without a cluster DNS falls back to Default, with a warning', () => {
  const { conf, warnings } = podResolvConf({ ...base, clusterDNS: [] });
  assert.deepEqual(conf, host);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Falling back to "Default" policy/);
});

test('None takes only dnsConfig; dnsConfig appends to other policies and its options override by name', () => {
  const none = podResolvConf({ ...base, dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } });
  assert.equal(formatResolvConf(none.conf), 'search a.example\nnameserver 1.1.1.1\noptions ndots:2 edns0\n');
  const merged = podResolvConf({ ...base, dnsConfig: { nameservers: ['10.43.0.10', '8.8.8.8'], searches: ['svc.cluster.local', 'x.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] } });
  assert.deepEqual(merged.conf.nameservers, ['10.43.0.10', '8.8.8.8']);
  assert.deepEqual(merged.conf.searches.slice(-1), ['x.example']);
  assert.equal(merged.conf.searches.filter((s) => s === 'svc.cluster.local').length, 1);
  assert.deepEqual(merged.conf.options, ['ndots:1', 'single-request']);
  assert.deepEqual(mergeOptions(['a:1', 'b'], [{ name: 'b', value: '2' }]), ['a:1', 'b:2']);
});

test('--resolv-conf="" (no host file): Default gets the local host as nameserver', () => {
  assert.deepEqual(podResolvConf({ ...base, dnsPolicy: 'Default', host: undefined }).conf, { nameservers: ['127.0.0.1'], searches: ['.'], options: [] });
});

test('limits: 3 nameservers, 32 search paths, 2048 characters, no search path over 253 characters', () => {
  const ns = podResolvConf({ ...base, dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'] } });
  assert.deepEqual(ns.conf.nameservers, ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
  assert.match(ns.warnings[0], /^Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 1.1.1.1 2.2.2.2 3.3.3.3$/);

  const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
  const paths = podResolvConf({ ...base, dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: many } });
  assert.equal(paths.conf.searches.length, maxSearchPaths);
  assert.match(paths.warnings[0], /^Search Line limits were exceeded/);

  const long = 'x'.repeat(254);
  assert.deepEqual(podResolvConf({ ...base, dnsPolicy: 'None', dnsConfig: { searches: ['ok.example', long] } }).conf.searches, ['ok.example']);

  const wide = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, '0')}${'y'.repeat(98)}`); // 30 × 100 chars
  const chars = podResolvConf({ ...base, dnsPolicy: 'None', dnsConfig: { searches: wide } }).conf.searches;
  assert.ok(chars.join(' ').length <= maxSearchListChars);
  assert.equal(chars.length, 20, 'the last paths are cut until the line fits');
});
