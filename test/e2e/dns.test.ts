// Cluster DNS end to end: a real API server, Services and EndpointSlices written through the API, the DNS server
// (an ordinary API client) on loopback, queried with dns-packet over UDP and TCP; names outside the zone go to a
// fake upstream resolver on loopback, which can also stay silent to show the SERVFAIL on timeout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import * as packet from 'dns-packet';
import type { DecodedPacket, Question } from 'dns-packet';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RestClient } from '../../src/client/rest.ts';
import type { Informer } from '../../src/client/informer.ts';
import { endpointSlicesRef, servicesRef, startClusterDns, type RunningClusterDns } from '../../src/node/dns/index.ts';
import { ipToReverse } from '../../src/node/dns/names.ts';
import { clusterIPService, headlessService, service, slice } from '../../src/node/dns/testing.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const host = '127.0.0.7';
const upstreamHost = '127.0.0.8';
let s: TestServer;
let client: RestClient;
let dns: RunningClusterDns;
let upstream: { udp: Socket; tcp: Server; port: number };
const ctl = new AbortController();

/** A resolver for the world outside the cluster: example.test → 192.0.2.1, silent.test never answers. */
async function startUpstream(): Promise<{ udp: Socket; tcp: Server; port: number }> {
  const answer = (raw: Buffer): Buffer | undefined => {
    const q = packet.decode(raw);
    const name = q.questions![0].name;
    if (name === 'silent.test') return undefined;
    const known = name === 'example.test' || name === 'alias-target.test';
    return packet.encode({
      type: 'response', id: q.id, flags: packet.RECURSION_AVAILABLE | (known ? 0 : 3), questions: q.questions,
      answers: known ? [{ name, type: 'A', ttl: 30, data: '192.0.2.1' }] : [],
    });
  };
  const udp = createSocket('udp4');
  udp.on('message', (m, r) => {
    const out = answer(m);
    if (out) udp.send(out, r.port, r.address);
  });
  const tcp = createServer((c) => c.on('data', (d) => {
    const out = answer(d.subarray(2));
    if (!out) return;
    const len = Buffer.alloc(2);
    len.writeUInt16BE(out.length);
    c.write(Buffer.concat([len, out]));
  }));
  await new Promise<void>((r) => tcp.listen(0, upstreamHost, () => r()));
  const port = (tcp.address() as { port: number }).port;
  await new Promise<void>((r) => udp.bind(port, upstreamHost, () => r()));
  return { udp, tcp, port };
}

