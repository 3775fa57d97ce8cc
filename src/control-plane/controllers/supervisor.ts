// Runs one controller for as long as the manager runs, loudly. A controller that throws, or returns while the
// manager still runs, has stopped doing its job: the supervisor says so on stderr, counts it in
// skiff_controller_restarts_total{controller}, and starts it again after an exponential backoff (1 s doubling to
// 60 s; a run that lasted longer than the cap starts the backoff over). Each run gets its own signal and a view of
// the shared informers scoped to it, so a failed run's event handlers are removed before the next run registers.
import { type Clock, realClock, sleep } from '../../client/clock.ts';
import { scopedInformers } from '../../client/informer.ts';
import type { ControllerContext, StartController } from './context.ts';
import { controllerRestarts, runningManagedControllers } from './metrics.ts';

export interface SuperviseOptions {
  name: string;
  start: StartController;
  /** The manager's context; each run gets a copy with its own signal and scoped informers. */
  ctx: ControllerContext;
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called after each failure, before the backoff (tests; the log line is written regardless). */
  onFailure?: (err: unknown, restarts: number) => void;
}

export const managerName = 'kube-controller-manager';

/** Resolves once ctx.signal aborted and the controller's current run has finished. */
export async function superviseController(o: SuperviseOptions): Promise<void> {
  const clock = o.clock ?? o.ctx.clock ?? realClock;
  const initial = o.initialBackoffMs ?? 1_000;
  const cap = o.maxBackoffMs ?? 60_000;
  const outer = o.ctx.signal;
  let backoff = 0;
  let restarts = 0;
  while (!outer.aborted) {
    const run = new AbortController();
    const stopRun = (): void => run.abort();
    outer.addEventListener('abort', stopRun, { once: true });
    const started = clock.now();
    const gauge = runningManagedControllers.labels({ manager: managerName, name: o.name });
    gauge.set(1);
    let failure: unknown;
    try {
      await o.start({ ...o.ctx, signal: run.signal, informers: scopedInformers(o.ctx.informers, run.signal) });
      failure = new Error('returned while the controller-manager was still running');
    } catch (err) {
      failure = err;
    } finally {
      gauge.set(0);
      outer.removeEventListener('abort', stopRun);
      run.abort(); // ends this run's handlers and anything it left running
    }
    if (outer.aborted) return;
    restarts++;
    controllerRestarts.labels({ controller: o.name }).inc();
    backoff = clock.now() - started > cap || backoff === 0 ? initial : Math.min(backoff * 2, cap);
    const detail = failure instanceof Error ? (failure.stack ?? failure.message) : String(failure);
    console.error(`controller-manager: controller ${o.name} stopped (${detail}); restart ${restarts} in ${backoff} ms`);
    o.onFailure?.(failure, restarts);
    await sleep(clock, backoff, outer);
  }
}
