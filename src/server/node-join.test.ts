import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCA } from '../pki/certs.ts';
import { ApiError } from '../api/errors.ts';
import { ensureServerKubelet } from './data-dir.ts';
import { caCertsPath, clientKubeProxyPath, clientKubeletPath, nodeJoinHandlers, type NodeCertificate } from './node-join.ts';
import { formatJoinToken } from './join-token.ts';

/** The handlers on a plain HTTP server, errors answered as their Status code (as the API server does). */
async function serve(handlers: ReturnType<typeof nodeJoinHandlers>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const h = handlers[new URL(req.url ?? '/', 'http://x').pathname];
    if (!h) return void res.writeHead(404).end();
    h(req, res).catch((err: unknown) => {
      const code = err instanceof ApiError ? err.code : 500;
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(err instanceof ApiError ? err.status : {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('the join endpoint signs a node certificate for the right token only, and says why it refuses one', async () => {
  const ca = await createCA('test-ca');
  const other = await createCA('other-ca');
  const secret = 'a1b2c3d4e5f6a7b8c9d0';
  const { server, base } = await serve(nodeJoinHandlers(ca, secret));
  try {
    assert.equal(await (await fetch(base + caCertsPath)).text(), ca.certPem);
    const post = (authorization: string | undefined, name = 'worker-1') =>
      fetch(base + clientKubeletPath, { method: 'POST', headers: { ...(authorization === undefined ? {} : { authorization }), 'skiff-node-name': name } });
    const refused = async (authorization: string | undefined, message: string) => {
      const r = await post(authorization);
      assert.equal(r.status, 401, authorization);
      const body = (await r.json()) as { reason: string; message: string };
      assert.equal(body.reason, 'Unauthorized');
      assert.equal(body.message, message, authorization);
    };
    // one character off at the end, the same length: refused like any other wrong secret
    const offByOne = secret.slice(0, -1) + (secret.endsWith('0') ? '1' : '0');
    assert.equal(offByOne.length, secret.length);
    await refused(`Bearer ${formatJoinToken(ca.certPem, offByOne)}`, 'the join token is not valid for this server');
    await refused(`Bearer ${offByOne}`, 'the join token is not valid for this server');
    await refused('Bearer nope', 'the join token is not valid for this server');
    // the right secret behind another CA's hash, an empty secret, nothing at all
    await refused(`Bearer ${formatJoinToken(other.certPem, secret)}`, "the join token's CA hash does not match this server's CA");
    await refused(`Bearer ${formatJoinToken(ca.certPem, '')}`, 'the join token has an empty secret');
    await refused(`Bearer K10abc::server:${secret}`, 'the join token is malformed: its CA hash is not 64 hex digits');
    await refused('Bearer ', 'the join token is empty');
    await refused(undefined, 'a join token is required (Authorization: Bearer <node token>)');
    assert.equal((await post(`Bearer ${secret}`, 'Not_A_Name')).status, 400);
    for (const token of [formatJoinToken(ca.certPem, secret), secret]) {
      const ok = await post(`Bearer ${token}`);
      assert.equal(ok.status, 200);
      const body = (await ok.json()) as NodeCertificate;
      const cert = new X509Certificate(body.certificate);
      assert.equal(cert.subject, 'O=system:nodes\nCN=system:node:worker-1');
      assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)));
      assert.match(body.key, /BEGIN PRIVATE KEY/);
    }
  } finally {
    server.close();
  }
});

test('the kube-proxy join endpoint signs a system:kube-proxy client certificate for the right token only', async () => {
  const ca = await createCA('test-ca');
  const { server, base } = await serve(nodeJoinHandlers(ca, 's3cret'));
  try {
    const post = (token: string, method = 'POST') => fetch(base + clientKubeProxyPath, { method, headers: { authorization: `Bearer ${token}` } });
    assert.equal((await post('nope')).status, 401);
    assert.equal((await post('s3cret', 'GET')).status, 405);
    const ok = await post(formatJoinToken(ca.certPem, 's3cret'));
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as NodeCertificate;
    const cert = new X509Certificate(body.certificate);
    assert.equal(cert.subject, 'CN=system:kube-proxy');
    assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)));
    assert.equal(body.ca, ca.certPem);
  } finally {
    server.close();
  }
});

test("the server's kubelet keeps its certificate while its node name stays, and gets a new one when renamed", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-node-id-'));
  try {
    const ca = await createCA('test-ca');
    const crt = join(dir, 'agent', 'client-kubelet.crt');
    const kubeconfig = await ensureServerKubelet(dir, ca, 'host-1', 'https://127.0.0.1:6443');
    assert.match(readFileSync(kubeconfig, 'utf8'), /server: https:\/\/127\.0\.0\.1:6443/);
    const first = readFileSync(crt, 'utf8');
    await ensureServerKubelet(dir, ca, 'host-1', 'https://127.0.0.1:6443');
    assert.equal(readFileSync(crt, 'utf8'), first);
    await ensureServerKubelet(dir, ca, 'host-2', 'https://127.0.0.1:6443');
    assert.equal(new X509Certificate(readFileSync(crt, 'utf8')).subject, 'O=system:nodes\nCN=system:node:host-2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
