// Supervisor of one component `skiff server` hosts off the API server's event loop (scheduler, controller-manager,
// later kubelet, kube-proxy, DNS), each in a worker thread (default) or a child process of its own. start()
// resolves once the component reports ready and rejects if its first instance dies before that (a
// misconfiguration fails the server at once). After that, an instance that dies is never run without: it is
// logged, counted in skiff_hosted_component_restarts_total and restarted with exponential backoff (reset after a
// long healthy run), like the kubelet's CrashLoopBackOff. stop() asks it to stop and kills it after a bound.
// Its output goes on to the server's stdout/stderr and, with a log file, into the component's log
// (component-log.ts; without one it counts as the server's own output, process-output.ts); state() is what a
// mirror pod shows of it (mirror-pods.ts), and 'change' says when that moved.
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { Counter, Gauge } from 'prom-client';
import { registry } from '../control-plane/apiserver/metrics.ts';
import type { ComponentInit, ToSupervisor } from './hosted-main.ts';
import { startInstance, type ComponentInstance, type Isolation } from './component-instance.ts';
import { ComponentLog } from './component-log.ts';
import { forwardOutput } from './process-output.ts';

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
  /** Options handed to the main: structured-cloneable for a thread, JSON for a process. */
  options: unknown;
  /** A worker thread (default: cheap, shares the process) or a child process (its own heap and crashes). */
  isolation?: Isolation;
  backoff?: Partial<Backoff>;
  /** How long stop() waits for a clean exit before killing the instance (default 3 s). */
  stopTimeoutMs?: number;
  /** Where the supervisor's lines go (default stderr). */
  log?: (line: string) => void;
  /** Stops the component (as stop()) when aborted. */
  signal?: AbortSignal;
  /** Keep the component's output in this log (each instance starts a new file; see component-log.ts). */
  logFile?: { dir: string; container: string };
  /**
   * What each new instance is sent first (HostedContext.onInput): the present state of what send() keeps it
   * informed of, so a restarted instance starts from now rather than from nothing.
   */
  input?: () => unknown;
}

/** How one instance ended, as a container's lastState.terminated tells it. */
export interface InstanceEnd {
  startedAt: Date;
  finishedAt: Date;
  /** 137 for SIGKILL (128 + signal), as the runtime reports a killed container. */
  exitCode: number;
  /** "exit code 1", "signal SIGKILL" */
  how: string;
  error?: string;
}

/** What the supervisor knows of its component at one moment. */
export interface HostedComponentState {
  /** starting: an instance runs, not yet ready; backoff: it died and waits to be restarted. */
  phase: 'starting' | 'running' | 'backoff' | 'stopped';
  restarts: number;
  /** When this run's first instance started. */
  firstStartedAt?: Date;
  /** When the current instance started (phase starting or running). */
  startedAt?: Date;
  /** When the phase last moved. */
  since: Date;
  /** The last instance that ended. */
  lastEnd?: InstanceEnd;
  /** The wait before the next instance (phase backoff). */
  backoffMs?: number;
  threadId?: number;
  pid?: number;
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
  help: 'Where a hosted component runs: thread id (the API server runs on thread 0 of its process) and process id.',
  labelNames: ['component', 'thread_id', 'pid'],
  registers: [registry],
});

