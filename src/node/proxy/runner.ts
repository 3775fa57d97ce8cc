// A bounded-frequency runner (upstream's async.BoundedFrequencyRunner, reduced): run() asks for a sync; syncs
// never overlap, start at most once per minIntervalMs (bursts of changes collapse into one transaction), and a
// request arriving while a sync runs causes exactly one more. A failed sync is retried after retryMs.
import { type Clock, type Timer, realClock } from '../../client/clock.ts';

export interface RunnerOptions {
  minIntervalMs: number;
  retryMs?: number;
  clock?: Clock;
  onError?: (err: unknown) => void;
}

export class BoundedRunner {
  private readonly clock: Clock;
  private lastStart = -Infinity;
  private timer?: Timer;
  private running = false;
  private pending = false;
  private stopped = false;

  constructor(private readonly fn: () => Promise<void>, private readonly o: RunnerOptions) {
    this.clock = o.clock ?? realClock;
  }

  /** Requests a sync as soon as the minimum interval allows. */
  run(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.lastStart + this.o.minIntervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.execute();
    }, wait);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private async execute(): Promise<void> {
    if (this.stopped) return;
    this.running = true;
    this.pending = false;
    this.lastStart = this.clock.now();
    let failed = false;
    try {
      await this.fn();
    } catch (err) {
      failed = true;
      this.o.onError?.(err);
    } finally {
      this.running = false;
    }
    if (failed && !this.pending) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        void this.execute();
      }, this.o.retryMs ?? 1000);
    } else if (this.pending) {
      this.run();
    }
  }
}
