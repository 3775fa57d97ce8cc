// The one shape every controller here has (STYLE.md: informer → queue → reconcile → Action). A controller is a
// class that, in its constructor, asks the shared informers for what it reads (`this.informer(ref)`, remembered
// so run() waits for their caches) and turns their events into keys on `this.queue`; `reconcile(key, signal)`
// re-reads the caches, compares desired with actual, acts through the API, and says what happens next
// ({ requeueAfter } or nothing); `run()` hands the queue to client/controller.ts's runner. Periodic passes are a
// key that reconcile requeues after its period. start<Name>Controller(ctx) is `new X(ctx).run()`.
import { type Clock, realClock } from '../../client/clock.ts';
import { type Action, runController } from '../../client/controller.ts';
import { isConflict } from '../../client/errors.ts';
import type { Informer } from '../../client/informer.ts';
import type { ListWatchOptions } from '../../client/reflector.ts';
import type { ResourceRef } from '../../client/resource-ref.ts';
import type { ApiObject } from '../../client/types.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { ControllerContext } from './context.ts';

export interface ControllerSpec {
  /** Name in logs (upstream's controller name). */
  name: string;
  /** Concurrent reconciles (default 1); one key is never reconciled twice at once. */
  workers?: number;
  /** Log conflicts too (default false: a conflict only means the cache was behind a write, and is retried). */
  logConflicts?: boolean;
}

export abstract class Controller {
  readonly queue: WorkQueue<string>;
  protected readonly clock: Clock;
  /** The caches reconcile reads, which must have synced before the first reconcile. */
  private readonly synced: Promise<void>[] = [];

  constructor(protected readonly ctx: ControllerContext, private readonly spec: ControllerSpec) {
    this.clock = ctx.clock ?? realClock;
    this.queue = new WorkQueue<string>({ clock: this.clock });
  }

  /** Re-reads the caches for key, acts, and says when to look again (nothing: when something changes). */
  abstract reconcile(key: string, signal: AbortSignal): Promise<Action>;

  /** Runs until ctx.signal aborts; reconciles start once every informer asked for has synced. */
  run(): Promise<void> {
    return runController({
      name: this.spec.name,
      queue: this.queue,
      workers: this.spec.workers,
      signal: this.ctx.signal,
      synced: this.synced,
      reconcile: (key, signal) => this.reconcile(key, signal),
      onError: (key, err) => {
        if (isConflict(err) && !this.spec.logConflicts) return;
        console.error(`controller ${this.spec.name}: reconciling ${key} failed:`, errMessage(err));
      },
    });
  }

  /** The shared informer for ref; run() waits for its cache. */
  protected informer<T extends ApiObject>(ref: ResourceRef, sel?: ListWatchOptions): Informer<T> {
    const inf = this.ctx.informers.informerFor<T>(ref, sel);
    this.synced.push(inf.synced);
    return inf;
  }

  protected now(): number {
    return this.clock.now();
  }
}

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
