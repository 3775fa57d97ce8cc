// The API server's limits, with upstream's answers: a 413 the client actually receives; in-flight limits that
// answer 429 + Retry-After (and real kubectl retrying to success) while watches stay exempt; a per-user watch
// quota; slow clients cut off by the header/request timeouts without cutting a long watch; 1,000 slowloris
// connections not slowing a real `kubectl get`; and a request whose metrics recording throws failing alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { adminClient } from '../support/http.ts';
import { freePort, startSkiff } from '../support/process.ts';
import { requestTotal } from '../../src/control-plane/apiserver/metrics.ts';
import { configMap, slowClient, startLimitsServer } from './limits-harness.ts';
import { serverPortFlags } from '../support/isolation.ts';

const kubectl = '/usr/bin/kubectl';

function runKubectl(kubeconfig: string, args: string[], onStderr?: (text: string) => void): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(kubectl, ['--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: kubeconfig } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr);
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}

test('a 4 MiB body is answered 413 with a Status the client receives, then the connection closes', async () => {
  const s = await startLimitsServer();
  try {
    const body = Buffer.alloc(4 * 1024 * 1024, 'a');
    const r = await s.send(s.admin, 'POST', '/api/v1/namespaces/default/configmaps', body);
    assert.equal(r.status, 413);
    assert.equal(r.headers.connection, 'close');
    const status = JSON.parse(r.body);
    assert.equal(status.reason, 'RequestEntityTooLarge');
    assert.equal(status.message, 'Request entity too large: limit is 3145728');
    assert.ok(r.body.endsWith('}\n'), 'Status bodies end with a newline, as kube-apiserver writes them');
    // Streamed without a length (chunked): the limit is found while reading, with the same answer.
    const { req, reply } = s.open(s.admin, 'PUT', '/api/v1/namespaces/default/configmaps/big', { 'Content-Type': 'application/json' });
    for (let i = 0; i < 4; i++) req.write(Buffer.alloc(1024 * 1024, 'b'));
    req.end();
    const chunked = await reply;
    assert.equal(chunked.status, 413);
    assert.equal(JSON.parse(chunked.body).message, 'Request entity too large: limit is 3145728');
    // Far past the limit (20 MiB, declared): still drained and answered, not reset.
    const huge = await s.send(s.admin, 'POST', '/api/v1/namespaces/default/configmaps', Buffer.alloc(20 * 1024 * 1024, 'c'));
    assert.equal(huge.status, 413);
    // Real kubectl sending a 4 MiB object reads the same answer.
    const file = join(s.dataDir, 'big.json');
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(4 * 1024 * 1024) } }));
    const k = await runKubectl(s.adminKubeconfig, ['create', '-f', file]);
    assert.equal(k.code, 1);
    assert.match(k.stderr, /Error from server \(RequestEntityTooLarge\): .*Request entity too large: limit is 3145728/);
    // The server still serves.
    assert.equal((await s.send(s.admin, 'POST', '/api/v1/namespaces/default/configmaps', configMap('after'))).status, 201);
  } finally {
    await s.stop();
  }
});

test('past --max-mutating-requests-inflight: 429 with Retry-After, real kubectl retries to success, watches exempt', async () => {
  const s = await startLimitsServer({ maxRequestsInflight: 2, maxMutatingRequestsInflight: 2 });
  try {
    // Two creates held open: their bodies never finish arriving, so they occupy both mutating slots.
    const held = [0, 1].map((i) => s.open(s.user, 'POST', '/api/v1/namespaces/default/configmaps', { 'Content-Type': 'application/json', 'Content-Length': String(configMap(`held-${i}`).length) }));
    for (const h of held) h.req.flushHeaders();
    let attempt = 0;
    const over = await waitForStatus(() => s.send(s.user, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`over-${attempt++}`)), 429);
    assert.equal(over.headers['retry-after'], '1');
    assert.equal(over.body, 'Too many requests, please try again later.\n');
    // A burst past the limit: every one of them is turned away, none waits.
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => s.send(s.user, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`burst-${i}`))));
    assert.deepEqual(burst.map((r) => r.status), Array(20).fill(429));
    const metrics = await s.send(s.admin, 'GET', '/metrics');
    assert.match(metrics.body, /apiserver_dropped_requests_total\{request_kind="mutating"\} (\d+)/);
    assert.ok(Number(/apiserver_dropped_requests_total\{request_kind="mutating"\} (\d+)/.exec(metrics.body)![1]) >= 21);
    // system:masters always gets an answer, as upstream.
    assert.equal((await s.send(s.admin, 'POST', '/api/v1/namespaces/default/configmaps', configMap('by-admin'))).status, 201);
    // Read-only requests have their own budget, and watches are exempt from both.
    assert.equal((await s.send(s.user, 'GET', '/api/v1/namespaces/default/configmaps')).status, 200);
    const watches = await Promise.all([0, 1, 2].map(() => s.watch(s.user, '/api/v1/namespaces/default/configmaps?watch=true')));
    for (const w of watches) assert.equal(w.status, 200);
    // Real kubectl meets the 429, waits Retry-After and retries; the slots free up once it has seen one.
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      held.forEach((h, i) => h.req.end(configMap(`held-${i}`)));
    };
    const k = await runKubectl(s.userKubeconfig, ['create', 'configmap', 'from-kubectl', '--from-literal=a=b', '-v=6'], (err) => {
      if (/ 429 Too Many Requests/.test(err)) release();
    });
    release();
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stderr, / 429 Too Many Requests/);
    assert.match(k.stdout, /configmap\/from-kubectl created/);
    for (const h of held) assert.equal((await h.reply).status, 201);
    for (const w of watches) w.close();
  } finally {
    await s.stop();
  }
});

