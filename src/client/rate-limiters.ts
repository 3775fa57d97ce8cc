// Work-queue rate limiters as in client-go: small objects answering "how long should this item wait before its
// next try" (when), "it succeeded, forget its history" (forget), and "how often has it failed" (numRequeues).
// They compose: maxOf(perItemExponential, overallBucket) is the default controller limiter.
import { type Clock, realClock } from './clock.ts';
import { TokenBucket } from './token-bucket.ts';

export interface RateLimiter<T> {
  /** Milliseconds to wait before the item's next attempt; records a failure. */
  when(item: T): number;
  forget(item: T): void;
  numRequeues(item: T): number;
}

/** base * 2^failures per item, capped at max (client-go default 5 ms → 1000 s). */
export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(private readonly baseMs = 5, private readonly maxMs = 1_000_000) {}

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    // 2^n overflows to Infinity well before it matters; min() then caps it.
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** One token bucket for all items (client-go default 10 qps, burst 100): bounds the overall retry rate. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private readonly bucket: TokenBucket;

  constructor(qps = 10, burst = 100, clock: Clock = realClock) {
    this.bucket = new TokenBucket(qps, burst, clock);
  }

  when(_item: T): number {
    return this.bucket.reserve();
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** fast delay for the first maxFastAttempts tries of an item, slow after that. */
export class ItemFastSlowRateLimiter<T> implements RateLimiter<T> {
  private readonly attempts = new Map<T, number>();

  constructor(private readonly fastMs: number, private readonly slowMs: number, private readonly maxFastAttempts: number) {}

  when(item: T): number {
    const n = (this.attempts.get(item) ?? 0) + 1;
    this.attempts.set(item, n);
    return n <= this.maxFastAttempts ? this.fastMs : this.slowMs;
  }

  forget(item: T): void {
    this.attempts.delete(item);
  }

  numRequeues(item: T): number {
    return this.attempts.get(item) ?? 0;
  }
}

/** The longest delay any of the limiters asks for; every limiter records every failure. */
export function maxOf<T>(...limiters: RateLimiter<T>[]): RateLimiter<T> {
  return {
    when: (item) => limiters.reduce((max, l) => Math.max(max, l.when(item)), 0),
    forget: (item) => limiters.forEach((l) => l.forget(item)),
    numRequeues: (item) => limiters.reduce((max, l) => Math.max(max, l.numRequeues(item)), 0),
  };
}

/** client-go's DefaultTypedControllerRateLimiter. */
export function defaultControllerRateLimiter<T>(clock: Clock = realClock): RateLimiter<T> {
  return maxOf<T>(new ItemExponentialRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(10, 100, clock));
}
