import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedSqliteFile, startServerLogs } from './server-log.ts';
import { forwardOutput } from './process-output.ts';
import { componentLogDir } from './component-log.ts';

test('the server process\'s own output is kube-apiserver\'s log, a hosted component\'s is not; sqlite\'s says where it is', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-server-log-'));
  try {
    const stop = startServerLogs({ dataDir, sqliteFile: embeddedSqliteFile(dataDir, '') });
    process.stderr.write('skiff: a line of the server\n');
    console.error('apiserver: one it logs');
    forwardOutput('stderr', Buffer.from('skiff scheduler: a line of a component\n'));
    await stop();
    process.stderr.write('skiff: after the log stopped\n');
    const records = readFileSync(join(componentLogDir(dataDir), 'kube-apiserver.log'), 'utf8').trim().split('\n');
    assert.ok(records.every((r) => /^\d{4}-\d\d-\d\dT[\d:.]+Z stderr F /.test(r)), records.join('\n'));
    assert.deepEqual(records.map((r) => r.split(' ').slice(3).join(' ')), ['skiff: a line of the server', 'apiserver: one it logs']);
    const sqlite = readFileSync(join(componentLogDir(dataDir), 'sqlite.log'), 'utf8');
    assert.match(sqlite, new RegExp(`stdout F skiff: embedded SQLite store ${join(dataDir, 'server', 'db', 'state.db')}, run inside the kube-apiserver process`));
    assert.equal(embeddedSqliteFile(dataDir, 'http://127.0.0.1:2379'), undefined, 'an etcd has no pod, so no log');
    assert.equal(embeddedSqliteFile(dataDir, 'sqlite:///x/y.db'), '/x/y.db');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
