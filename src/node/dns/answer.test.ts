import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer, Question } from 'dns-packet';
import { type Resolution, type ZoneOptions, resolve } from './answer.ts';
import { ipToReverse } from './names.ts';
import { clusterIPService, headlessService, service, slice } from './testing.ts';
import { CacheView, staticView } from './view.ts';
import { Cache } from '../../client/cache.ts';

const o: ZoneOptions = { zone: 'cluster.local', ttl: 5, nsIPs: ['10.43.0.10'] };
const view = staticView(
  [
    clusterIPService('default', 'web', '10.43.0.20', [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]),
    headlessService('db', 'pg', [{ name: 'postgres', port: 5432, protocol: 'TCP' }]),
    headlessService('db', 'empty'),
    service('default', 'ext', { type: 'ExternalName', externalName: 'example.com' }),
    service('default', 'internal-alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
    service('default', 'dual', { type: 'ClusterIP', clusterIP: '10.43.0.30', clusterIPs: ['10.43.0.30', 'fd00:43::30'], ports: [{ port: 80 }] }),
  ],
  [
    slice('db', 'pg', 'pg-a', [{ ip: '10.42.0.1', hostname: 'pg-0' }, { ip: '10.42.0.2', hostname: 'pg-1' }, { ip: '10.42.0.3', ready: false, hostname: 'pg-2' }], [{ name: 'postgres', port: 5432, protocol: 'TCP' }]),
    slice('db', 'pg', 'pg-b', [{ ip: '10.42.1.4' }], [{ name: 'postgres', port: 5432, protocol: 'TCP' }]),
    slice('db', 'empty', 'empty-a', [{ ip: '10.42.0.9', ready: false }]),
    slice('default', 'web', 'web-a', [{ ip: '10.42.0.7' }]),
  ],
);

function ask(name: string, type: Question['type'], v = view): Extract<Resolution, { kind: 'answer' }> {
  const r = resolve({ name, type, class: 'IN' }, v, o, 42);
  assert.equal(r.kind, 'answer', `${name} ${type} should be answered locally`);
  return r as Extract<Resolution, { kind: 'answer' }>;
}

const data = (as: Answer[]): unknown[] => as.map((a) => ('data' in a ? a.data : undefined));

test('a ClusterIP service answers its cluster IP once (several ports), TTL 5, owner name as asked', () => {
  const r = ask('Web.default.svc.cluster.local', 'A');
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers, [{ name: 'Web.default.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, data: '10.43.0.20' }]);
});

test('a headless service answers every ready endpoint over all its slices, not the not-ready one', () => {
  assert.deepEqual(data(ask('pg.db.svc.cluster.local', 'A').answers).sort(), ['10.42.0.1', '10.42.0.2', '10.42.1.4']);
});

test('per-endpoint names: hostname when set, dashed address otherwise; a not-ready endpoint has no name', () => {
  assert.deepEqual(data(ask('pg-1.pg.db.svc.cluster.local', 'A').answers), ['10.42.0.2']);
  assert.deepEqual(data(ask('10-42-1-4.pg.db.svc.cluster.local', 'A').answers), ['10.42.1.4']);
  assert.equal(ask('pg-2.pg.db.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
});

test('a headless service without ready endpoints does not exist (NXDOMAIN, as CoreDNS)', () => {
  const r = ask('empty.db.svc.cluster.local', 'A');
  assert.equal(r.rcode, 'NXDOMAIN');
  assert.equal(r.authorities[0].type, 'SOA');
});

test('NODATA: an existing name without records of the type is NOERROR, no answer, SOA in authority', () => {
  for (const [name, type] of [['web.default.svc.cluster.local', 'AAAA'], ['web.default.svc.cluster.local', 'MX'], ['default.svc.cluster.local', 'A'], ['svc.cluster.local', 'A'], ['cluster.local', 'A']] as const) {
    const r = ask(name, type);
    assert.equal(r.rcode, 'NOERROR', `${name} ${type}`);
    assert.deepEqual(r.answers, []);
    assert.equal(r.authorities.length, 1);
    assert.deepEqual(r.authorities[0], { name: 'cluster.local', type: 'SOA', class: 'IN', ttl: 5, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 42, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } });
  }
});

test('NXDOMAIN for absent services, too-long names and non-svc/pod names in the zone', () => {
  for (const n of ['nope.default.svc.cluster.local', 'a.b.c.web.default.svc.cluster.local', 'foo.cluster.local', '_x._tcp.web.default.svc.cluster.local']) {
    assert.equal(ask(n, 'A').rcode, 'NXDOMAIN', n);
  }
});

test('dual-stack services answer A and AAAA from their cluster IPs', () => {
  assert.deepEqual(data(ask('dual.default.svc.cluster.local', 'A').answers), ['10.43.0.30']);
  assert.deepEqual(data(ask('dual.default.svc.cluster.local', 'AAAA').answers), ['fd00:43::30']);
});

test('ExternalName is a CNAME; an out-of-zone target is to be chased upstream, an in-zone one is not', () => {
  const r = ask('ext.default.svc.cluster.local', 'A');
  assert.deepEqual(r.answers, [{ name: 'ext.default.svc.cluster.local', type: 'CNAME', class: 'IN', ttl: 5, data: 'example.com' }]);
  assert.equal(r.chase, 'example.com');
  const alias = ask('internal-alias.default.svc.cluster.local', 'A');
  assert.equal(alias.chase, undefined);
  assert.deepEqual(data(alias.answers), ['web.default.svc.cluster.local', '10.43.0.20'], 'an in-zone target is followed locally');
  assert.deepEqual(data(ask('ext.default.svc.cluster.local', 'CNAME').answers), ['example.com']);
});

test('SRV for a named port: ClusterIP targets the service name, headless targets each endpoint, with A additionals', () => {
  const web = ask('_http._tcp.web.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(web.answers), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
  assert.deepEqual(web.additionals.map((a) => [a.name, a.type, 'data' in a && a.data]), [['web.default.svc.cluster.local', 'A', '10.43.0.20']]);
  const dnsPort = ask('_dns._udp.web.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(dnsPort.answers), [{ priority: 0, weight: 100, port: 53, target: 'web.default.svc.cluster.local' }]);
  const pg = ask('_postgres._tcp.pg.db.svc.cluster.local', 'SRV');
  assert.deepEqual(data(pg.answers), [
    { priority: 0, weight: 33, port: 5432, target: 'pg-0.pg.db.svc.cluster.local' },
    { priority: 0, weight: 33, port: 5432, target: 'pg-1.pg.db.svc.cluster.local' },
    { priority: 0, weight: 33, port: 5432, target: '10-42-1-4.pg.db.svc.cluster.local' },
  ]);
  assert.deepEqual(pg.additionals.map((a) => 'data' in a && a.data), ['10.42.0.1', '10.42.0.2', '10.42.1.4']);
  // SRV on the bare service name lists every port
  assert.equal(ask('web.default.svc.cluster.local', 'SRV').answers.length, 2);
});

test('PTR: a cluster IP names its service, an endpoint address its endpoint; unknown addresses go upstream', () => {
  assert.deepEqual(data(ask(ipToReverse('10.43.0.20'), 'PTR').answers), ['web.default.svc.cluster.local']);
  assert.deepEqual(data(ask(ipToReverse('10.42.0.1'), 'PTR').answers), ['pg-0.pg.db.svc.cluster.local']);
  assert.deepEqual(data(ask(ipToReverse('10.42.1.4'), 'PTR').answers), ['10-42-1-4.pg.db.svc.cluster.local']);
  assert.deepEqual(resolve({ name: ipToReverse('8.8.8.8'), type: 'PTR' }, view, o, 1), { kind: 'forward' });
});

test('pod A records (pods insecure): the address comes from the name', () => {
  assert.deepEqual(data(ask('10-42-0-99.anyns.pod.cluster.local', 'A').answers), ['10.42.0.99']);
  assert.deepEqual(data(ask('fd00--99.anyns.pod.cluster.local', 'AAAA').answers), ['fd00::99']);
  assert.equal(ask('not-an-ip.anyns.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
});

test('apex SOA and NS, ns.dns A, dns-version TXT; outside names are forwarded', () => {
  assert.equal(ask('cluster.local', 'SOA').answers[0].type, 'SOA');
  const ns = ask('cluster.local', 'NS');
  assert.deepEqual(data(ns.answers), ['ns.dns.cluster.local']);
  assert.deepEqual(data(ns.additionals), ['10.43.0.10']);
  assert.deepEqual(data(ask('ns.dns.cluster.local', 'A').answers), ['10.43.0.10']);
  assert.deepEqual(data(ask('dns-version.cluster.local', 'TXT').answers), ['1.1.0']);
  assert.deepEqual(resolve({ name: 'example.com', type: 'A' }, view, o, 1), { kind: 'forward' });
});

test('before the caches sync, a missing name is SERVFAIL, not NXDOMAIN', () => {
  const unsynced = new CacheView(new Cache(), new Cache(), () => false);
  assert.equal(ask('web.default.svc.cluster.local', 'A', unsynced).rcode, 'SERVFAIL');
});
