import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { openSqliteStore } from '../../store/sqlite.ts';
import type { Store } from '../../store/interface.ts';
import { Health } from './health.ts';

/** Just enough of a ServerResponse to capture what sendText writes. */
function capture() {
  const out = { code: 0, body: '' };
  const res = {
    writeHead(code: number) {
      out.code = code;
      return res;
    },
    end(body: string) {
      out.body = body;
    },
  } as unknown as ServerResponse;
  return { res, out };
}

test('a store that stops answering fails etcd within the check timeout; shutdown fails once stopping', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-health-'));
  const real = openSqliteStore(join(dir, 'db'));
  let hang = false;
  // The one fault a real embedded store cannot produce on demand: a read that never returns.
  const store = new Proxy(real, {
    get: (target, prop, receiver) => (prop === 'get' && hang ? () => new Promise(() => {}) : Reflect.get(target, prop, receiver)),
  }) as Store;
  let stopping = false;
  const health = new Health({ store, shuttingDown: () => stopping, timeoutMs: 100 });
  try {
    let c = capture();
    await health.serve(c.res, '/readyz', new URLSearchParams());
    assert.deepEqual(c.out, { code: 200, body: 'ok' });
    hang = true;
    const started = Date.now();
    c = capture();
    await health.serve(c.res, '/livez', new URLSearchParams());
    assert.ok(Date.now() - started < 1000);
    assert.equal(c.out.code, 500);
    assert.equal(c.out.body, '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\nlivez check failed\n');
    hang = false;
    stopping = true;
    c = capture();
    await health.serve(c.res, '/readyz', new URLSearchParams());
    assert.equal(c.out.code, 500);
    assert.match(c.out.body, /^\[-\]shutdown failed: reason withheld$/m);
    c = capture();
    await health.serve(c.res, '/livez', new URLSearchParams('verbose'));
    assert.equal(c.out.code, 200, 'livez does not check shutdown');
  } finally {
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
