import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The PID of a process that has exited (so is certainly not holding anything). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

test('a second lock on the same data dir names the holder; release frees it', (t) => {
  const dir = tempDir(t);
  const first = lockDataDir(dir);
  assert.match(readFileSync(first.path, 'utf8'), new RegExp(`^${process.pid}\n`));
  assert.throws(() => lockDataDir(dir), (err: unknown) => {
    assert.ok(err instanceof DataDirLockedError);
    assert.equal(err.pid, process.pid);
    assert.match(err.message, new RegExp(`another Skiff server \\(PID ${process.pid}\\) is using the data dir`));
    return true;
  });
  first.release();
  assert.equal(existsSync(first.path), false);
  lockDataDir(dir).release();
});

test('a lock left by a dead process is taken over', async (t) => {
  const dir = tempDir(t);
  const pid = await deadPid();
  const first = lockDataDir(dir);
  first.release();
  writeFileSync(first.path, `${pid}\n`);
  const lock = lockDataDir(dir);
  assert.match(readFileSync(lock.path, 'utf8'), new RegExp(`^${process.pid}\n`));
  lock.release();
});

test('a lock naming a live PID that started at another time (a reused PID) is stale', (t) => {
  const dir = tempDir(t);
  const probe = lockDataDir(dir);
  probe.release();
  writeFileSync(probe.path, `${process.ppid}\nstarted 1\n`);
  const lock = lockDataDir(dir);
  lock.release();
});

test('a lock held by another live process is refused', async (t) => {
  const dir = tempDir(t);
  const probe = lockDataDir(dir);
  probe.release();
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  t.after(() => child.kill('SIGKILL'));
  await new Promise((r) => child.once('spawn', r));
  writeFileSync(probe.path, `${child.pid}\n`);
  assert.throws(() => lockDataDir(dir), new RegExp(`PID ${child.pid}`));
});

test('a garbled lock file is stale', (t) => {
  const dir = tempDir(t);
  const probe = lockDataDir(dir);
  probe.release();
  writeFileSync(probe.path, 'not a pid');
  lockDataDir(dir).release();
});

test('a process that dies of an uncaught error frees its lock on the way out', async (t) => {
  const dir = tempDir(t);
  const module = new URL('./data-dir-lock.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(module)}).then((m) => {
    const lock = m.lockDataDir(${JSON.stringify(dir)});
    console.log(require('node:fs').readFileSync(lock.path, 'utf8').split('\\n')[0] === String(process.pid) ? 'locked' : 'not locked');
    setTimeout(() => { throw new Error('crash'); });
  })`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exitCode = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  assert.equal(exitCode, 1, out);
  assert.match(out, /^locked\n[^]*Error: crash/);
  assert.equal(existsSync(join(dir, 'server', 'skiff.lock')), false);
});
