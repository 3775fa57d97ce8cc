// The join token against a real `skiff server` data dir and the real `skiff agent` command: the node token on
// disk is k3s's K10 form of a secret of its own, which authenticates nothing on the API (401 as a bearer token,
// the bare secret too), while the admin kubeconfig does. Tokens that are almost right (one character off at the
// same length, another CA's hash, an empty secret) make `skiff agent` exit 1 with a message saying which, and
// leave no certificate behind. A data dir from an older Skiff, whose token was also the admin's bearer token, has
// it retired on the next `skiff server` start, which says so; the admin kubeconfig made before keeps working.
// (A successful join and a kubelet running with it: test/e2e/agent.test.ts, as root.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA } from '../../src/pki/certs.ts';
import { formatJoinToken, parseJoinToken } from '../../src/server/join-token.ts';
import { adminClient } from '../support/http.ts';
import { freePort, skiffBin, startSkiff, type SkiffProcess } from '../support/process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface Run {
  code: number;
  stderr: string;
}

function agent(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [skiffBin, 'agent', ...args], { timeout: 60_000 }, (err, _stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stderr });
    });
  });
}

describe('the node join token', () => {
  let s: TestServer;
  let nodeToken = '';
  const scratch = mkdtempSync(join(tmpdir(), 'skiff-join-e2e-'));
  before(async () => {
    s = await startTestServer();
    nodeToken = readFileSync(s.nodeTokenFile, 'utf8').trim();
  });
  after(async () => {
    await s.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('is a secret of its own in server/token and server/node-token (mode 600), not an API credential', async () => {
    assert.match(nodeToken, /^K10[0-9a-f]{64}::server:[0-9a-f]{64}$/);
    assert.equal(nodeToken, s.joinToken);
    assert.equal(readFileSync(join(s.dataDir, 'server', 'token'), 'utf8').trim(), nodeToken);
    for (const f of ['token', 'node-token']) assert.equal(statSync(join(s.dataDir, 'server', f)).mode & 0o777, 0o600);
    assert.equal(existsSync(join(s.dataDir, 'server', 'cred', 'tokens.csv')), false);
    const c = adminClient(s.kubeconfig);
    for (const bearer of [nodeToken, parseJoinToken(nodeToken).secret]) {
      const r = await c.send('GET', '/api/v1/namespaces', undefined, { Authorization: `Bearer ${bearer}` }, true);
      assert.equal(r.status, 401, r.body.toString());
    }
    assert.equal((await c.send('GET', '/api/v1/namespaces')).status, 200);
  });

  test('an almost-right token makes skiff agent exit 1 with a clear message and no certificate', async () => {
    const { caHash, secret } = parseJoinToken(nodeToken);
    const last = secret.at(-1) === '0' ? '1' : '0';
    const other = await createCA('another-cluster');
    const cases: [string, string, RegExp][] = [
      ['one character off', `K10${caHash}::server:${secret.slice(0, -1)}${last}`, /refused the join token \(401 Unauthorized: the join token is not valid for this server\)/],
      ['bare, one character off', `${secret.slice(0, -1)}${last}`, /refused the join token \(401 Unauthorized: the join token is not valid for this server\)/],
      ["another CA's hash", formatJoinToken(other.certPem, secret), /presented a CA that does not match the token's hash: refusing to join/],
      ['empty secret', `K10${caHash}::server:`, /the join token has an empty secret/],
    ];
    for (const [what, token, message] of cases) {
      const dir = join(scratch, what.replace(/\W+/g, '-'));
      const r = await agent(['--server', s.url, '--token', token, '--node-name', 'intruder', '--data-dir', dir]);
      assert.equal(r.code, 1, `${what}: ${r.stderr}`);
      assert.match(r.stderr, message, what);
      assert.equal(existsSync(join(dir, 'agent', 'client-kubelet.crt')), false, what);
    }
  });
});

describe('a data dir from before the join secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-join-upgrade-'));
  let proc: SkiffProcess | undefined;
  const start = async (): Promise<SkiffProcess> => startSkiff([
    'server', '--data-dir', dir, '--https-listen-port', String(await freePort()), '--disable-agent',
    '--disable-scheduler', '--disable-controller-manager',
  ], /node token at/);
  const stop = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (!p) return;
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await p.exited;
  };
  after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("gets a new join secret, a rewritten node-token and no admin bearer token; the old kubeconfig still works", async () => {
    proc = await start();
    const kubeconfig = join(dir, 'server', 'cred', 'admin.kubeconfig');
    const before = readFileSync(kubeconfig, 'utf8');
    await stop();
    // what an older Skiff left: the bare token that was also the admin's bearer token, and the node token made of it
    const old = 'e'.repeat(48);
    const oldNodeToken = readFileSync(join(dir, 'server', 'node-token'), 'utf8').replace(/:[0-9a-f]{64}\n$/, `:${old}\n`);
    writeFileSync(join(dir, 'server', 'token'), old + '\n', { mode: 0o600 });
    writeFileSync(join(dir, 'server', 'node-token'), oldNodeToken, { mode: 0o600 });
    writeFileSync(join(dir, 'server', 'cred', 'tokens.csv'), `${old},system:admin,admin,"system:masters"\n`, { mode: 0o600 });
    proc = await start();
    assert.match(proc.output(), /server\/token held a token from an older Skiff that was also the cluster admin's bearer token[^\n]*retired[^\n]*node-token is rewritten/);
    assert.match(proc.output(), /removed \S+tokens\.csv: the server token is no longer an admin bearer token/);
    const now = readFileSync(join(dir, 'server', 'node-token'), 'utf8');
    assert.notEqual(now, oldNodeToken);
    assert.ok(!now.includes(old));
    assert.equal(readFileSync(join(dir, 'server', 'token'), 'utf8'), now);
    assert.equal(existsSync(join(dir, 'server', 'cred', 'tokens.csv')), false);
    // the kubeconfig from before the upgrade (its client certificate) is still the admin's; the old token is nobody's
    writeFileSync(join(dir, 'before.kubeconfig'), before.replace(/server: \S+/, `server: ${/server: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))![1]}`), { mode: 0o600 });
    const c = adminClient(join(dir, 'before.kubeconfig'));
    assert.equal((await c.send('GET', '/api/v1/namespaces')).status, 200);
    assert.equal((await c.send('GET', '/api/v1/namespaces', undefined, { Authorization: `Bearer ${old}` }, true)).status, 401);
    // and the next start has nothing more to say
    await stop();
    proc = await start();
    assert.doesNotMatch(proc.output(), /older Skiff|tokens\.csv/);
    assert.equal(readFileSync(join(dir, 'server', 'node-token'), 'utf8'), now);
  });
});
