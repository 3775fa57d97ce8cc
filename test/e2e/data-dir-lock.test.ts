// One `skiff server` per data dir: a second one on the same data dir (on another port) is refused at once with a
// message naming the PID of the first, instead of failing after SQLite's 5 s busy timeout; the first keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminClient } from '../support/http.ts';
import { freePort, skiffBin, startSkiff } from '../support/process.ts';
import { serverPortFlags } from '../support/isolation.ts';

function runToExit(args: string[]): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [skiffBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output, ms: Date.now() - started })));
}

test('a second skiff server on the same data dir is refused at once, naming the first one\'s PID', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-lock-e2e-'));
  const first = await startSkiff(['server', '--disable-agent', ...serverPortFlags, '--data-dir', dataDir, '--https-listen-port', String(await freePort())], /API server listening/);
  t.after(async () => {
    first.child.kill('SIGKILL');
    await first.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });
  const lockFile = join(dataDir, 'server', 'skiff.lock');
  const second = await runToExit(['server', '--disable-agent', ...serverPortFlags, '--data-dir', dataDir, '--https-listen-port', String(await freePort())]);
  assert.equal(second.code, 1, second.output);
  assert.equal(
    second.output,
    `skiff: another Skiff server (PID ${first.child.pid}) is using the data dir ${dataDir} (lock ${lockFile}); stop it, or give this one another --data-dir\n`,
  );
  // it did not wait on the database: SQLite's busy timeout alone is 5 s (this includes starting node and tsx)
  assert.ok(second.ms < 5000, `refused after ${second.ms} ms`);

  const c = adminClient(join(dataDir, 'server', 'cred', 'admin.kubeconfig'));
  assert.equal((await c.send('GET', '/api/v1/namespaces/default')).status, 200, 'the first server still serves');
  first.child.kill('SIGTERM');
  assert.equal((await first.exited).code, 0, first.output());
  assert.equal(existsSync(lockFile), false, 'a clean stop removes the lock');
});
