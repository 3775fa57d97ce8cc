// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection: candidates poll every retry
// period; the lease is free when it has no holder or when its record has not changed for leaseDurationSeconds of
// *local* time (observed time, so clock skew between hosts does not matter). The leader renews every retry period
// and gives up when it could not renew within the renew deadline. Writes carry the resourceVersion read, so two
// candidates racing get one 409 and retry. onStartedLeading receives a signal that aborts when leadership ends.
import type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1.js';
import { type Clock, realClock, sleep } from './clock.ts';
import { isNotFound } from './errors.ts';
import type { RestClient } from './rest.ts';
import { resourceRef } from './resource-ref.ts';

export const leasesRef = resourceRef('coordination.k8s.io/v1', 'leases', true);

/** MicroTime as the API writes it: RFC 3339 with exactly six fractional digits, UTC. */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export interface LeaderElectionOptions {
  client: RestClient;
  lease: { namespace: string; name: string };
  identity: string;
  /** Defaults 15, 10 and 2 s, as kube-controller-manager; must satisfy duration > deadline > 1.2 × retry. */
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Runs while leading; its signal aborts when leadership is lost or signal aborts. A returned promise is awaited. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  onStoppedLeading?: () => void;
  /** Called whenever the observed holder changes (including to ourselves). */
  onNewLeader?: (identity: string) => void;
  /** Stops campaigning or leading. */
  signal: AbortSignal;
  /** On abort while leading, clear the holder so another candidate takes over at once (default true). */
  releaseOnCancel?: boolean;
  clock?: Clock;
}

class LeaderElector {
  private observed?: LeaseSpec;
  private observedTime = 0;
  private readonly clock: Clock;
  private readonly durationS: number;
  private readonly deadlineMs: number;
  private readonly retryMs: number;

  constructor(private readonly o: LeaderElectionOptions) {
    this.clock = o.clock ?? realClock;
    const d = o.leaseDurationSeconds ?? 15;
    const r = o.renewDeadlineSeconds ?? 10;
    const p = o.retryPeriodSeconds ?? 2;
    if (!(d > r)) throw new Error('leaseDuration must be greater than renewDeadline');
    if (!(r > 1.2 * p)) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    this.durationS = Math.max(1, Math.ceil(d));
    this.deadlineMs = r * 1000;
    this.retryMs = p * 1000;
  }

