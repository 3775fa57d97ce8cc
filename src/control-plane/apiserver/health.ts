// /healthz, /livez and /readyz as kube-apiserver serves them: named checks run on every request (nothing is
// cached, so a lost store shows within one check timeout), "ok" or a verbose list of `[+]name ok` /
// `[-]name failed: reason withheld` lines, always verbose and 500 on failure, `/readyz/<check>` for one check
// and `?exclude=<check>` to skip one. Each check tests what it names: etcd reads a key from the store,
// informer-sync lists namespaces from the watch cache the admission lookups use, shutdown fails once stopping.
import type { ServerResponse } from 'node:http';
import type { Store } from '../../store/interface.ts';
import { sendText } from './http.ts';

export interface HealthCheck {
  name: string;
  /** Resolves when healthy; rejects (or times out) otherwise. */
  check(): Promise<void>;
}

export interface HealthOptions {
  store: Store;
  /** True once the server stops taking requests (readyz's shutdown check fails). */
  shuttingDown(): boolean;
  /** How long a check may take before it counts as failed (default 2 s). */
  timeoutMs?: number;
}

function bounded(name: string, run: () => Promise<unknown>, timeoutMs: number): HealthCheck {
  return {
    name,
    async check() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} check timed out after ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([run(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export class Health {
  private readonly sets: Record<'healthz' | 'livez' | 'readyz', HealthCheck[]>;

  constructor(opts: HealthOptions) {
    const timeoutMs = opts.timeoutMs ?? 2000;
    const ok = (name: string): HealthCheck => ({ name, check: async () => {} });
    // As upstream's etcd check: a read of one key, answered by the store itself (never a cache).
    const read = () => opts.store.get('/registry/health');
    const etcd = bounded('etcd', read, timeoutMs);
    const etcdReadiness = bounded('etcd-readiness', read, timeoutMs);
    const informerSync = bounded('informer-sync', () => opts.store.list('/registry/namespaces/', { allowCache: true, limit: 1 }), timeoutMs);
    const shutdown: HealthCheck = {
      name: 'shutdown',
      check: async () => {
        if (opts.shuttingDown()) throw new Error('server is shutting down');
      },
    };
    const base = [ok('ping'), ok('log'), etcd];
    this.sets = { healthz: base, livez: base, readyz: [...base, etcdReadiness, informerSync, shutdown] };
  }

  /** Serves /healthz, /livez, /readyz and /<endpoint>/<check>; returns false for paths it does not own. */
  async serve(res: ServerResponse, path: string, query: URLSearchParams): Promise<boolean> {
    const [endpoint, single, ...rest] = path.slice(1).split('/');
    const checks = (this.sets as Record<string, HealthCheck[] | undefined>)[endpoint];
    if (!checks || rest.length) return false;
    if (single !== undefined) {
      const c = checks.find((x) => x.name === single);
      if (!c) return false;
      const err = await failure(c);
      if (err) sendText(res, 500, `internal server error: ${err}\n`);
      else sendText(res, 200, 'ok');
      return true;
    }
    const excluded = new Set(query.getAll('exclude'));
    const results = await Promise.all(checks.map(async (c) => ({ c, skip: excluded.has(c.name), err: excluded.has(c.name) ? undefined : await failure(c) })));
    const lines = results.map(({ c, skip, err }) => (skip ? `[+]${c.name} excluded: ok` : err ? `[-]${c.name} failed: reason withheld` : `[+]${c.name} ok`));
    const failed = results.filter((r) => r.err);
    for (const f of failed) console.error(`apiserver: ${endpoint} check ${f.c.name} failed: ${f.err}`);
    // Upstream is always verbose on failure.
    if (failed.length) sendText(res, 500, `${lines.join('\n')}\n${endpoint} check failed\n`);
    else if (query.has('verbose')) sendText(res, 200, `${lines.join('\n')}\n${endpoint} check passed\n`);
    else sendText(res, 200, 'ok');
    return true;
  }
}

async function failure(c: HealthCheck): Promise<string | undefined> {
  try {
    await c.check();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