let nextId = 1;
function query(name: string, type: Question['type'], transport: 'udp' | 'tcp' = 'udp', edns?: number): Promise<DecodedPacket> {
  const q = packet.encode({
    type: 'query', id: nextId++, flags: packet.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${name} ${type} over ${transport}`)), 5000);
    const done = (b: Buffer, close: () => void): void => {
      clearTimeout(timer);
      close();
      resolve(packet.decode(b));
    };
    if (transport === 'udp') {
      const sock = createSocket('udp4');
      sock.on('message', (m) => done(m, () => sock.close()));
      sock.send(q, dns.port, host);
      return;
    }
    const c = connect({ host, port: dns.port });
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)), () => c.destroy());
    });
    c.on('error', reject);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(q.length);
    c.write(Buffer.concat([len, q]));
  });
}

const rcode = (p: DecodedPacket): number => (p.flags ?? 0) & 15;
const datas = (p: DecodedPacket): unknown[] => (p.answers ?? []).map((a) => ('data' in a ? a.data : undefined));

/** Resolves when the informer has seen the object at this write's resourceVersion (already cached counts: the
 *  registration replays the cache synchronously, so the handler is removed only after it is known). */
function seen<T extends Service | EndpointSlice>(inf: Informer<T>, written: T): Promise<void> {
  return new Promise((resolve) => {
    let hit = false;
    let remove: (() => void) | undefined;
    const check = (o: T): void => {
      if (o.metadata?.uid !== written.metadata?.uid || o.metadata?.resourceVersion !== written.metadata?.resourceVersion) return;
      hit = true;
      remove?.();
      resolve();
    };
    remove = inf.addEventHandler({ onAdd: check, onUpdate: (_old, o) => check(o) });
    if (hit) remove();
  });
}

before(async () => {
  s = await startTestServer();
  client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'dns-e2e', qps: 0 });
  await client.create(servicesRef, { ...clusterIPService('default', 'web', '10.43.7.7', [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }]) });
  await client.create(servicesRef, headlessService('default', 'db', [{ name: 'pg', port: 5432, protocol: 'TCP' }]));
  await client.create(endpointSlicesRef, slice('default', 'db', 'db-1', [
    { ip: '10.42.0.10', hostname: 'db-0' }, { ip: '10.42.0.11', hostname: 'db-1' }, { ip: '10.42.0.12', hostname: 'db-2', ready: false },
  ], [{ name: 'pg', port: 5432, protocol: 'TCP' }]));
  await client.create(servicesRef, service('default', 'alias', { type: 'ExternalName', externalName: 'alias-target.test' }));
  await client.create(servicesRef, headlessService('default', 'wide'));
  await client.create(endpointSlicesRef, slice('default', 'wide', 'wide-1', Array.from({ length: 40 }, (_, i) => ({ ip: `10.42.1.${i + 1}` }))));
  upstream = await startUpstream();
  dns = await startClusterDns({
    client, host, port: 0, upstreams: [{ host: upstreamHost, port: upstream.port }], forwardTimeoutMs: 300,
    nsIPs: ['10.43.0.10'], signal: ctl.signal,
  });
});

after(async () => {
  ctl.abort();
  await dns?.done;
  upstream?.udp.close();
  upstream?.tcp.close();
  client?.close();
  await s?.stop();
});

test('service A record over UDP and TCP: the cluster IP, authoritative, TTL 5', async () => {
  for (const t of ['udp', 'tcp'] as const) {
    const r = await query('web.default.svc.cluster.local', 'A', t);
    assert.equal(rcode(r), 0);
    assert.ok(r.flag_aa);
    assert.deepEqual(datas(r), ['10.43.7.7']);
    assert.equal(r.answers![0].type === 'A' && r.answers![0].ttl, 5);
  }
});

test('headless service: every ready endpoint, the not-ready one left out; per-pod hostnames', async () => {
  assert.deepEqual(datas(await query('db.default.svc.cluster.local', 'A')).sort(), ['10.42.0.10', '10.42.0.11']);
  assert.deepEqual(datas(await query('db-1.db.default.svc.cluster.local', 'A')), ['10.42.0.11']);
  assert.equal(rcode(await query('db-2.db.default.svc.cluster.local', 'A')), 3);
});

test('SRV for a named port; PTR for a cluster IP and an endpoint; pod A records', async () => {
  const srv = await query('_http._tcp.web.default.svc.cluster.local', 'SRV', 'tcp');
  assert.deepEqual(datas(srv), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
  const pg = await query('_pg._tcp.db.default.svc.cluster.local', 'SRV');
  assert.deepEqual(datas(pg).map((d) => (d as { target: string }).target).sort(), ['db-0.db.default.svc.cluster.local', 'db-1.db.default.svc.cluster.local']);
  assert.deepEqual(datas(await query(ipToReverse('10.43.7.7'), 'PTR')), ['web.default.svc.cluster.local']);
  assert.deepEqual(datas(await query(ipToReverse('10.42.0.10'), 'PTR')), ['db-0.db.default.svc.cluster.local']);
  assert.deepEqual(datas(await query('10-42-3-4.default.pod.cluster.local', 'A')), ['10.42.3.4']);
});

test('NXDOMAIN for a missing service, NODATA (NOERROR, no answer, SOA) for a missing type', async () => {
  const nx = await query('nope.default.svc.cluster.local', 'A');
  assert.equal(rcode(nx), 3);
  assert.equal(nx.authorities![0].type, 'SOA');
  const nodata = await query('web.default.svc.cluster.local', 'AAAA');
  assert.equal(rcode(nodata), 0);
  assert.deepEqual(nodata.answers, []);
  assert.equal(nodata.authorities![0].type, 'SOA');
});

test('a big answer is truncated over UDP (TC) and whole over TCP or with a large EDNS buffer', async () => {
  const udp = await query('wide.default.svc.cluster.local', 'A', 'udp');
  assert.ok(udp.flag_tc);
  assert.ok(udp.answers!.length < 40);
  assert.equal((await query('wide.default.svc.cluster.local', 'A', 'tcp')).answers!.length, 40);
  const edns = await query('wide.default.svc.cluster.local', 'A', 'udp', 4096);
  assert.ok(!edns.flag_tc);
  assert.equal(edns.answers!.length, 40);
});

test('other names go upstream over UDP and TCP; a silent upstream means SERVFAIL', async () => {
  for (const t of ['udp', 'tcp'] as const) {
    const r = await query('example.test', 'A', t);
    assert.equal(rcode(r), 0);
    assert.deepEqual(datas(r), ['192.0.2.1']);
    assert.ok(r.flag_ra, 'the reply is the upstream one');
  }
  assert.equal(rcode(await query('unknown.test', 'A')), 3);
  assert.equal(rcode(await query('silent.test', 'A')), 2);
  // a reverse name no service owns falls through to the upstream too
  assert.equal(rcode(await query(ipToReverse('203.0.113.9'), 'PTR')), 3);
});

test('ExternalName answers a CNAME plus the target addresses from upstream', async () => {
  const r = await query('alias.default.svc.cluster.local', 'A');
  assert.deepEqual((r.answers ?? []).map((a) => a.type), ['CNAME', 'A']);
  assert.deepEqual(datas(r), ['alias-target.test', '192.0.2.1']);
});

test('changes are answered once the informers have seen them', async () => {
  const svc = await client.create(servicesRef, clusterIPService('default', 'late', '10.43.7.8'));
  await seen(dns.services, svc);
  assert.deepEqual(datas(await query('late.default.svc.cluster.local', 'A')), ['10.43.7.8']);

  const cur = await client.get<EndpointSlice>(endpointSlicesRef, 'db-1', { namespace: 'default' });
  cur.endpoints = cur.endpoints!.map((e) => ({ ...e, conditions: { ready: e.hostname !== 'db-0' } }));
  const updated = await client.update(endpointSlicesRef, cur);
  await seen(dns.endpointSlices, updated);
  assert.deepEqual(datas(await query('db.default.svc.cluster.local', 'A')).sort(), ['10.42.0.11', '10.42.0.12']);

  await client.delete(servicesRef, 'late', { namespace: 'default' });
  await new Promise<void>((resolve) => {
    if (!dns.services.lister.get('default', 'late')) return resolve();
    const remove = dns.services.addEventHandler({ onDelete: (o) => o.metadata?.name === 'late' && (remove(), resolve()) });
  });
  assert.equal(rcode(await query('late.default.svc.cluster.local', 'A')), 3);
});

test('garbage gets FORMERR (or nothing when it has no header) and the server keeps answering', async () => {
  const sock = createSocket('udp4');
  const replies: Buffer[] = [];
  sock.on('message', (m) => replies.push(m));
  sock.send(Buffer.from([1, 2, 3]), dns.port, host);
  sock.send(Buffer.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f, 0x41]), dns.port, host);
  const formerr = await new Promise<Buffer>((resolve) => sock.once('message', resolve));
  sock.close();
  assert.equal(formerr.readUInt16BE(0), 0xabcd);
  assert.equal(formerr.readUInt16BE(2) & 15, 1);
  assert.deepEqual(replies, [formerr], 'the header-less datagram got no reply');
  const notimp = await (async () => {
    const q = packet.encode({ type: 'query', id: 5, flags: 2 << 11, questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }] });
    const s2 = createSocket('udp4');
    s2.send(q, dns.port, host);
    const m = await new Promise<Buffer>((resolve) => s2.once('message', resolve));
    s2.close();
    return packet.decode(m);
  })();
  assert.equal(rcode(notimp), 4, 'opcode STATUS is not implemented');
  assert.deepEqual(datas(await query('web.default.svc.cluster.local', 'A')), ['10.43.7.7']);
});