const duration = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`);

export interface HostedComponentEvents {
  ready: [where: { threadId: number; pid: number }];
  exit: [info: { how: string; error?: string }];
  /** state() moved (started, ready, died, stopped). */
  change: [];
}

/** The exit code a runtime would report: the process's own, or 128 + the signal that ended it. */
export function exitCodeOf(how: string): number {
  const code = /^exit code (\d+)$/.exec(how)?.[1];
  if (code !== undefined) return Number(code);
  const signal = /^signal (\w+)$/.exec(how)?.[1];
  const n = signal ? (constants.signals as Record<string, number | undefined>)[signal] : undefined;
  return n === undefined ? 1 : 128 + n;
}

export class HostedComponent extends EventEmitter<HostedComponentEvents> {
  readonly name: string;
  /** Restarts after deaths so far. */
  restarts = 0;
  /** Thread id and process id of the running instance, while one runs and is ready. */
  threadId: number | undefined;
  pid: number | undefined;
  private readonly backoff: Backoff;
  private readonly log: (line: string) => void;
  private instance: ComponentInstance | undefined;
  /** "worker thread 3" or "child process 43", for log lines. */
  private where = '';
  private nextDelayMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private everReady = false;
  private stopping = false;
  private firstStart: { resolve(): void; reject(err: Error): void } | undefined;
  private infoLabels: { component: string; thread_id: string; pid: string } | undefined;
  private readonly output: ComponentLog | undefined;
  private current: HostedComponentState = { phase: 'stopped', restarts: 0, since: new Date() };

  constructor(private readonly spec: HostedComponentSpec) {
    super();
    this.name = spec.name;
    this.backoff = { ...defaultBackoff, ...spec.backoff };
    this.nextDelayMs = this.backoff.initialMs;
    this.log = spec.log ?? ((line) => process.stderr.write(`${line}\n`));
    upGauge.set({ component: this.name }, 0);
    restartsTotal.inc({ component: this.name }, 0);
    if (spec.logFile) this.output = new ComponentLog(spec.logFile);
  }

  /** A snapshot of the component's state (a copy: it does not move under the caller). */
  state(): HostedComponentState {
    return { ...this.current };
  }

  private moveTo(next: Partial<HostedComponentState> & Pick<HostedComponentState, 'phase'>): void {
    this.current = { ...this.current, startedAt: undefined, backoffMs: undefined, threadId: undefined, pid: undefined, ...next, restarts: this.restarts, since: new Date() };
    this.emit('change');
  }

  /** Where its instances run. */
  get isolation(): Isolation {
    return this.spec.isolation ?? 'thread';
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
    const init: ComponentInit = { name: this.name, module: this.spec.module, export: this.spec.export ?? 'main', options: this.spec.options };
    this.output?.newInstance();
    const instance = startInstance(init, this.spec.isolation ?? 'thread');
    this.instance = instance;
    if (this.spec.input) instance.post({ type: 'input', data: this.spec.input() });
    const started = new Date();
    this.moveTo({ phase: 'starting', startedAt: started, firstStartedAt: this.current.firstStartedAt ?? started });
    let error: string | undefined;
    instance.on('output', (stream, chunk) => {
      if (!this.output) {
        // no log of its own (the mirror-pod publisher, which is no pod): its lines count as the server's own, kept
        // in the kube-apiserver log as they were when it ran on the main thread
        process[stream].write(chunk);
        return;
      }
      forwardOutput(stream, chunk);
      this.output.write(stream, chunk);
    });
    instance.on('message', (m: ToSupervisor) => {
      if (m.type === 'failed') error = m.error;
      else if (m.type === 'ready') this.ready(m.threadId, m.pid);
    });
    instance.on('error', (err) => {
      error = err.stack ?? err.message;
    });
    instance.on('exit', (how) => this.exited(instance, how, error, started));
  }

  private ready(threadId: number, pid: number): void {
    this.threadId = threadId;
    this.pid = pid;
    const inThread = pid === process.pid;
    this.where = inThread ? `worker thread ${threadId}` : `child process ${pid}`;
    upGauge.set({ component: this.name }, 1);
    this.infoLabels = { component: this.name, thread_id: String(threadId), pid: String(pid) };
    infoGauge.set(this.infoLabels, 1);
    this.log(`skiff: ${this.name} running in ${this.where}${inThread ? ` (pid ${pid})` : ''}`);
    if (!this.everReady) {
      this.everReady = true;
      this.firstStart?.resolve();
    }
    this.emit('ready', { threadId, pid });
    this.moveTo({ phase: 'running', startedAt: this.current.startedAt, threadId, pid });
  }

  private exited(instance: ComponentInstance, how: string, error: string | undefined, started: Date): void {
    const finishedAt = new Date();
    const ranMs = finishedAt.getTime() - started.getTime();
    this.output?.flushPartial();
    const lastEnd: InstanceEnd = { startedAt: started, finishedAt, exitCode: exitCodeOf(how), how, error };
    if (this.instance === instance) this.instance = undefined;
    upGauge.set({ component: this.name }, 0);
    if (this.infoLabels) infoGauge.remove(this.infoLabels);
    this.infoLabels = undefined;
    this.threadId = this.pid = undefined;
    const where = this.where || 'not yet ready';
    this.where = '';
    this.emit('exit', { how, error });
    if (this.stopping) {
      this.moveTo({ phase: 'stopped', lastEnd });
      void this.output?.close();
      if (!this.everReady) this.firstStart?.resolve();
      return;
    }
    const why = error ?? how;
    if (!this.everReady) {
      this.moveTo({ phase: 'stopped', lastEnd });
      void this.output?.close();
      this.firstStart?.reject(new Error(`${this.name} failed to start: ${why}`));
      return;
    }
    if (ranMs >= this.backoff.resetAfterMs) this.nextDelayMs = this.backoff.initialMs;
    const delay = this.nextDelayMs;
    this.nextDelayMs = Math.min(this.backoff.maxMs, delay * 2);
    this.restarts++;
    restartsTotal.inc({ component: this.name });
    this.log(`skiff: ${this.name} (${where}) died: ${why}; restart ${this.restarts} in ${duration(delay)}`);
    this.restartTimer = setTimeout(() => this.spawn(), delay);
    this.moveTo({ phase: 'backoff', lastEnd, backoffMs: delay });
  }

  /**
   * Sends data to the running instance (HostedContext.onInput): structured-cloned for a thread, JSON for a process.
   * None runs (backoff, stopped): dropped, and the spec's input brings the next instance up to date.
   */
  send(data: unknown): void {
    this.instance?.post({ type: 'input', data });
  }

  /** Ends the running instance abruptly, as a crash would (chaos tests); the supervisor restarts it. */
  async kill(): Promise<void> {
    await this.instance?.kill();
  }

  /** Asks the component to stop; kills it if it has not ended within the bound. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const instance = this.instance;
    if (!instance) {
      if (this.current.phase !== 'stopped') this.moveTo({ phase: 'stopped', lastEnd: this.current.lastEnd });
      await this.output?.close();
      return;
    }
    const exited = new Promise<void>((resolve) => instance.once('exit', () => resolve()));
    instance.post({ type: 'stop' });
    const bound = this.spec.stopTimeoutMs ?? 3000;
    const timer = setTimeout(() => {
      this.log(`skiff: ${this.name} did not stop within ${duration(bound)}; killing it`);
      void instance.kill();
    }, bound);
    await exited;
    clearTimeout(timer);
  }
}
