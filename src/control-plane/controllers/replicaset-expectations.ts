// Controller expectations (upstream ControllerExpectations + UIDTrackingControllerExpectations): before a sync
// issues N creates it records "expect N adds"; each pod add seen by the informer lowers the count. Deletes are
// tracked by pod key, so a pod seen deleted twice (graceful delete, then removal) counts once. Until the cache
// has caught up with our own writes, the owner is not managed again, which is what stops double-creation. A
// record older than 5 minutes is treated as satisfied, so a lost watch event cannot wedge a controller.
import { type Clock, realClock } from '../../client/clock.ts';

export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Record {
  adds: number;
  dels: Set<string>;
  at: number;
}

export class Expectations {
  private readonly records = new Map<string, Record>();

  constructor(private readonly clock: Clock = realClock) {}

  /** True when the controller may act on `key` again. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.adds <= 0 && r.dels.size === 0) return true;
    return this.clock.now() - r.at > expectationsTimeoutMs;
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { adds: n, dels: new Set(), at: this.clock.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.records.set(key, { adds: 0, dels: new Set(podKeys), at: this.clock.now() });
  }

  /** Both at once (the DaemonSet controller creates on some nodes while deleting on others in one pass). */
  expect(key: string, adds: number, podKeys: string[]): void {
    this.records.set(key, { adds, dels: new Set(podKeys), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r && r.adds > 0) r.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.records.get(key)?.dels.delete(podKey);
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  /** For tests and debugging: outstanding adds and deletes. */
  pending(key: string): { adds: number; dels: number } | undefined {
    const r = this.records.get(key);
    return r && { adds: r.adds, dels: r.dels.size };
  }
}
