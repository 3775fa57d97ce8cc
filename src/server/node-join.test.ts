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
import { ensureServerKubelet, nodeJoinToken } from './data-dir.ts';
import { caCertsPath, clientKubeProxyPath, clientKubeletPath, joinSecret, nodeJoinHandlers, type NodeCertificate } from './node-join.ts';
import { tokenCAHash } from '../cli/agent-command.ts';

test('join tokens: the K10 form carries the CA hash and the secret; a bare token is its own secret', async () => {
  const ca = await createCA('test-ca');
  const token = nodeJoinToken(ca.certPem, 's3cret');
  assert.match(token, /^K10[0-9a-f]{64}::server:s3cret$/);
  assert.equal(joinSecret(token), 's3cret');
  assert.equal(joinSecret('s3cret'), 's3cret');
  assert.equal(tokenCAHash(token)?.length, 64);
  assert.equal(tokenCAHash('s3cret'), undefined);
});

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

test('the join endpoint signs a node certificate for the right token only', async () => {
  const ca = await createCA('test-ca');
  const { server, base } = await serve(nodeJoinHandlers(ca, 's3cret'));
  try {
    assert.equal(await (await fetch(base + caCertsPath)).text(), ca.certPem);
    const post = (token: string, name = 'worker-1') => fetch(base + clientKubeletPath, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'skiff-node-name': name } });
    const wrong = await post('nope');
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { message: string }).message, 'the join token is not valid for this server');
    assert.equal((await post('s3cret', 'Not_A_Name')).status, 400);
    const ok = await post(nodeJoinToken(ca.certPem, 's3cret'));
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as NodeCertificate;
    const cert = new X509Certificate(body.certificate);
    assert.equal(cert.subject, 'O=system:nodes\nCN=system:node:worker-1');
    assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)));
    assert.match(body.key, /BEGIN PRIVATE KEY/);
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
    const ok = await post(nodeJoinToken(ca.certPem, 's3cret'));
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
