import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as packet from 'dns-packet';
import type { Packet } from 'dns-packet';
import { compressNames } from './compress.ts';

const msg: Packet = {
  type: 'response', id: 9, flags: packet.AUTHORITATIVE_ANSWER,
  questions: [{ name: '_pg._tcp.db.default.svc.cluster.local', type: 'SRV', class: 'IN' }],
  answers: [
    { name: '_pg._tcp.db.default.svc.cluster.local', type: 'SRV', ttl: 5, data: { priority: 0, weight: 50, port: 5432, target: 'db-0.db.default.svc.cluster.local' } },
    { name: '_PG._tcp.db.default.svc.cluster.local', type: 'SRV', ttl: 5, data: { priority: 0, weight: 50, port: 5432, target: 'db-1.db.default.svc.cluster.local' } },
  ],
  authorities: [{ name: 'cluster.local', type: 'SOA', ttl: 5, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } }],
  additionals: [
    { name: 'db-0.db.default.svc.cluster.local', type: 'A', ttl: 5, data: '10.42.0.1' },
    { name: 'db-1.db.default.svc.cluster.local', type: 'AAAA', ttl: 5, data: 'fd00::1' },
    { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] },
  ],
};

test('compressed messages decode to the same records, smaller', () => {
  const plain = packet.encode(msg);
  const small = compressNames(plain);
  assert.ok(small.length < plain.length - 60, `${small.length} vs ${plain.length}`);
  const a = packet.decode(plain);
  const b = packet.decode(small);
  // owner names keep the first spelling of a suffix (case is not significant in DNS)
  assert.deepEqual({ ...b, answers: b.answers!.map((r) => ({ ...r, name: r.name.toLowerCase() })) }, { ...a, answers: a.answers!.map((r) => ({ ...r, name: r.name.toLowerCase() })) });
});

test('a repeated owner name costs a 2-byte pointer', () => {
  const answers = Array.from({ length: 10 }, (_, i) => ({ name: 'web.default.svc.cluster.local', type: 'A' as const, ttl: 5, data: `10.0.0.${i}` }));
  const out = compressNames(packet.encode({ type: 'response', questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }], answers }));
  assert.equal(out.length, 12 + (31 + 4) + 10 * (2 + 10 + 4));
});
