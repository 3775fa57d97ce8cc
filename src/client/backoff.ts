// Per-key exponential backoff as upstream's flowcontrol.Backoff: the kubelet's container restarts
// (CrashLoopBackOff) and image pulls (ImagePullBackOff), 10 s doubling to 5 min, and the DaemonSet controller's
// deletion of failed daemon pods, 1 s doubling to 15 min. A key that stayed quiet for twice the maximum starts
// over. The clock is injected.
import { type Clock, realClock } from './clock.ts';

interface Entry {
  delayMs: number;
  /** When the backoff window began (the last failure). */
  since: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly initialMs = 10_000, private readonly maxMs = 300_000, private readonly clock: Clock = realClock) {}

  /** Milliseconds left before key may be tried again (0: go ahead). `since` defaults to the last next(). */
  remaining(key: string, since?: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const now = this.clock.now();
    const from = since ?? e.since;
    return Math.max(0, from + e.delayMs - now);
  }

  /** Records a failure (or an attempt): the next delay doubles, up to the maximum. */
  next(key: string): number {
    const now = this.clock.now();
    const e = this.entries.get(key);
    if (!e || now - e.since > 2 * this.maxMs) {
      this.entries.set(key, { delayMs: this.initialMs, since: now });
      return this.initialMs;
    }
    e.delayMs = Math.min(e.delayMs * 2, this.maxMs);
    e.since = now;
    return e.delayMs;
  }

  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key with this prefix (a pod's containers when the pod goes). */
  resetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
