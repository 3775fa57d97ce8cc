// The in-process transport carries HTTP(S) over an in-memory pipe into a server object that listens on no port.
// What is under test is the byte path (keep-alive reuse, a long-lived streamed response, TLS with client
// certificates), so the server is a few lines of node:http(s) that report what they saw — not an API server.
// (Running the real ApiServer in memory needs it to expose its http(s).Server; see the client tests' harness.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { KubeObject } from '../api/object.ts';
import { inProcessTransport } from './in-process.ts';
import { RestClient } from './rest.ts';
import { resourceRef } from './resource-ref.ts';
import { makeTestPki } from './testing/certs.ts';
import { until } from './testing/until.ts';

const cms = resourceRef('v1', 'configmaps');

/** Answers GETs with the path and the client certificate's CN; a watch streams one event per POST until closed. */
function echoServer<S extends http.Server>(server: S) {
  const watches = new Set<http.ServerResponse>();
  const connections = new Set<unknown>();
  server.on('connection', (s) => connections.add(s));
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const cn = (req.socket as Partial<TLSSocket>).getPeerCertificate?.()?.subject?.CN ?? '';
    if (req.url?.includes('watch=true')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      watches.add(res);
      res.on('close', () => watches.delete(res));
      return;
    }
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const obj = body ? JSON.parse(body) : { metadata: { name: req.url } };
      if (req.method === 'POST') for (const w of watches) w.write(JSON.stringify({ type: 'ADDED', object: obj }) + '\n');
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...obj, metadata: { ...obj.metadata, annotations: { cn } } }));
    });
  });
  return { server, watches, connections };
}

test('in-process over plain HTTP: requests and a watch, without a listening port', async () => {
  const srv = echoServer(http.createServer());
  const client = new RestClient({ server: 'http://in-process', transport: inProcessTransport(srv.server, {}) });
  const ac = new AbortController();
  try {
    assert.equal(srv.server.listening, false);
    const seen: string[] = [];
    const watching = (async () => {
      for await (const ev of client.watch(cms, { namespace: 'ns', signal: ac.signal })) seen.push(`${ev.type} ${(ev.object as KubeObject).metadata?.name}`);
    })();
    await until(() => srv.watches.size === 1, 'watch open');
    await client.create(cms, { metadata: { name: 'a', namespace: 'ns' } });
    await client.create(cms, { metadata: { name: 'b', namespace: 'ns' } });
    await until(() => seen.length === 2, 'streamed events');
    assert.deepEqual(seen, ['ADDED a', 'ADDED b']);
    const before = srv.connections.size;
    for (let i = 0; i < 20; i++) assert.equal((await client.get(cms, 'a', { namespace: 'ns' })).metadata?.name, '/api/v1/namespaces/ns/configmaps/a');
    assert.equal(srv.connections.size, before, 'sequential requests reuse a kept-alive pipe');
    ac.abort();
    await watching;
    await until(() => srv.watches.size === 0, 'the server sees the watch closed');
  } finally {
    client.close();
  }
});

test('in-process over TLS keeps client-certificate authentication', async () => {
  const pki = await makeTestPki();
  const srv = echoServer(https.createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: false }));
  const client = new RestClient({
    server: 'https://in-process',
    transport: inProcessTransport(srv.server, { ca: Buffer.from(pki.ca), cert: Buffer.from(pki.clientCert), key: Buffer.from(pki.clientKey) }),
  });
  try {
    const got = await client.get(cms, 'tls', { namespace: 'ns' });
    assert.equal(got.metadata?.annotations?.cn, 'tester', 'the server saw the client certificate');
    const anonymous = new RestClient({ server: 'https://in-process', transport: inProcessTransport(srv.server, { ca: Buffer.from(pki.ca) }) });
    assert.equal((await anonymous.get(cms, 'tls', { namespace: 'ns' })).metadata?.annotations?.cn, '', 'no certificate, no CN');
    anonymous.close();
    const untrusting = new RestClient({ server: 'https://in-process', transport: inProcessTransport(srv.server, {}) });
    await assert.rejects(untrusting.get(cms, 'tls', { namespace: 'ns' }), /self[- ]signed|unable to verify|certificate/i);
    untrusting.close();
  } finally {
    client.close();
  }
});
