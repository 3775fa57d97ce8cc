// `skiff server` as its own process: acknowledged writes survive kill -9; SIGTERM ends watches cleanly, lets
// in-flight requests finish (a create held open by the test across the shutdown) and exits 0; a restart on the
// same data dir serves the same objects. Every step waits on an event (a watch event, 100 Continue, exit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { adminClient } from '../support/http.ts';
import { freePort, startSkiff } from '../support/process.ts';
import { serverPortFlags } from '../support/isolation.ts';

async function serve(dataDir: string, port: number) {
  return startSkiff(['server', '--disable-agent', ...serverPortFlags, '--data-dir', dataDir, '--https-listen-port', String(port)], /API server listening/);
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

/** A watch on configmaps; `ended` settles when the response closes, `complete` only if the stream ended cleanly. */
function openWatch(c: ReturnType<typeof adminClient>, port: number) {
  let body = '';
  let onData = (): void => {};
  const ended = new Promise<{ complete: boolean; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0', ca: c.ca, cert: c.cert, key: c.key }, (res) => {
      res.on('data', (d: Buffer) => {
        body += d.toString();
        onData();
      });
      // close follows end on a clean finish; a reset connection closes without a complete message
      res.on('close', () => resolve({ complete: res.complete, body }));
    });
    req.on('error', reject);
    req.end();
  });
  const sees = (re: RegExp): Promise<void> => new Promise((resolve) => {
    onData = () => re.test(body) && resolve();
    onData();
  });
  return { ended, sees };
}

/** A create whose headers the server has dispatched (100 Continue seen) while its body is held back by the test. */
async function heldCreate(c: ReturnType<typeof adminClient>, port: number, name: string) {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });
  let sendBody = (): void => {};
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, method: 'POST', path: '/api/v1/namespaces/default/configmaps', ca: c.ca, cert: c.cert, key: c.key,
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), Expect: '100-continue' },
    }, (res) => {
      let out = '';
      res.on('data', (d: Buffer) => (out += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: out }));
      res.on('error', reject);
    });
    req.on('error', reject);
    sendBody = () => req.end(body);
    // Node's server answers 100 Continue right before it hands the request to the handler: from then on the
    // request is in flight on the server.
    req.once('continue', () => dispatched());
    req.flushHeaders();
  });
  let dispatched = (): void => {};
  await new Promise<void>((resolve) => (dispatched = resolve));
  return { response, sendBody };
}

test('SIGTERM ends watches cleanly, lets in-flight requests finish and exits 0; a restart serves the same objects', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-term-'));
  const port = await freePort();
  let proc = await serve(dataDir, port);
  try {
    const c = adminClient(join(dataDir, 'server', 'cred', 'admin.kubeconfig'));
    assert.equal((await c.send('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' } }))).status, 201);
    const watch = openWatch(c, port);
    await watch.sees(/"type":"ADDED".*"name":"keep"/);
    const held = await heldCreate(c, port, 'in-flight');
    proc.child.kill('SIGTERM');
    // the server is shutting down once it has ended the watch; only then does the held request send its body
    const w = await watch.ended;
    assert.equal(w.complete, true, `watch stream should end cleanly, got: ${w.body.slice(-200)}`);
    assert.match(w.body, /"type":"ADDED".*"name":"keep"/);
    held.sendBody();
    const created = await held.response;
    assert.equal(created.status, 201, created.body);
    assert.equal(JSON.parse(created.body).metadata.name, 'in-flight');
    const { code } = await proc.exited;
    assert.equal(code, 0, proc.output());
    assert.match(proc.output(), /SIGTERM received, shutting down[\s\S]*skiff: stopped/);
    proc = await serve(dataDir, port);
    for (const name of ['keep', 'in-flight']) {
      const got = await c.send('GET', `/api/v1/namespaces/default/configmaps/${name}`);
      assert.equal(got.status, 200, `${name}: ${got.body.toString()}`);
    }
  } finally {
    proc.child.kill('SIGKILL');
    await proc.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
