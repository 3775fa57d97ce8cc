// Durability: every write acknowledged before a kill -9 must be readable after reopening the file.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from './sqlite.ts';

const childScript = fileURLToPath(new URL('./sqlite-crash-child.ts', import.meta.url));

it('acknowledged writes survive kill -9 of the writing process', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-crash-'));
  const file = join(dir, 'state.db');
  let proc: ChildProcess | undefined;
  try {
    proc = spawn(process.execPath, ['--import', 'tsx', childScript, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = -1;
    let buf = '';
    const child = proc;
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}`))));
      child.stdout?.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) acked = Number(line);
        // Kill mid-stream, while the child is busy writing.
        if (acked >= 3000 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
    });
    assert.ok(acked >= 3000);
    const store = openSqliteStore(file, { compactIntervalMs: 0 });
    try {
      const count = await store.count('/registry/configmaps/default/');
      assert.ok(count >= acked + 1, `found ${count} keys, ${acked + 1} acknowledged`);
      for (let i = 0; i <= acked; i++) {
        const kv = await store.get(`/registry/configmaps/default/cm-${i}`);
        assert.ok(kv, `acknowledged key cm-${i} lost`);
      }
      // Revisions continue after the crash instead of being reused.
      const next = await store.create('/registry/configmaps/default/after', '{}');
      assert.equal(next.modRevision, (await store.currentRevision()));
      assert.ok(next.modRevision > count);
    } finally {
      await store.close();
    }
  } finally {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
