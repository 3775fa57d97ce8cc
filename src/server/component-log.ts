// The log file of one hosted component, written in the CRI log format (`<RFC3339> <stdout|stderr> <F|P> <msg>`) so
// the kubelet serves it for the component's mirror pod with the reader it uses for containers (container-logs.ts:
// --tail, --since, --timestamps, --limit-bytes, -f). Files (component-log-paths.ts): the running instance's, the
// previous instance's (`--previous`, as after a container restart), and the older part of the running one once it
// passed the size cap (10 MiB, the kubelet's default containerLogMaxSize).
// Lines are written through a file stream: the API server's event loop does not wait on the disk for them (only
// the open and rename of a new instance's file are synchronous).
import { createWriteStream, mkdirSync, openSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { componentLogPaths } from '../node/kubelet/component-log-paths.ts';

export { componentLogDir } from '../node/kubelet/component-log-paths.ts';

export type LogStream = 'stdout' | 'stderr';

/** A line longer than this is written as partial records (P), as the runtime does with its 16 KiB buffer. */
const maxRecord = 16 * 1024;

export interface ComponentLogOptions {
  dir: string;
  container: string;
  /** Size at which the running instance's file is rotated (default 10 MiB). */
  maxBytes?: number;
  now?: () => Date;
}

export class ComponentLog {
  private readonly paths: ReturnType<typeof componentLogPaths>;
  private readonly maxBytes: number;
  private readonly now: () => Date;
  private out: WriteStream | undefined;
  private bytes = 0;
  /** After close(): output that straggles in after the component stopped is dropped, not a file reopened. */
  private closed = false;
  private readonly pending: Record<LogStream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };

  constructor(o: ComponentLogOptions) {
    mkdirSync(o.dir, { recursive: true });
    this.paths = componentLogPaths(o.dir, o.container);
    this.maxBytes = o.maxBytes ?? 10 * 1024 * 1024;
    this.now = o.now ?? (() => new Date());
  }

  get path(): string {
    return this.paths.current;
  }

  /** A new instance starts: the running file becomes the previous one and a new file begins. */
  newInstance(): void {
    this.closed = false;
    this.flushPartial();
    this.out?.end();
    this.out = undefined;
    try {
      renameSync(this.paths.current, this.paths.previous);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    rmSync(this.paths.rotated, { force: true });
    this.open();
  }

  /** Output of the running instance: whole lines become records; an unfinished line waits for its end. */
  write(stream: LogStream, chunk: Buffer): void {
    if (this.closed) return;
    let buf = this.pending[stream].length ? Buffer.concat([this.pending[stream], chunk]) : chunk;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a)) {
      this.record(stream, 'F', buf.subarray(0, nl));
      buf = buf.subarray(nl + 1);
    }
    while (buf.length > maxRecord) {
      this.record(stream, 'P', buf.subarray(0, maxRecord));
      buf = buf.subarray(maxRecord);
    }
    this.pending[stream] = Buffer.from(buf);
  }

  /** The instance ended: an unfinished last line is written as it is. */
  flushPartial(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream].length) this.record(stream, 'F', this.pending[stream]);
      this.pending[stream] = Buffer.alloc(0);
    }
  }

  /** Resolves once everything written so far is on disk. */
  close(): Promise<void> {
    this.flushPartial();
    this.closed = true;
    const out = this.out;
    this.out = undefined;
    return new Promise((resolve) => (out ? out.end(() => resolve()) : resolve()));
  }

  private open(): void {
    // opened at once (not when the stream gets round to it), so a rename right after finds the file
    this.out = createWriteStream(this.paths.current, { fd: openSync(this.paths.current, 'a') });
    this.out.on('error', () => undefined); // a full or vanished disk loses log lines, never the server
    this.bytes = 0;
  }

  private record(stream: LogStream, tag: 'F' | 'P', msg: Buffer): void {
    if (!this.out) this.open();
    const line = Buffer.concat([Buffer.from(`${this.now().toISOString()} ${stream} ${tag} `), msg, Buffer.from('\n')]);
    this.out!.write(line);
    this.bytes += line.length;
    if (this.bytes >= this.maxBytes) {
      // the stream's descriptor follows the renamed file, so what is still queued lands in the rotated part
      this.out!.end();
      this.out = undefined;
      renameSync(this.paths.current, this.paths.rotated);
      this.open();
    }
  }
}
