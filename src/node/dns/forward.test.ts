import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as packet from 'dns-packet';
import { Forwarder, hostUpstreams, parseUpstream } from './forward.ts';

test('upstream addresses: host, host:port, [v6]:port, bare v6', () => {
  assert.deepEqual(parseUpstream('1.1.1.1'), { host: '1.1.1.1', port: 53 });
  assert.deepEqual(parseUpstream('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseUpstream('[fd00::1]:54'), { host: 'fd00::1', port: 54 });
  assert.deepEqual(parseUpstream('fd00::1'), { host: 'fd00::1', port: 53 });
});

test('the node resolvers come from its resolv.conf, without the cluster DNS itself', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-dns-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'resolv.conf');
  writeFileSync(file, 'nameserver 10.43.0.10\nnameserver 192.168.1.1\nsearch example.com\n');
  assert.deepEqual(hostUpstreams(file, ['10.43.0.10']), [{ host: '192.168.1.1', port: 53 }]);
  assert.deepEqual(hostUpstreams(join(dir, 'missing')), []);
});

async function udpServer(reply: boolean): Promise<{ sock: Socket; port: number; seen: number[] }> {
  const sock = createSocket('udp4');
  const seen: number[] = [];
  sock.on('message', (m, r) => {
    const q = packet.decode(m);
    seen.push(q.id!);
    if (reply) sock.send(packet.encode({ type: 'response', id: q.id, questions: q.questions, answers: [{ name: q.questions![0].name, type: 'A', data: '192.0.2.7' }] }), r.port, r.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { sock, port: sock.address().port, seen };
}

test('a silent upstream times out and the next one answers; none answering gives undefined', async (t) => {
  const silent = await udpServer(false);
  const live = await udpServer(true);
  t.after(() => { silent.sock.close(); live.sock.close(); });
  const q = packet.encode({ type: 'query', id: 99, questions: [{ name: 'x.test', type: 'A' }] });
  const f = new Forwarder([{ host: '127.0.0.1', port: silent.port }, { host: '127.0.0.1', port: live.port }], 150);
  const r = await f.exchange(q, 'udp');
  assert.ok(r);
  assert.deepEqual(packet.decode(r).answers!.map((a) => 'data' in a && a.data), ['192.0.2.7']);
  assert.deepEqual(silent.seen, [99], 'the silent upstream was asked first');
  assert.equal(await new Forwarder([{ host: '127.0.0.1', port: silent.port }], 100).exchange(q, 'udp'), undefined);
});
