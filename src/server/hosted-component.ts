// Supervisor of one component `skiff server` hosts off the API server's event loop (scheduler, controller-manager,
// later kubelet, kube-proxy, DNS), each in a worker thread of its own. start() resolves once the component reports
// ready and rejects if its first instance dies before that (a misconfiguration fails the server at once). After
// that, an instance that dies is never run without: it is logged, counted in
// skiff_hosted_component_restarts_total and restarted with exponential backoff (reset after a long healthy run),
// like the kubelet's CrashLoopBackOff. stop() asks the component to stop and terminates it after a bound.
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Counter, Gauge } from 'prom-client';
import { registry } from '../control-plane/apiserver/metrics.ts';
import { siblingModule, type ToSupervisor, type ToWorker, type WorkerInit } from './hosted-main.ts';

export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** An instance that ran this long before dying restarts after initialMs again. */
  resetAfterMs: number;
}

export const defaultBackoff: Backoff = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 120_000 };

export interface HostedComponentSpec {
  name: string;
  /** file: URL of the module exporting the main (see siblingModule). */
  module: string;
  /** Its exported name (default "main"). */
  export?: string;
  /** Structured-cloneable options handed to the main. */
  options: unknown;
  backoff?: Partial<Backoff>;
  /** How long stop() waits for a clean exit before terminating the thread (default 3 s). */
  stopTimeoutMs?: number;
  /** Where the supervisor's lines go (default stderr). */
  log?: (line: string) => void;
  /** Stops the component (as stop()) when aborted. */
  signal?: AbortSignal;
}

const restartsTotal = new Counter({
  name: 'skiff_hosted_component_restarts_total',
  help: 'Times skiff server restarted a hosted component after it died.',
  labelNames: ['component'],
  registers: [registry],
});
const upGauge = new Gauge({
  name: 'skiff_hosted_component_up',
  help: '1 while a hosted component runs and has reported ready, 0 otherwise.',
  labelNames: ['component'],
  registers: [registry],
});
const infoGauge = new Gauge({
  name: 'skiff_hosted_component_info',
  help: 'Where a hosted component runs: its worker thread id (the API server runs on thread 0) and process id.',
  labelNames: ['component', 'thread_id', 'pid'],
  registers: [registry],
});

/** A thread for the component worker; sources run through tsx get the loader registered in the thread first. */
function spawnWorker(init: WorkerInit): Worker {
  const entry = siblingModule(import.meta.url, './component-worker');
  if (!entry.endsWith('.ts')) return new Worker(new URL(entry), { workerData: init });
  // Node 20 does not apply --import loader hooks to worker threads, so the thread registers tsx itself.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: init });
}

const duration = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`);

export interface HostedComponentEvents {
  ready: [threadId: number];
  exit: [info: { code: number; error?: string }];
}

export class HostedComponent extends EventEmitter<HostedComponentEvents> {
  readonly name: string;
  /** Restarts after deaths so far. */
  restarts = 0;
  /** Thread id of the running instance, while one runs. */
  threadId: number | undefined;
  private readonly backoff: Backoff;
  private readonly log: (line: string) => void;
  private worker: Worker | undefined;
  private nextDelayMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private everReady = false;
  private stopping = false;
  private firstStart: { resolve(): void; reject(err: Error): void } | undefined;
  private infoLabels: { component: string; thread_id: string; pid: string } | undefined;

  constructor(private readonly spec: HostedComponentSpec) {
    super();
    this.name = spec.name;
    this.backoff = { ...defaultBackoff, ...spec.backoff };
    this.nextDelayMs = this.backoff.initialMs;
    this.log = spec.log ?? ((line) => process.stderr.write(`${line}\n`));
    upGauge.set({ component: this.name }, 0);
    restartsTotal.inc({ component: this.name }, 0);
  }

  /** True while an instance runs and has reported ready (for health checks such as /readyz). */
  get up(): boolean {
    return this.threadId !== undefined;
  }

  /** Starts the first instance; resolves when it is ready, rejects if it dies before. */
  start(): Promise<void> {
    this.spec.signal?.addEventListener('abort', () => void this.stop(), { once: true });
    return new Promise((resolve, reject) => {
      this.firstStart = { resolve, reject };
      this.spawn();
    });
  }

  private spawn(): void {
    this.restartTimer = undefined;
    const init: WorkerInit = { name: this.name, module: this.spec.module, export: this.spec.export ?? 'main', options: this.spec.options };
    const worker = spawnWorker(init);
    this.worker = worker;
    const startedAt = Date.now();
    let error: string | undefined;
    worker.on('message', (m: ToSupervisor) => {
      if (m.type === 'failed') error = m.error;
      else if (m.type === 'ready') this.ready(m.threadId, m.pid);
    });
    worker.on('error', (err) => {
      error = err.stack ?? err.message;
    });
    worker.on('exit', (code) => this.exited(worker, code, error, Date.now() - startedAt));
  }

  private ready(threadId: number, pid: number): void {
    this.threadId = threadId;
    upGauge.set({ component: this.name }, 1);
    this.infoLabels = { component: this.name, thread_id: String(threadId), pid: String(pid) };
    infoGauge.set(this.infoLabels, 1);
    this.log(`skiff: ${this.name} running in worker thread ${threadId} (pid ${pid})`);
    if (!this.everReady) {
      this.everReady = true;
      this.firstStart?.resolve();
    }
    this.emit('ready', threadId);
  }

  private exited(worker: Worker, code: number, error: string | undefined, ranMs: number): void {
    if (this.worker === worker) this.worker = undefined;
    upGauge.set({ component: this.name }, 0);
    if (this.infoLabels) infoGauge.remove(this.infoLabels);
    this.infoLabels = undefined;
    const threadId = this.threadId;
    this.threadId = undefined;
    this.emit('exit', { code, error });
    if (this.stopping) {
      if (!this.everReady) this.firstStart?.resolve();
      return;
    }
    const why = error ?? `exit code ${code}`;
    if (!this.everReady) {
      this.firstStart?.reject(new Error(`${this.name} failed to start: ${why}`));
      return;
    }
    if (ranMs >= this.backoff.resetAfterMs) this.nextDelayMs = this.backoff.initialMs;
    const delay = this.nextDelayMs;
    this.nextDelayMs = Math.min(this.backoff.maxMs, delay * 2);
    this.restarts++;
    restartsTotal.inc({ component: this.name });
    this.log(`skiff: ${this.name} (worker thread ${threadId ?? '?'}) died: ${why}; restart ${this.restarts} in ${duration(delay)}`);
    this.restartTimer = setTimeout(() => this.spawn(), delay);
  }

  /** Ends the running instance abruptly, as a crash would (chaos tests); the supervisor restarts it. */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Asks the component to stop; terminates its thread if it has not ended within the bound. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    const bound = this.spec.stopTimeoutMs ?? 3000;
    const timer = setTimeout(() => {
      this.log(`skiff: ${this.name} did not stop within ${duration(bound)}; terminating it`);
      void worker.terminate();
    }, bound);
    await exited;
    clearTimeout(timer);
  }
}
