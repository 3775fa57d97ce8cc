// A token bucket like golang.org/x/time/rate: it starts full (burst tokens), refills at qps per second, and a
// reservation may drive it negative, returning how long the caller must wait. Used by the REST client's QPS limit
// and by the work queue's overall bucket limiter.
import { type Clock, realClock, sleep } from './clock.ts';

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock = realClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes one token now and returns the ms to wait before acting on it (0 when one was available). */
  reserve(): number {
    if (!Number.isFinite(this.qps) || this.qps <= 0) return 0;
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  /** Returns a token taken by reserve() that was not used. */
  refund(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  /** Waits for a token; resolves false if signal aborted first (the token is then simply spent). */
  async wait(signal?: AbortSignal): Promise<boolean> {
    const delay = this.reserve();
    if (delay === 0) return !signal?.aborted;
    return sleep(this.clock, delay, signal);
  }
}