test('a user past the watch quota gets 429 with a Status; other users still watch; a closed watch frees its slot', async () => {
  const s = await startLimitsServer({ maxWatchesPerUser: 3 });
  try {
    const path = '/api/v1/namespaces/default/configmaps?watch=true';
    const mine = await Promise.all([0, 1, 2].map(() => s.watch(s.user, path)));
    const refused = await s.send(s.user, 'GET', path);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    const status = JSON.parse(refused.body);
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'TooManyRequests');
    const other = await s.watch(s.admin, path);
    assert.equal(other.status, 200);
    assert.equal((await s.send(s.admin, 'POST', '/api/v1/namespaces/default/configmaps', configMap('seen'))).status, 201);
    await other.line(/"name":"seen"/);
    await mine[0].line(/"name":"seen"/);
    mine[0].close();
    const again = await waitForStatus(async () => {
      const w = await s.watch(s.user, path);
      if (w.status !== 200) w.close();
      return { status: w.status, w };
    }, 200);
    again.w.close();
    for (const w of [...mine, other]) w.close();
  } finally {
    await s.stop();
  }
});

test('slow clients are cut off by the header and request timeouts; a watch outlives both', async () => {
  const s = await startLimitsServer({ timeouts: { headersMs: 1000, requestMs: 1500 } });
  try {
    const watch = await s.watch(s.admin, '/api/v1/namespaces/default/configmaps?watch=true');
    const slow = await slowClient(s.port, s.ca, 100);
    const silent = await slowClient(s.port, s.ca, 3_600_000); // connects, then never sends a byte
    const startedAt = Date.now();
    await Promise.all([slow.closed, silent.closed]);
    assert.ok(Date.now() - startedAt >= 1000, 'not cut before the header timeout');
    // A body trickling in is cut by the request timeout (408), headers having arrived in time.
    const { req, reply } = s.open(s.admin, 'POST', '/api/v1/namespaces/default/configmaps', { 'Content-Type': 'application/json', 'Content-Length': '1000' });
    req.flushHeaders();
    const trickle = setInterval(() => req.write(' '), 100);
    const cut = await reply.catch((e: Error) => ({ status: 0, headers: {}, body: e.message }));
    clearInterval(trickle);
    req.destroy();
    assert.equal(cut.status, 408);
    // By now the watch is older than both timeouts, and still delivers.
    assert.ok(Date.now() - startedAt > 1500);
    assert.equal((await s.send(s.admin, 'POST', '/api/v1/namespaces/default/configmaps', configMap('late'))).status, 201);
    await watch.line(/"name":"late"/);
    watch.close();
  } finally {
    await s.stop();
  }
});

test('1,000 slowloris connections do not stop a real kubectl get from answering within 1 s', async (t) => {
  const s = await startLimitsServer();
  const slow: Awaited<ReturnType<typeof slowClient>>[] = [];
  try {
    assert.equal((await runKubectl(s.adminKubeconfig, ['get', 'configmaps'])).code, 0); // discovery cached
    for (let i = 0; i < 1000; i += 50) {
      slow.push(...(await Promise.all(Array.from({ length: 50 }, () => slowClient(s.port, s.ca, 500)))));
    }
    const k = await runKubectl(s.adminKubeconfig, ['get', 'configmaps,namespaces']);
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stdout, /namespace\/default/);
    t.diagnostic(`kubectl get answered in ${k.ms} ms beside ${slow.length} slow clients`);
    assert.ok(k.ms < 1000, `kubectl took ${k.ms} ms beside 1,000 slow clients`);
    assert.equal(slow.filter((c) => c.socket.destroyed).length, 0, 'the slow clients were still connected');
  } finally {
    for (const c of slow) c.stop();
    await s.stop();
  }
});

