// TEST ONLY: a Transport wrapped around the real one, for the faults a healthy API server does not produce on
// demand: a canned error Status for the next N matching requests (429, 500, a 409 on one PUT, an HTTP 410),
// requests held back until the test releases them (a client reconnecting late), and watch streams that end
// early — cleanly, as a server-side timeout does (closeWatches), or cut mid-stream, as a dropped connection does
// (breakWatches). Everything else goes to the real server untouched. Every request is recorded, and inFlight()
// tells a test driving a fake clock when the client has gone quiet.
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { Transport, TransportRequest, TransportResponse } from '../transport.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface Injection {
  method: string;
  pathPrefix: string;
  status: Status & { code: number };
  times: number;
}

type Cut = 'close' | 'break';

export class FaultTransport implements Transport {
  readonly requests: RecordedRequest[] = [];
  private readonly injections: Injection[] = [];
  private readonly watches = new Set<(cut: Cut) => void>();
  private readonly holds: { method: string; pathPrefix: string; gate: Promise<void> }[] = [];
  private pending = 0;

  constructor(private readonly inner: Transport) {}

  /** The next `times` requests whose method matches and whose path starts with pathPrefix get `status`. */
  inject(method: string, pathPrefix: string, status: Status & { code: number }, times = 1): void {
    this.injections.push({ method, pathPrefix, status, times });
  }

  /** Requests matching method and pathPrefix wait (unsent) until the returned release() is called. */
  hold(method: string, pathPrefix: string): () => void {
    let release = (): void => {};
    const hold = { method, pathPrefix, gate: new Promise<void>((r) => (release = r)) };
    this.holds.push(hold);
    return () => {
      this.holds.splice(this.holds.indexOf(hold), 1);
      release();
    };
  }

  /** Ends every open watch stream cleanly. */
  closeWatches(): void {
    for (const cut of [...this.watches]) cut('close');
  }

  /** Fails every open watch stream mid-body, as a reset connection does. */
  breakWatches(): void {
    for (const cut of [...this.watches]) cut('break');
  }

  /** Requests sent and not yet answered in full (a watch counts until its response starts). */
  inFlight(): number {
    return this.pending;
  }

  /** Watch streams open through this transport. */
  watchCount(): number {
    return this.watches.size;
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    const matches = (m: { method: string; pathPrefix: string }): boolean => m.method === req.method && req.path.startsWith(m.pathPrefix);
    for (let held = this.holds.find(matches); held; held = this.holds.find(matches)) await held.gate;
    this.requests.push({ method: req.method, path: req.path, headers: req.headers, body: req.body?.toString('utf8') ?? '' });
    const inj = this.injections.find((i) => i.times > 0 && matches(i));
    if (inj) {
      inj.times--;
      const body = Buffer.from(JSON.stringify({ apiVersion: 'v1', ...inj.status }));
      return { status: inj.status.code, headers: { 'content-type': 'application/json' }, body: (async function* () { yield body; })() };
    }
    this.pending++;
    let res: TransportResponse;
    try {
      res = await this.inner.send(req);
    } catch (err) {
      this.pending--;
      throw err;
    }
    if (!/[?&]watch=(true|1)\b/.test(req.path) || res.status !== 200) return { ...res, body: this.counted(res.body) };
    this.pending--;
    return { ...res, body: this.controlled(res.body) };
  }

  close(): void {
    this.inner.close();
  }

  private async *counted(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    try {
      yield* body;
    } finally {
      this.pending--;
    }
  }

  private async *controlled(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const it = body[Symbol.asyncIterator]();
    let onCut: (cut: Cut) => void = () => {};
    const cut = new Promise<Cut>((resolve) => (onCut = resolve));
    this.watches.add(onCut);
    try {
      for (;;) {
        const next = it.next();
        next.catch(() => {}); // a cut leaves this read pending; its rejection is not an error of the test
        const r = await Promise.race([next, cut]);
        if (r === 'close') return;
        if (r === 'break') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        if (r.done) return;
        yield r.value;
      }
    } finally {
      this.watches.delete(onCut);
      // destroys the response, so the real server sees the watcher go
      void it.return?.()?.catch(() => {});
    }
  }
}
