// Runs `skiff` as a separate process (the real CLI entry point), for tests of start-up, signals and crashes; runFile
// runs any program to its end for its exit code and output.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const skiffBin = fileURLToPath(new URL('../../bin/skiff.js', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface SkiffProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `skiff <args>` and resolves once its output matches `ready`. `wrap` runs it under another program that
 * execs it in place (e.g. `nsenter --net=…`), so the child's PID is still skiff's.
 */
export async function startSkiff(args: string[], ready: RegExp, timeoutMs = 60_000, wrap: string[] = []): Promise<SkiffProcess> {
  const argv = [...wrap, process.execPath, skiffBin, ...args];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`skiff did not become ready: ${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`skiff exited (${code}) before ready: ${out}`));
    });
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, exited };
}

/** SIGTERM to a skiff process still running (none if it never started), then its exit. */
export async function stopSkiff(p: SkiffProcess | undefined): Promise<void> {
  if (!p) return;
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await p.exited;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end and never rejects: a non-zero exit is its code, any other failure (not started,
 * killed) is code 1, so a test asserts on the code with stderr as the message. env defaults to this process's.
 */
export function runFile(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env ?? process.env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
