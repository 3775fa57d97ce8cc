// Time as an injected dependency: everything in the client that waits (work queue delays, rate limiters, backoff,
// leader election) asks a Clock, so tests swap in FakeClock and step time instead of sleeping.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin for fakes). */
  now(): number;
  /** Runs fn once, ms from now; cancel() before then prevents it. */
  setTimeout(fn: () => void, ms: number): Timer;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

/** Resolves true after ms, or false as soon as signal aborts (never rejects, so loops can just check it). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      timer.cancel();
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; step() fires due timers in time order. */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const p: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => { p.cancelled = true; } };
  }

  /** Timers not yet fired nor cancelled. */
  waiters(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  /** Advances time by ms, firing each timer that falls due at its own instant (timers it sets may fire too). */
  step(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const due = this.pending.filter((p) => p.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.pending.splice(this.pending.indexOf(due), 1);
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = target;
  }
}