  /** Polls until we hold the lease (true) or signal aborts (false). */
  async acquire(signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal.aborted) return false;
      if (await this.tryAcquireOrRenew(signal)) return true;
      if (!(await sleep(this.clock, this.retryMs * (1 + Math.random() * 1.2), signal))) return false;
    }
  }

  /** Renews every retry period; resolves 'lost' when a renewal could not succeed within the deadline. */
  async renew(signal: AbortSignal): Promise<'lost' | 'cancelled'> {
    for (;;) {
      if (!(await sleep(this.clock, this.retryMs, signal))) return 'cancelled';
      const deadline = this.clock.now() + this.deadlineMs;
      for (;;) {
        const attempt = withDeadline(signal, this.clock, deadline - this.clock.now());
        const ok = await this.tryAcquireOrRenew(attempt.signal);
        attempt.done();
        if (signal.aborted) return 'cancelled';
        if (ok) break;
        if (this.clock.now() >= deadline) return 'lost';
        if (!(await sleep(this.clock, Math.min(this.retryMs, deadline - this.clock.now()), signal))) return 'cancelled';
      }
    }
  }

  async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, lease, identity } = this.o;
    const now = this.clock.now();
    const stamp = formatMicroTime(now);
    let current: Lease;
    try {
      current = await client.get<Lease>(leasesRef, lease.name, { namespace: lease.namespace, signal });
    } catch (err) {
      if (!isNotFound(err)) return false;
      const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: this.durationS, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 };
      try {
        await client.create<Lease>(leasesRef, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: lease.name, namespace: lease.namespace }, spec }, { signal });
      } catch {
        return false;
      }
      this.observe(spec, now);
      return true;
    }
    const old = current.spec ?? {};
    this.observe(old, now);
    const holder = old.holderIdentity ?? '';
    const validUntil = this.observedTime + (old.leaseDurationSeconds ?? this.durationS) * 1000;
    if (holder && holder !== identity && validUntil > now) return false;
    const leading = holder === identity;
    const spec: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: this.durationS,
      acquireTime: leading ? old.acquireTime : stamp,
      renewTime: stamp,
      leaseTransitions: leading ? old.leaseTransitions ?? 0 : (old.leaseTransitions ?? 0) + 1,
    };
    try {
      await client.update<Lease>(leasesRef, { ...current, spec }, { signal });
    } catch {
      return false; // 409: someone else wrote first; the next round reads their record
    }
    this.observe(spec, now);
    return true;
  }

  /** Gives the lease up so the next candidate need not wait out the duration. */
  async release(): Promise<void> {
    const { client, lease, identity } = this.o;
    // the caller's signal is already aborted; bound the release by the renew deadline instead
    const attempt = withDeadline(new AbortController().signal, this.clock, this.deadlineMs);
    const signal = attempt.signal;
    try {
      const current = await client.get<Lease>(leasesRef, lease.name, { namespace: lease.namespace, signal });
      if (current.spec?.holderIdentity !== identity) return;
      const stamp = formatMicroTime(this.clock.now());
      const spec: LeaseSpec = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: stamp, renewTime: stamp, leaseTransitions: current.spec?.leaseTransitions ?? 0 };
      await client.update<Lease>(leasesRef, { ...current, spec }, { signal });
    } catch (err) {
      console.error(`leader election: releasing lease ${lease.namespace}/${lease.name} failed:`, err instanceof Error ? err.message : err);
    } finally {
      attempt.done();
    }
  }

  private observe(spec: LeaseSpec, now: number): void {
    const prev = this.observed;
    if (prev && JSON.stringify(prev) === JSON.stringify(spec)) return;
    this.observed = spec;
    this.observedTime = now;
    if ((prev?.holderIdentity ?? '') !== (spec.holderIdentity ?? '') && spec.holderIdentity) this.o.onNewLeader?.(spec.holderIdentity);
  }
}

function withDeadline(parent: AbortSignal, clock: Clock, ms: number): { signal: AbortSignal; done: () => void } {
  const ac = new AbortController();
  const timer = clock.setTimeout(() => ac.abort(), Math.max(0, ms));
  return { signal: AbortSignal.any([parent, ac.signal]), done: () => timer.cancel() };
}

/**
 * Campaigns until elected, runs onStartedLeading, and renews until leadership is lost or signal aborts; then aborts
 * the leading signal, waits for onStartedLeading's promise, releases the lease (on abort) and calls
 * onStoppedLeading. Resolves when all that is done; a process that lost leadership usually exits.
 */
export async function runWithLeaderElection(o: LeaderElectionOptions): Promise<void> {
  const elector = new LeaderElector(o);
  if (!(await elector.acquire(o.signal))) return;
  const leading = new AbortController();
  const stopLeading = (): void => leading.abort();
  o.signal.addEventListener('abort', stopLeading, { once: true });
  const work = (async () => o.onStartedLeading(leading.signal))().catch((err: unknown) => {
    console.error('leader election: onStartedLeading failed:', err);
  });
  try {
    const why = await elector.renew(o.signal);
    if (why === 'lost') console.error(`leader election: lost lease ${o.lease.namespace}/${o.lease.name}`);
  } finally {
    o.signal.removeEventListener('abort', stopLeading);
    leading.abort();
    await work;
    if (o.signal.aborted && (o.releaseOnCancel ?? true)) await elector.release();
    o.onStoppedLeading?.();
  }
}
