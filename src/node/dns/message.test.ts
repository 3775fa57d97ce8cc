import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as packet from 'dns-packet';
import type { Answer } from 'dns-packet';
import { encodeUdp, maxUdpSize, rawError, reply } from './message.ts';

const query = (edns?: number): packet.DecodedPacket => packet.decode(packet.encode({
  type: 'query', id: 4242, flags: packet.RECURSION_DESIRED, questions: [{ name: 'big.default.svc.cluster.local', type: 'A' }],
  additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
}));

const many = (n: number): Answer[] => Array.from({ length: n }, (_, i) => ({ name: 'big.default.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, data: `10.42.${i >> 8}.${i & 255}` }));

test('a reply keeps id, question and RD, sets QR and AA and the rcode', () => {
  const r = packet.decode(packet.encode(reply(query(), { rcode: 'NXDOMAIN', authoritative: true })));
  assert.equal(r.id, 4242);
  assert.equal(r.type, 'response');
  assert.ok(r.flag_aa && r.flag_rd && !r.flag_ra && !r.flag_tc);
  assert.equal(r.flags! & 15, 3);
  assert.equal(r.questions![0].name, 'big.default.svc.cluster.local');
});

test('UDP replies over 512 bytes (no EDNS) are truncated with TC and keep only what fits', () => {
  const p = reply(query(), { rcode: 'NOERROR', answers: many(100) });
  const out = encodeUdp(p, maxUdpSize(query()));
  assert.ok(out.length <= 512, `${out.length} bytes`);
  const r = packet.decode(out);
  assert.ok(r.flag_tc);
  // 12 header + 35 question, then 16 bytes per compressed A record: 29 fit, as many as CoreDNS sends
  assert.equal(r.answers!.length, 29);
  // the same reply fits untruncated when it is small enough
  const small = packet.decode(encodeUdp(reply(query(), { rcode: 'NOERROR', answers: many(5) }), 512));
  assert.ok(!small.flag_tc);
  assert.equal(small.answers!.length, 5);
});

test('EDNS raises the UDP limit to the client buffer and the OPT record is echoed', () => {
  const q = query(4096);
  assert.equal(maxUdpSize(q), 4096);
  const r = packet.decode(encodeUdp(reply(q, { rcode: 'NOERROR', answers: many(200) }), maxUdpSize(q)));
  assert.ok(!r.flag_tc);
  assert.equal(r.answers!.length, 200);
  assert.equal(r.additionals!.filter((a) => a.type === 'OPT').length, 1);
  assert.equal(maxUdpSize(query(100)), 512, 'a buffer below 512 counts as 512');
});

test('an undecodable query gets FORMERR with its id when it has a header, and nothing otherwise', () => {
  const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xff]);
  const out = rawError(garbage, 'FORMERR')!;
  assert.equal(out.readUInt16BE(0), 0x1234);
  assert.equal(out.readUInt16BE(2) & 0x800f, 0x8001);
  assert.equal(rawError(Buffer.from([1, 2, 3]), 'FORMERR'), undefined);
});
