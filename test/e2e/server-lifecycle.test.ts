// `skiff server` as its own process: acknowledged writes survive kill -9; SIGTERM ends watches cleanly, lets
// in-flight requests finish and exits 0; a restart on the same data dir serves the same objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { adminClient } from '../support/http.ts';
import { freePort, startSkiff } from '../support/process.ts';

async function serve(dataDir: string, port: number) {
  return startSkiff(['server', '--data-dir', dataDir, '--https-listen-port', String(port)], /API server listening/);
}

test('acknowledged writes survive kill -9 of the server', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-crash-'));
  const port = await freePort();
  let proc = await serve(dataDir, port);
  try {
    const c = adminClient(join(dataDir, 'server', 'cred', 'admin.kubeconfig'));
    const acked: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const name = `cm-${w}-${i}`;
        try {
          const r = await c.send('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } }));
          if (r.status === 201) acked.push(name);
        } catch {
          return; // the connection died with the server
        }
      }
    });
    while (acked.length < 200) await new Promise((r) => setTimeout(r, 5));
    proc.child.kill('SIGKILL');
    await proc.exited;
    stop = true;
    await Promise.all(writers);
    proc = await serve(dataDir, port);
    const list = (await c.send('GET', '/api/v1/namespaces/default/configmaps')).json<{ items: { metadata: { name: string } }[] }>();
    const stored = new Set(list.items.map((i) => i.metadata.name));
    const lost = acked.filter((n) => !stored.has(n));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged writes lost`);
  } finally {
    proc.child.kill('SIGKILL');
    await proc.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGTERM ends watches cleanly and exits 0; a restart serves the same objects', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-term-'));
  const port = await freePort();
  let proc = await serve(dataDir, port);
  try {
    const c = adminClient(join(dataDir, 'server', 'cred', 'admin.kubeconfig'));
    assert.equal((await c.send('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' } }))).status, 201);
    const watchEnded = new Promise<{ ended: boolean; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0', ca: c.ca, cert: c.cert, key: c.key }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ ended: true, body }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    await new Promise((r) => setTimeout(r, 300));
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    assert.equal(code, 0, proc.output());
    const w = await watchEnded;
    assert.ok(w.ended);
    assert.match(w.body, /"type":"ADDED".*"name":"keep"/);
    assert.match(proc.output(), /SIGTERM received, shutting down/);
    proc = await serve(dataDir, port);
    const got = await c.send('GET', '/api/v1/namespaces/default/configmaps/keep');
    assert.equal(got.status, 200);
  } finally {
    proc.child.kill('SIGKILL');
    await proc.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
