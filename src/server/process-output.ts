// A copy of what this process itself prints, for a log: while a sink is attached, every write to process.stdout and
// process.stderr also goes to it, and reaches the terminal unchanged. Output a supervisor passes on for a hosted
// component (forwardOutput) goes to the terminal only: that component keeps a log of its own (component-log.ts), and
// the kube-apiserver log must not repeat the scheduler's lines. The wrapper is installed once and stays; sinks come
// and go (several servers in one test process each attach and detach their own).
import type { LogStream } from './component-log.ts';

export type OutputSink = (stream: LogStream, chunk: Buffer) => void;

const sinks = new Set<OutputSink>();
let installed = false;
/** >0 while forwardOutput writes: that output is not this process's own. */
let forwarding = 0;

function install(): void {
  if (installed) return;
  installed = true;
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    const original = target.write.bind(target) as (...args: unknown[]) => boolean;
    const tee = (chunk: unknown, ...rest: unknown[]): boolean => {
      if (forwarding === 0 && sinks.size > 0) {
        const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk instanceof Uint8Array ? Buffer.from(chunk) : undefined;
        // a broken sink loses log lines, never the terminal's output
        if (bytes) for (const sink of sinks) try { sink(stream, bytes); } catch { /* dropped */ }
      }
      return original(chunk, ...rest);
    };
    target.write = tee as typeof target.write;
  }
}

/** Copies this process's own output to sink until the returned function is called. */
export function teeProcessOutput(sink: OutputSink): () => void {
  install();
  sinks.add(sink);
  return () => {
    sinks.delete(sink);
  };
}

/** Writes a hosted component's output to the terminal without copying it to the sinks. */
export function forwardOutput(stream: LogStream, chunk: Buffer): void {
  forwarding++;
  try {
    process[stream].write(chunk);
  } finally {
    forwarding--;
  }
}
