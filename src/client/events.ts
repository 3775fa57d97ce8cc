// EventRecorder writes core/v1 Events the way client-go's recorder and EventCorrelator do: an event identical to
// one recorded within the window (same source, involved object, type, reason and message) is not created again;
// the existing Event's count and lastTimestamp are bumped with a PATCH. Ten or more events differing only in message
// are combined into one "(combined from similar events)" Event. A per-object token bucket (burst 25, one more
// every 5 minutes) drops event storms. Writes happen in the background, in order; flush() waits for them.
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import { type Clock, realClock } from './clock.ts';
import { isNotFound } from './errors.ts';
import type { RestClient } from './rest.ts';
import { resourceRef } from './resource-ref.ts';
import { TokenBucket } from './token-bucket.ts';
import type { ApiObject } from './types.ts';

export const eventsRef = resourceRef('v1', 'events', true);

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: RestClient;
  /** source.component and reportingComponent, e.g. "kubelet", "deployment-controller". */
  component: string;
  /** source.host and reportingInstance (a node name for the kubelet). */
  host?: string;
  clock?: Clock;
  /** Identical events within this long update the existing Event (default 10 minutes). */
  windowMs?: number;
  /** Per involved object: events allowed at once, and refill rate (defaults 25 and 1/300 per second). */
  spamBurst?: number;
  spamQps?: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastSeen: number;
}

/** metav1.Time: RFC 3339, whole seconds, UTC. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function objectReference(obj: ApiObject): ObjectReference {
  const m = obj.metadata ?? {};
  const ref: ObjectReference = { kind: obj.kind, apiVersion: obj.apiVersion, name: m.name };
  if (m.namespace) ref.namespace = m.namespace;
  if (m.uid) ref.uid = m.uid;
  if (m.resourceVersion) ref.resourceVersion = m.resourceVersion;
  return ref;
}

/** Bounds the correlation caches like upstream's 4096-entry LRUs (Maps iterate oldest first). */
const cacheSize = 4096;
const aggregateMaxEvents = 10;
function evictOldest<K, V>(m: Map<K, V>): void {
  while (m.size > cacheSize) m.delete(m.keys().next().value as K);
}

export class EventRecorder {
  private readonly clock: Clock;
  private readonly seen = new Map<string, Seen>();
  private readonly spam = new Map<string, TokenBucket>();
  private readonly similar = new Map<string, { messages: Set<string>; lastSeen: number }>();
  private chain: Promise<void> = Promise.resolve();
  private discarding = false;
  private lastNanos = 0n;

  constructor(private readonly o: EventRecorderOptions) {
    this.clock = o.clock ?? realClock;
  }

  /** Records an event about obj (about a part of it with fieldPath, e.g. "spec.containers{web}"); returns at once
   *  (the write is queued). */
  event(obj: ApiObject, type: EventType, reason: string, message: string, opts: { fieldPath?: string } = {}): void {
    const involved = objectReference(obj);
    if (opts.fieldPath) involved.fieldPath = opts.fieldPath;
    const objKey = [involved.apiVersion, involved.kind, involved.namespace, involved.name, involved.uid].join('\u0000');
    if (!this.allow(objKey)) return;
    const now = this.clock.now();
    const stamp = formatTime(now);
    const windowMs = this.o.windowMs ?? 600_000;
    const source = [this.o.component, this.o.host ?? '', objKey, involved.fieldPath ?? '', type, reason].join('\u0000');
    // Upstream's EventAggregator: from the 10th distinct message with the same source/object/type/reason within the
    // window on, they collapse into one "(combined from similar events)" Event keyed without the message.
    let similar = this.similar.get(source);
    if (!similar || now - similar.lastSeen > windowMs) {
      similar = { messages: new Set(), lastSeen: now };
      this.similar.set(source, similar);
      evictOldest(this.similar);
    }
    similar.messages.add(message);
    similar.lastSeen = now;
    let key = `${source}\u0000${message}`;
    if (similar.messages.size >= aggregateMaxEvents) {
      similar.messages.delete(similar.messages.values().next().value as string);
      key = source;
      message = `(combined from similar events): ${message}`;
    }
    const prior = this.seen.get(key);
    if (prior && now - prior.lastSeen <= windowMs) {
      prior.count++;
      prior.lastSeen = now;
      const count = prior.count;
      const patch: Partial<Event> = key === source ? { count, lastTimestamp: stamp, message } : { count, lastTimestamp: stamp };
      this.enqueue(async () => {
        try {
          await this.o.client.patch(eventsRef, prior.name, patch, 'strategic', { namespace: prior.namespace });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // the Event expired or was deleted; write it afresh, keeping the count (as upstream does)
          await this.create(this.build(prior, involved, type, reason, message, stamp));
        }
      });
      return;
    }
    const entry: Seen = {
      name: `${involved.name ?? 'unknown'}.${this.nanos(now).toString(16)}`,
      namespace: involved.namespace || 'default',
      count: 1,
      firstTimestamp: stamp,
      lastSeen: now,
    };
    this.seen.set(key, entry);
    evictOldest(this.seen);
    const ev = this.build(entry, involved, type, reason, message, stamp);
    this.enqueue(async () => {
      try {
        await this.create(ev);
      } catch (err) {
        if (this.seen.get(key) === entry) this.seen.delete(key);
        throw err;
      }
    });
  }

  /** Waits until every event recorded so far has been written (or failed). */
  flush(): Promise<void> {
    return this.chain;
  }

  /**
   * For a component shutting down: queued writes not yet started are dropped (events are best effort, and
   * upstream's components exit without draining theirs), so flush() then waits for one write at most.
   */
  discardPending(): void {
    this.discarding = true;
  }

  private build(s: Seen, involved: ObjectReference, type: EventType, reason: string, message: string, last: string): Event {
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: s.name, namespace: s.namespace },
      involvedObject: involved,
      reason,
      message,
      type,
      source: this.o.host ? { component: this.o.component, host: this.o.host } : { component: this.o.component },
      firstTimestamp: s.firstTimestamp,
      lastTimestamp: last,
      count: s.count,
      reportingComponent: this.o.component,
      reportingInstance: this.o.host ?? '',
    };
  }

  private async create(ev: Event): Promise<void> {
    await this.o.client.create(eventsRef, ev, { namespace: ev.metadata.namespace });
  }

  private enqueue(write: () => Promise<void>): void {
    this.chain = this.chain.then(() => (this.discarding ? undefined : write())).catch((err: unknown) => {
      console.error(`event recorder ${this.o.component}: writing event failed:`, err instanceof Error ? err.message : err);
    });
  }

  private allow(objKey: string): boolean {
    let bucket = this.spam.get(objKey);
    if (!bucket) {
      bucket = new TokenBucket(this.o.spamQps ?? 1 / 300, this.o.spamBurst ?? 25, this.clock);
      this.spam.set(objKey, bucket);
      evictOldest(this.spam);
    }
    if (bucket.reserve() === 0) return true;
    bucket.refund(); // a refused event must not push the bucket further into debt
    return false;
  }

  /** Unix time in nanoseconds, strictly increasing so two events in one millisecond get different names; the
   *  sub-millisecond digits come from the monotonic clock, so two recorders (two controllers reporting on one
   *  claim in the same millisecond) do not pick the same name either. */
  private nanos(ms: number): bigint {
    let n = BigInt(ms) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    if (n <= this.lastNanos) n = this.lastNanos + 1n;
    this.lastNanos = n;
    return n;
  }
}
