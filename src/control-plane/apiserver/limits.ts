// Request limits as kube-apiserver's max-in-flight filter applies them, plus a per-user watch quota:
//  - at most `maxRequestsInflight` read-only and `maxMutatingRequestsInflight` mutating requests at once; past
//    that a request is answered 429 with `Retry-After: 1` and upstream's plain-text body. Long-running requests
//    (watches; later exec/attach/log/portforward/proxy) are exempt, and so is system:masters ("a super-admin
//    should always get an answer", as upstream says). 0 disables a limit, as upstream's flags do.
//  - at most `maxWatchesPerUser` open watches per user, so one client cannot hold unbounded server memory
//    (each watch pins a socket, a TLS session and a queue of up to the watch cache's limit of events).
//  - connection timeouts against slow clients (slowloris), with upstream's values: headers (and the TLS handshake
//    before them) within 32 s (ReadHeaderTimeout), a whole request, body included, within 60 s (upstream's
//    --request-timeout); a response is never timed out
//    and no socket inactivity timeout applies, since a quiet watch is idle for minutes and its request is
//    complete at once. The body size limit lives in http.ts.
import type { ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.ts';
import type { UserInfo } from './authn.ts';
import type { RequestInfo } from './request-info.ts';

export interface RequestLimits {
  /** Upstream's --max-requests-inflight (default 400). */
  maxRequestsInflight: number;
  /** Upstream's --max-mutating-requests-inflight (default 200). */
  maxMutatingRequestsInflight: number;
  /** Open watches one user may hold at once (Skiff's own; upstream relies on priority and fairness). */
  maxWatchesPerUser: number;
}

export const defaultRequestLimits: RequestLimits = {
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  maxWatchesPerUser: 1000,
};

/** The value upstream's filter sends: clients (client-go) wait this many seconds, then retry. */
export const retryAfterSeconds = '1';

const nonMutatingVerbs = new Set(['get', 'list', 'watch']);
const longRunningSubresources = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);
const privilegedGroup = 'system:masters';

/** The verb upstream's limits look at: the resource verb, or the lower-cased HTTP method otherwise. */
function verbOf(info: RequestInfo, method: string): string {
  return info.kind === 'resource' ? info.verb : method.toLowerCase();
}

/** Upstream's long-running check: watch and proxy verbs, and the streaming subresources. */
export function isLongRunning(info: RequestInfo): boolean {
  if (info.kind !== 'resource') return false;
  return info.verb === 'watch' || info.verb === 'proxy' || longRunningSubresources.has(info.subresource);
}

export function isMutating(info: RequestInfo, method: string): boolean {
  return !nonMutatingVerbs.has(verbOf(info, method));
}

/** A counting semaphore without waiting: acquire succeeds or says no at once, as upstream's channel select does. */
class Slots {
  private used = 0;
  constructor(private readonly limit: number) {}

  tryAcquire(): (() => void) | undefined {
    if (this.limit > 0 && this.used >= this.limit) return undefined;
    this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
    };
  }

  get inUse(): number {
    return this.used;
  }
}

export class InFlightLimiter {
  private readonly readOnly: Slots;
  private readonly mutating: Slots;

  constructor(limits: Pick<RequestLimits, 'maxRequestsInflight' | 'maxMutatingRequestsInflight'>) {
    this.readOnly = new Slots(limits.maxRequestsInflight);
    this.mutating = new Slots(limits.maxMutatingRequestsInflight);
  }

  /** A release function when the request may run now; undefined when it must be answered 429. */
  admit(info: RequestInfo, method: string, user: UserInfo | undefined): (() => void) | undefined {
    if (isLongRunning(info)) return noop;
    const slots = isMutating(info, method) ? this.mutating : this.readOnly;
    const release = slots.tryAcquire();
    if (release) return release;
    if (user?.groups.includes(privilegedGroup)) return noop;
    return undefined;
  }

  get inUse(): { readOnly: number; mutating: number } {
    return { readOnly: this.readOnly.inUse, mutating: this.mutating.inUse };
  }
}

/** Open watches per user name; each user's count is bounded, and a user without watches costs no entry. */
export class WatchQuota {
  private readonly open = new Map<string, number>();

  constructor(private readonly perUser: number) {}

  acquire(user: string): (() => void) | undefined {
    const n = this.open.get(user) ?? 0;
    if (this.perUser > 0 && n >= this.perUser) return undefined;
    this.open.set(user, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(user) ?? 1) - 1;
      if (left <= 0) this.open.delete(user);
      else this.open.set(user, left);
    };
  }

  count(user: string): number {
    return this.open.get(user) ?? 0;
  }

  error(): ApiError {
    return ApiError.of(429, 'TooManyRequests', `too many open watches for this user (limit is ${this.perUser}), please try again later`, { retryAfterSeconds: Number(retryAfterSeconds) });
  }
}

/**
 * Upstream's answer when the in-flight limit is reached: http.Error's plain text (with its trailing newline),
 * not a Status; client-go turns any 429 carrying Retry-After into a wait and a retry.
 */
export function sendTooManyRequests(res: ServerResponse): void {
  const body = 'Too many requests, please try again later.\n';
  res.writeHead(429, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Retry-After': retryAfterSeconds,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function noop(): void {}

export interface ConnectionTimeouts {
  /** Headers (and, before them, the TLS handshake) must arrive within this (upstream's ReadHeaderTimeout). */
  headersMs: number;
  /** A whole request (headers and body) must arrive within this; 408 otherwise. Responses are not bounded. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** How long stop() lets in-flight requests finish before closing their connections. */
  shutdownGraceMs: number;
}

export const defaultTimeouts: ConnectionTimeouts = { headersMs: 32_000, requestMs: 60_000, keepAliveMs: 65_000, shutdownGraceMs: 5_000 };

/** The node:https server options that apply the timeouts. */
export function connectionOptions(t: ConnectionTimeouts) {
  return {
    handshakeTimeout: t.headersMs,
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    // How often expired header/request timers are looked for: a slow client lives at most this much longer.
    connectionsCheckingInterval: Math.min(5_000, t.headersMs),
  };
}

/** Counts requests being served; idle() lets shutdown wait for them, bounded. */
export class RequestTracker {
  private count = 0;
  private onIdle?: () => void;

  begin(): void {
    this.count++;
  }

  end(): void {
    if (--this.count === 0) this.onIdle?.();
  }

  get inFlight(): number {
    return this.count;
  }

  /** Resolves once no request is in flight, or after ms, whichever comes first. */
  idle(ms: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.onIdle = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.onIdle = finish;
    });
  }
}
