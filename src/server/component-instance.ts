// One running instance of a hosted component, in a worker thread or in a child process, behind one small
// interface: post() a message to it, kill() it abruptly, and hear its messages, output, errors and exit. Under tsx (tests,
// `npm run skiff`) the instance gets the TypeScript loader too; from the compiled dist/ it runs plain JavaScript.
import { EventEmitter } from 'node:events';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { componentInitVariable, siblingModule, type ComponentInit, type ToComponent, type ToSupervisor } from './hosted-main.ts';

export type Isolation = 'thread' | 'process';

export interface InstanceEvents {
  message: [m: ToSupervisor];
  error: [err: Error];
  /** How it ended: "exit code 1", "signal SIGKILL". */
  exit: [how: string];
  /** What it wrote to its stdout or stderr (the supervisor passes it on and keeps the component's log). */
  output: [stream: 'stdout' | 'stderr', chunk: Buffer];
}

export interface ComponentInstance extends EventEmitter<InstanceEvents> {
  post(m: ToComponent): void;
  /** Ends it at once, as a crash would; resolves when it has ended. */
  kill(): Promise<void>;
}

function instance(post: (m: ToComponent) => void, kill: () => Promise<void>): ComponentInstance {
  return Object.assign(new EventEmitter<InstanceEvents>(), { post, kill });
}

/**
 * Each thread is a V8 isolate with a young generation of its own, which V8 lets grow to 16 MiB semi-spaces: sized
 * for the API server's allocation rate, not for a component's. Capped at 4 MiB, the hosted threads of `skiff server`
 * hold ~14 MiB less resident memory after start-up (3 threads; server RSS 166 -> 152 MiB, medians of 3 runs), at the
 * price of more frequent (cheap) scavenges; the old generation is not limited, so no component runs out of heap.
 */
const resourceLimits = { maxYoungGenerationSizeMb: 4 };

function threadInstance(init: ComponentInit): ComponentInstance {
  const entry = siblingModule(import.meta.url, './component-worker');
  let worker: Worker;
  // stdout/stderr true in both branches: the supervisor passes the output on (and into the component's log); without
  // them Node also pipes it to this process's own stdout, and every line of the compiled product showed twice
  if (!entry.endsWith('.ts')) worker = new Worker(new URL(entry), { workerData: init, stdout: true, stderr: true, resourceLimits });
  else {
    // Node 20 does not apply --import loader hooks to worker threads, so the thread registers tsx itself.
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    worker = new Worker(boot, { eval: true, workerData: init, stdout: true, stderr: true, resourceLimits });
  }
  const it = instance((m) => worker.postMessage(m), async () => void (await worker.terminate()));
  worker.on('message', (m: ToSupervisor) => it.emit('message', m));
  worker.on('error', (err) => it.emit('error', err));
  worker.on('exit', (code) => it.emit('exit', `exit code ${code}`));
  worker.stdout.on('data', (chunk: Buffer) => it.emit('output', 'stdout', chunk));
  worker.stderr.on('data', (chunk: Buffer) => it.emit('output', 'stderr', chunk));
  return it;
}

/** The same cap for a child process (the kubelet): V8's semi-space flag, in MiB (a young generation is ~3 of them). */
const childSemiSpaceMb = 1;

function processInstance(init: ComponentInit): ComponentInstance {
  const entry = siblingModule(import.meta.url, './component-process');
  const child = fork(fileURLToPath(entry), [], {
    execArgv: [...(entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : []), `--max-semi-space-size=${childSemiSpaceMb}`],
    env: { ...process.env, [componentInitVariable]: JSON.stringify(init) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const it = instance(
    (m) => {
      if (child.connected) child.send(m);
    },
    async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await ended;
    },
  );
  child.on('message', (m: ToSupervisor) => it.emit('message', m));
  child.on('error', (err) => it.emit('error', err));
  child.on('exit', (code, signal) => it.emit('exit', signal ? `signal ${signal}` : `exit code ${code}`));
  child.stdout?.on('data', (chunk: Buffer) => it.emit('output', 'stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => it.emit('output', 'stderr', chunk));
  return it;
}

export function startInstance(init: ComponentInit, isolation: Isolation): ComponentInstance {
  return isolation === 'process' ? processInstance(init) : threadInstance(init);
}
