// The scheduling queue, as upstream's PriorityQueue: activeQ (ordered by priority, then by when the pod first
// entered the queue), backoffQ (pods that failed, each waiting 1 s × 2^(attempts−1), at most 10 s) and
// unschedulablePods (pods no node fitted, parked until a cluster event that could help them: the event names the
// plugins it may change, and a pod moves only if one of the plugins that rejected it is among them). Parked pods
// are flushed back after 5 minutes regardless. Time comes from an injected clock.
import { type Clock, type Timer, realClock } from '../../client/index.ts';
import { Heap, type HeapEntry } from './heap.ts';
import type { PodInfo } from './pod-info.ts';

export interface QueuedPod {
  info: PodInfo;
  /** When the pod first entered the queue (ordering among equal priorities). */
  timestamp: number;
  attempts: number;
  /** When the last attempt failed (backoff counts from here). */
  lastFailure: number;
  unschedulablePlugins: Set<string>;
}

export interface QueueOptions {
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxUnschedulableMs?: number;
}

type Where = { q: 'active' | 'backoff'; entry: HeapEntry<QueuedPod> } | { q: 'unschedulable' };

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxUnschedulable: number;
  private readonly active = new Heap<QueuedPod>((a, b) => a.info.priority > b.info.priority || (a.info.priority === b.info.priority && a.timestamp < b.timestamp));
  private readonly backoff = new Heap<QueuedPod>((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable = new Map<string, QueuedPod>();
  /** key -> queued pod, wherever it is; a popped pod (in flight) is not here. */
  private readonly pods = new Map<string, { qp: QueuedPod; where: Where }>();
  private waiters: ((qp: QueuedPod | undefined) => void)[] = [];
  private backoffTimer?: { at: number; timer: Timer };
  private closed = false;

  constructor(o: QueueOptions = {}) {
    this.clock = o.clock ?? realClock;
    this.initialBackoff = o.initialBackoffMs ?? 1000;
    this.maxBackoff = o.maxBackoffMs ?? 10_000;
    this.maxUnschedulable = o.maxUnschedulableMs ?? 300_000;
  }

  get activeCount(): number {
    return this.active.size;
  }
  get backoffCount(): number {
    return this.backoff.size;
  }
  get unschedulableCount(): number {
    return this.unschedulable.size;
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  /** A new pending pod. */
  add(info: PodInfo): void {
    if (this.pods.has(info.key)) {
      this.update(info);
      return;
    }
    this.toActive({ info, timestamp: this.clock.now(), attempts: 0, lastFailure: 0, unschedulablePlugins: new Set() });
  }

  /** The pending pod changed: keep the newest object; a parked pod gets another chance. */
  update(info: PodInfo): void {
    const cur = this.pods.get(info.key);
    if (!cur) return;
    cur.qp.info = info;
    if (cur.where.q === 'unschedulable') {
      this.unschedulable.delete(info.key);
      this.pods.delete(info.key);
      this.requeue(cur.qp);
    }
  }

  delete(key: string): void {
    const cur = this.pods.get(key);
    if (!cur) return;
    this.pods.delete(key);
    if (cur.where.q === 'unschedulable') this.unschedulable.delete(key);
    else if (cur.where.q === 'active') this.active.remove(cur.where.entry);
    else this.backoff.remove(cur.where.entry);
  }

  /** The next pod to schedule; waits while activeQ is empty; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    const qp = this.active.pop();
    if (qp) {
      this.pods.delete(qp.info.key);
      qp.attempts++;
      return Promise.resolve(qp);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** No node fitted: park the pod until an event that may help one of these plugins. */
  addUnschedulable(qp: QueuedPod, plugins: Set<string>): void {
    if (this.closed || this.pods.has(qp.info.key)) return;
    qp.lastFailure = this.clock.now();
    qp.unschedulablePlugins = plugins;
    this.unschedulable.set(qp.info.key, qp);
    this.pods.set(qp.info.key, { qp, where: { q: 'unschedulable' } });
  }

  /** An error (not a fit failure, e.g. the bind failed): retry after backoff. */
  addBackoff(qp: QueuedPod): void {
    if (this.closed || this.pods.has(qp.info.key)) return;
    qp.lastFailure = this.clock.now();
    qp.unschedulablePlugins = new Set();
    this.requeue(qp);
  }

  /** A cluster event: parked pods rejected by one of `plugins` (all when undefined) go to backoff or active. */
  moveAll(plugins?: ReadonlySet<string>, filter?: (qp: QueuedPod) => boolean): void {
    for (const [key, qp] of this.unschedulable) {
      if (plugins && qp.unschedulablePlugins.size && ![...qp.unschedulablePlugins].some((p) => plugins.has(p))) continue;
      if (filter && !filter(qp)) continue;
      this.unschedulable.delete(key);
      this.pods.delete(key);
      this.requeue(qp);
    }
  }

  /** Moves pods parked longer than maxUnschedulableMs (upstream's periodic flush). */
  flushUnschedulable(): void {
    const now = this.clock.now();
    this.moveAll(undefined, (qp) => now - qp.lastFailure >= this.maxUnschedulable);
  }

  /** Moves backoffQ pods whose backoff has expired to activeQ. */
  flushBackoff(): void {
    const now = this.clock.now();
    for (let qp = this.backoff.peek(); qp && this.backoffExpiry(qp) <= now; qp = this.backoff.peek()) {
      this.backoff.pop();
      this.pods.delete(qp.info.key);
      this.toActive(qp);
    }
    this.armBackoffTimer();
  }

  close(): void {
    this.closed = true;
    this.backoffTimer?.timer.cancel();
    this.backoffTimer = undefined;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  backoffDuration(qp: QueuedPod): number {
    let d = this.initialBackoff;
    for (let i = 1; i < qp.attempts; i++) {
      d *= 2;
      if (d > this.maxBackoff) return this.maxBackoff;
    }
    return d;
  }

  private backoffExpiry(qp: QueuedPod): number {
    return qp.lastFailure + this.backoffDuration(qp);
  }

  private requeue(qp: QueuedPod): void {
    if (qp.attempts > 0 && this.backoffExpiry(qp) > this.clock.now()) {
      const entry = this.backoff.push(qp);
      this.pods.set(qp.info.key, { qp, where: { q: 'backoff', entry } });
      this.armBackoffTimer();
    } else this.toActive(qp);
  }

  private toActive(qp: QueuedPod): void {
    if (this.closed) return;
    const w = this.waiters.shift();
    if (w) {
      qp.attempts++;
      w(qp);
      return;
    }
    const entry = this.active.push(qp);
    this.pods.set(qp.info.key, { qp, where: { q: 'active', entry } });
  }

  private armBackoffTimer(): void {
    const next = this.backoff.peek();
    if (!next || this.closed) return;
    const at = this.backoffExpiry(next);
    if (this.backoffTimer && this.backoffTimer.at <= at) return;
    this.backoffTimer?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.backoffTimer = undefined;
      this.flushBackoff();
    }, Math.max(0, at - this.clock.now()));
    this.backoffTimer = { at, timer };
  }
}
