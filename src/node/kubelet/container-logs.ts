// Reads a container's CRI log file for `GET /containerLogs` the way upstream's kuberuntime ReadLogs does. Each file
// line is `<RFC3339Nano> <stdout|stderr> <F|P> <msg>` (P: a partial line continued by the next record). Options:
// tailLines (the last N records), sinceSeconds/sinceTime (records at or after), timestamps (prefix each record
// with its time), limitBytes (stop after that many bytes), follow (after the end of the file keep reading what the
// runtime appends until the container is no longer running, then drain and end).
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

export interface LogOptions {
  follow: boolean;
  tailLines?: number;
  /** Epoch ms: records older than this are skipped. */
  sinceMs?: number;
  timestamps: boolean;
  limitBytes?: number;
}

export interface LogRecord {
  time: string;
  stream: string;
  partial: boolean;
  msg: Buffer;
}

/** One file line as a record, or undefined for a line that is not in the CRI format. */
export function parseLogLine(line: Buffer): LogRecord | undefined {
  const a = line.indexOf(0x20);
  const b = a < 0 ? -1 : line.indexOf(0x20, a + 1);
  if (b < 0) return undefined;
  const time = line.subarray(0, a).toString();
  const stream = line.subarray(a + 1, b).toString();
  // the tag is "F" or "P" (possibly "F:x" with future flags); records without one are whole lines
  const c = line.indexOf(0x20, b + 1);
  const tag = c < 0 ? line.subarray(b + 1).toString() : line.subarray(b + 1, c).toString();
  const tagged = /^[FP](:|$)/.test(tag);
  return { time, stream, partial: tagged && tag.startsWith('P'), msg: tagged ? (c < 0 ? Buffer.alloc(0) : line.subarray(c + 1)) : line.subarray(b + 1) };
}

/** The record as the client sees it: its message (a newline after a full line), with the time first if asked. */
export function renderRecord(r: LogRecord, timestamps: boolean): Buffer {
  const parts = [r.msg];
  if (!r.partial) parts.push(Buffer.from('\n'));
  if (timestamps) parts.unshift(Buffer.from(r.time + ' '));
  return Buffer.concat(parts);
}

/** Splits complete lines off the front of buf; returns them and the unfinished rest. */
function splitLines(buf: Buffer): { lines: Buffer[]; rest: Buffer } {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, start)) {
    lines.push(buf.subarray(start, i));
    start = i + 1;
  }
  return { lines, rest: buf.subarray(start) };
}

export interface LogSink {
  /** Resolves when the bytes may be followed by more (back-pressure); false when the reader should stop. */
  write(chunk: Buffer): Promise<boolean>;
}

export interface FollowControl {
  /** Whether the container may still write (follow ends after the first false and a final drain). */
  running(): Promise<boolean>;
  signal: AbortSignal;
  pollMs?: number;
}

/** Streams path to sink per options. Resolves when done (end of file, limit reached, container gone, or aborted). */
export async function streamLog(path: string, o: LogOptions, sink: LogSink, follow?: FollowControl): Promise<void> {
  const fh = await open(path, 'r');
  try {
    let budget = o.limitBytes ?? Infinity;
    const emit = async (line: Buffer): Promise<boolean> => {
      const r = parseLogLine(line);
      if (!r) return true;
      if (o.sinceMs !== undefined && Date.parse(r.time) < o.sinceMs) return true;
      let out = renderRecord(r, o.timestamps);
      if (out.length > budget) out = out.subarray(0, budget);
      budget -= out.length;
      const more = await sink.write(out);
      return more && budget > 0;
    };
    const first = await fh.readFile();
    let { lines, rest } = splitLines(first);
    if (o.tailLines !== undefined) lines = o.tailLines > 0 ? lines.slice(-o.tailLines) : [];
    for (const line of lines) if (!(await emit(line))) return;
    if (!o.follow || !follow) return;
    await followFile(fh, first.length, rest, emit, follow);
  } finally {
    await fh.close();
  }
}

async function followFile(fh: FileHandle, offset: number, rest: Buffer, emit: (l: Buffer) => Promise<boolean>, f: FollowControl): Promise<void> {
  let pending = rest;
  let pos = offset;
  let lastCheck = 0;
  let stopping = false;
  const buf = Buffer.alloc(64 * 1024);
  while (!f.signal.aborted) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead > 0) {
      pos += bytesRead;
      const split = splitLines(Buffer.concat([pending, buf.subarray(0, bytesRead)]));
      pending = Buffer.from(split.rest);
      for (const line of split.lines) if (!(await emit(line))) return;
      continue;
    }
    // at the end of the file: stop once a drain after the container stopped found nothing more
    if (stopping) return;
    if (Date.now() - lastCheck >= 1000) {
      lastCheck = Date.now();
      if (!(await f.running())) {
        stopping = true;
        continue;
      }
    }
    await delay(f.pollMs ?? 100, undefined, { signal: f.signal }).catch(() => undefined);
  }
}