test('a throw while recording a request\'s metrics fails that request alone with a 500 Status', async () => {
  const s = await startLimitsServer();
  const inc = requestTotal.inc;
  try {
    let armed = true;
    requestTotal.inc = function (this: typeof requestTotal, ...args: Parameters<typeof inc>) {
      if (armed) {
        armed = false;
        throw new Error('injected metrics failure');
      }
      return inc.apply(this, args);
    } as typeof inc;
    const failed = await s.send(s.admin, 'GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(failed.status, 500);
    const status = JSON.parse(failed.body);
    assert.equal(status.reason, 'InternalError');
    assert.match(status.message, /injected metrics failure/);
    assert.equal((await s.send(s.admin, 'GET', '/api/v1/namespaces/default/configmaps')).status, 200);
    // A request that fails for its own reason keeps its answer when recording that answer throws too.
    armed = true;
    const bad = await s.send(s.admin, 'GET', '/api/v1/namespaces/default/configmaps?labelSelector=a%3D%3D%3Db');
    assert.equal(bad.status, 400, bad.body);
    assert.equal(JSON.parse(bad.body).reason, 'BadRequest');
    assert.equal((await s.send(s.admin, 'GET', '/api/v1/namespaces/default/configmaps')).status, 200);
  } finally {
    requestTotal.inc = inc;
    await s.stop();
  }
});

test('a key polluting Object.prototype does not make metrics recording throw: requests keep being answered', async () => {
  const s = await startLimitsServer();
  try {
    const before = await s.send(s.admin, 'GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(before.status, 200);
    let during: number;
    let watchStatus: number;
    Object.defineProperty(Object.prototype, 'polluted', { value: 'yes', enumerable: true, configurable: true, writable: true });
    try {
      during = (await s.send(s.admin, 'GET', '/api/v1/namespaces/default/configmaps')).status;
      const w = await s.watch(s.admin, '/api/v1/namespaces/default/configmaps?watch=true');
      watchStatus = w.status;
      w.close();
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
    assert.equal(during, 200);
    assert.equal(watchStatus, 200);
    const metrics = await s.send(s.admin, 'GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.doesNotMatch(metrics.body, /polluted/);
  } finally {
    await s.stop();
  }
});

test('a malformed request path is the client\'s 400 Status, not a 500', async () => {
  const s = await startLimitsServer();
  try {
    const r = await s.send(s.admin, 'GET', '/api/v1/namespaces/%E0%A4%A/configmaps');
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body).reason, 'BadRequest');
  } finally {
    await s.stop();
  }
});

test('stop() does not wait for clients stalled in the TLS handshake or in their headers', async () => {
  const s = await startLimitsServer();
  const raw = connect(s.port, '127.0.0.1');
  raw.on('error', () => undefined);
  await new Promise((r) => raw.once('connect', r));
  const slow = await slowClient(s.port, s.ca, 500);
  const watch = await s.watch(s.admin, '/api/v1/namespaces/default/configmaps?watch=true');
  const started = Date.now();
  await s.stop();
  const tookMs = Date.now() - started;
  await Promise.all([watch.ended, slow.closed, new Promise((r) => (raw.destroyed ? r(undefined) : raw.once('close', r)))]);
  assert.ok(tookMs < 2000, `stop took ${tookMs} ms`);
});

test('the official Python client reads Status bodies and objects ending with the newline kube-apiserver writes', async () => {
  const s = await startLimitsServer();
  try {
    assert.equal((await s.send(s.admin, 'POST', '/api/v1/namespaces/default/configmaps', configMap('present'))).status, 201);
    const script = [
      'import sys',
      'from kubernetes import client, config',
      'from kubernetes.client.rest import ApiException',
      'config.load_kube_config(config_file=sys.argv[1])',
      'v1 = client.CoreV1Api()',
      'try:',
      '    v1.read_namespaced_config_map("missing", "default")',
      'except ApiException as e:',
      '    print(repr(e.status), repr(e.body))',
      'r = v1.read_namespaced_config_map("present", "default", _preload_content=False)',
      'print(repr(r.data[-2:]))',
    ].join('\n');
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('/usr/bin/python3', ['-c', script, s.adminKubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(err))));
    });
    const [statusLine, objectLine] = out.trim().split('\n');
    assert.match(statusLine, /^404 '\{"kind":"Status".*"code":404\}\\n'$/);
    assert.equal(objectLine, "b'}\\n'");
  } finally {
    await s.stop();
  }
});

test('skiff server --max-mutating-requests-inflight 1 applies the limit', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-flags-'));
  const port = await freePort();
  const proc = await startSkiff(['server', '--disable-agent', ...serverPortFlags, '--data-dir', dataDir, '--https-listen-port', String(port), '--max-mutating-requests-inflight', '1', '--disable-scheduler', '--disable-controller-manager'], /API server listening/);
  try {
    // The scheduler's identity is an ordinary user (not system:masters), so the limit applies to it.
    const c = adminClient(join(dataDir, 'server', 'cred', 'scheduler.kubeconfig'));
    const held = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/namespaces/default/configmaps', ca: c.ca, cert: c.cert, key: c.key, headers: { 'Content-Type': 'application/json', 'Content-Length': '1000' } });
    held.on('error', () => undefined);
    held.flushHeaders();
    let n = 0;
    const over = await waitForStatus(() => c.send('POST', '/api/v1/namespaces/default/configmaps', configMap(`flag-${n++}`)), 429);
    assert.equal(over.headers['retry-after'], '1');
    held.destroy();
  } finally {
    proc.child.kill('SIGKILL');
    await proc.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

async function waitForStatus<T extends { status: number }>(probe: () => Promise<T>, want: number, tries = 200): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await probe();
    if (last.status === want) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never got ${want}; last ${last?.status}`);
}
