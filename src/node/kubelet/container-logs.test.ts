import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLogLine, renderRecord, streamLog, type LogOptions } from './container-logs.ts';

const line = (time: string, msg: string, tag = 'F') => `${time} stdout ${tag} ${msg}\n`;
const base: LogOptions = { follow: false, timestamps: false };

async function read(path: string, o: Partial<LogOptions>): Promise<string> {
  const chunks: Buffer[] = [];
  await streamLog(path, { ...base, ...o }, { write: async (c) => (chunks.push(c), true) });
  return Buffer.concat(chunks).toString();
}

test('CRI log lines: full and partial records, timestamps, untagged lines', () => {
  const full = parseLogLine(Buffer.from('2024-01-02T03:04:05.123456789Z stderr F hello world'))!;
  assert.equal(full.stream, 'stderr');
  assert.equal(full.partial, false);
  assert.equal(renderRecord(full, false).toString(), 'hello world\n');
  assert.equal(renderRecord(full, true).toString(), '2024-01-02T03:04:05.123456789Z hello world\n');
  const partial = parseLogLine(Buffer.from('2024-01-02T03:04:05Z stdout P abc'))!;
  assert.equal(renderRecord(partial, false).toString(), 'abc');
  assert.equal(parseLogLine(Buffer.from('garbage')), undefined);
});

test('tail, since and limitBytes select what is read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  try {
    const path = join(dir, '0.log');
    writeFileSync(path, line('2020-01-01T00:00:00Z', 'old') + line('2030-01-01T00:00:00Z', 'par', 'P') + line('2030-01-01T00:00:01Z', 't') + line('2030-01-01T00:00:02Z', 'last'));
    assert.equal(await read(path, {}), 'old\npart\nlast\n');
    assert.equal(await read(path, { tailLines: 1 }), 'last\n');
    assert.equal(await read(path, { tailLines: 0 }), '');
    assert.equal(await read(path, { sinceMs: Date.parse('2025-01-01T00:00:00Z') }), 'part\nlast\n');
    assert.equal(await read(path, { limitBytes: 6 }), 'old\npa');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow reads what is appended and ends once the container stopped and the file is drained', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  try {
    const path = join(dir, '0.log');
    writeFileSync(path, line('2030-01-01T00:00:00Z', 'a'));
    let running = true;
    const chunks: string[] = [];
    const done = streamLog(path, { ...base, follow: true }, {
      write: async (c) => {
        chunks.push(c.toString());
        if (chunks.length === 1) appendFileSync(path, line('2030-01-01T00:00:01Z', 'b'));
        if (chunks.length === 2) {
          // the last line lands just as the container stops: the final drain still reads it
          appendFileSync(path, line('2030-01-01T00:00:02Z', 'c'));
          running = false;
        }
        return true;
      },
    }, { running: async () => running, signal: AbortSignal.timeout(10_000), pollMs: 10 });
    await done;
    assert.deepEqual(chunks, ['a\n', 'b\n', 'c\n']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
