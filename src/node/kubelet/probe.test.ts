// httpGet and tcpSocket probes against loopback servers: the outcomes, and failure messages worded as upstream's
// (Go's "dial tcp HOST:PORT: connect: connection refused", "HTTP probe failed with statuscode: 404"), since
// users read and match them in Unhealthy events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container } from 'kubernetes-types/core/v1.js';
import type { CriClient } from '../cri/client.ts';
import { runProbe, type ProbeTarget } from './probe.ts';

/** http and tcp probes never touch the CRI. */
const target: ProbeTarget = { cri: {} as CriClient, containerId: 'c', podIP: '127.0.0.1', container: { name: 'c' } as Container };

async function listen(srv: Server): Promise<number> {
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return (srv.address() as AddressInfo).port;
}

/** A loopback port that nothing listens on (just released by a server of ours). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  const port = await listen(srv);
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

test('httpGet: 2xx succeeds, 404 fails with its status code', async () => {
  const srv = createServer((req, res) => {
    res.statusCode = req.url === '/ok' ? 200 : 404;
    res.end();
  });
  const port = await listen(srv);
  try {
    assert.deepEqual(await runProbe({ httpGet: { path: '/ok', port } }, target), { ok: true, output: '' });
    assert.deepEqual(await runProbe({ httpGet: { path: '/missing', port } }, target), { ok: false, output: 'HTTP probe failed with statuscode: 404' });
  } finally {
    await new Promise((resolve) => srv.close(resolve));
  }
});

test('a refused connection reads as Go dialing it: httpGet and tcpSocket', async () => {
  const port = await closedPort();
  assert.deepEqual(await runProbe({ httpGet: { path: '/missing', port } }, target), {
    ok: false, output: `Get "http://127.0.0.1:${port}/missing": dial tcp 127.0.0.1:${port}: connect: connection refused`,
  });
  assert.deepEqual(await runProbe({ tcpSocket: { port } }, target), { ok: false, output: `dial tcp 127.0.0.1:${port}: connect: connection refused` });
});

test('an IPv6 pod address is bracketed in the message, as Go writes host:port', async () => {
  const port = await closedPort();
  const v6 = { ...target, podIP: '::1' };
  const out = await runProbe({ tcpSocket: { port } }, v6);
  assert.equal(out.ok, false);
  // ::1 may be refused or, without IPv6 loopback, unreachable; either way the address is bracketed
  assert.match(out.output, new RegExp(`^dial tcp \\[::1\\]:${port}: connect: `));
});
