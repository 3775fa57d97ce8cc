import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentLog } from './component-log.ts';
import { parseLogLine } from '../node/kubelet/container-logs.ts';

function records(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => {
    const r = parseLogLine(Buffer.from(l))!;
    return `${r.stream} ${r.partial ? 'P' : 'F'} ${r.msg.toString()}`;
  });
}

test('output becomes CRI log records, whole lines only; a new instance moves the file to the previous one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-component-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = new ComponentLog({ dir, container: 'kube-scheduler', now: () => new Date('2026-12-01T10:00:00.123Z') });
  log.newInstance();
  log.write('stderr', Buffer.from('starting\nhal'));
  log.write('stdout', Buffer.from('out\n'));
  log.write('stderr', Buffer.from('f a line\n'));
  log.flushPartial();
  log.write('stderr', Buffer.from('cut off'));
  log.newInstance();
  log.write('stderr', Buffer.from('second instance\n'));
  await log.close();
  assert.deepEqual(records(join(dir, 'kube-scheduler.previous.log')), ['stderr F starting', 'stdout F out', 'stderr F half a line', 'stderr F cut off']);
  assert.deepEqual(records(join(dir, 'kube-scheduler.log')), ['stderr F second instance']);
  assert.match(readFileSync(join(dir, 'kube-scheduler.log'), 'utf8'), /^2026-12-01T10:00:00\.123Z stderr F second instance\n$/);
});

test('a file past the size cap is rotated; an endless line is cut into partial records', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-component-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = new ComponentLog({ dir, container: 'kube-proxy', maxBytes: 1000 });
  log.newInstance();
  for (let i = 0; i < 20; i++) log.write('stdout', Buffer.from(`line ${String(i).padStart(2, '0')} ${'x'.repeat(40)}\n`));
  await log.close();
  const rotated = records(join(dir, 'kube-proxy.log.1'));
  const current = records(join(dir, 'kube-proxy.log'));
  assert.ok(rotated.length > 0 && current.length > 0, `${rotated.length} rotated, ${current.length} current`);
  assert.deepEqual([...rotated, ...current].map((r) => r.slice(0, 16)), Array.from({ length: 20 }, (_, i) => `stdout F line ${String(i).padStart(2, '0')}`));

  const long = new ComponentLog({ dir, container: 'skiff-dns' });
  long.newInstance();
  long.write('stdout', Buffer.from('y'.repeat(20_000)));
  await long.close();
  const parts = records(join(dir, 'skiff-dns.log'));
  assert.deepEqual(parts.map((r) => r.slice(0, 9)), ['stdout P ', 'stdout F ']);
  assert.equal(parts.map((r) => r.slice(9)).join('').length, 20_000);
});

test('log names are container names, never paths', () => {
  assert.throws(() => new ComponentLog({ dir: tmpdir(), container: '../etc' }), /invalid component log name/);
});
