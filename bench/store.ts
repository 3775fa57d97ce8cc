// Store benchmarks, each next to its baseline measured in the same run: raw better-sqlite3 INSERTs into the kine
// table shape vs SqliteStore.create, and raw etcd3 puts vs EtcdStore.create. Every function returns throughput and
// per-operation latency percentiles; the bench runner picks n so each run takes a few seconds at most.
// `node --import tsx bench/store.ts` runs them all (starting a throwaway etcd) and prints the figures.
import Database from 'better-sqlite3';
import { Etcd3 } from 'etcd3';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openEtcdStore } from '../src/store/etcd.ts';
import type { Store } from '../src/store/interface.ts';
import { SCHEMA } from '../src/store/sqlite-schema.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { withWatchCache } from '../src/store/watch-cache.ts';

export interface BenchResult {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** A pod-sized JSON value, so the figures reflect what the apiserver writes. */
const VALUE = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'bench', namespace: 'default', labels: { app: 'bench', 'pod-template-hash': '5d8f7c9b6' } },
  spec: {
    containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: {}, terminationMessagePath: '/dev/termination-log' }],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
  },
  status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [] },
  pad: 'x'.repeat(800),
});

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function summarize(latencies: number[], elapsedMs: number): BenchResult {
  latencies.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    opsPerSec: Math.round(latencies.length / (elapsedMs / 1000)),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
  };
}

/** Runs op(0..n-1) from `concurrency` loops, timing each call. */
export async function drive(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<BenchResult> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      const t = performance.now();
      await op(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return summarize(latencies, performance.now() - start);
}

function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Baseline: one autocommitted INSERT per row into the same table, same pragmas, no Store on top. */
export async function benchSqliteRawInserts(n: number): Promise<BenchResult> {
  const { dir, cleanup } = tempDir();
  const db = new Database(join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    const insert = db.prepare(
      'INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, value, old_value) VALUES (?, ?, 1, 0, ?, 0, ?, NULL)',
    );
    const latencies: number[] = [];
    const start = performance.now();
    for (let i = 1; i <= n; i++) {
      const t = performance.now();
      insert.run(i, `/registry/pods/default/p${i}`, i, VALUE);
      latencies.push(performance.now() - t);
    }
    return summarize(latencies, performance.now() - start);
  } finally {
    db.close();
    cleanup();
  }
}

async function benchStoreCreates(store: Store, n: number, concurrency: number, tag: string): Promise<BenchResult> {
  return drive(n, concurrency, (i) => store.create(`/registry/pods/${tag}/p${i}`, VALUE));
}

export async function benchSqliteStoreCreates(n: number, concurrency: number): Promise<BenchResult> {
  const { dir, cleanup } = tempDir();
  const store = openSqliteStore(join(dir, 'store.db'), { compactIntervalMs: 0 });
  try {
    return await benchStoreCreates(store, n, concurrency, 'bench');
  } finally {
    await store.close();
    cleanup();
  }
}

/** Baseline: plain etcd3 puts of the same value, no compare. */
export async function benchEtcdRawPuts(endpoint: string, n: number, concurrency: number): Promise<BenchResult> {
  const client = new Etcd3({ hosts: [endpoint] });
  const tag = `raw-${Date.now().toString(36)}`;
  try {
    return await drive(n, concurrency, (i) => client.put(`/bench/${tag}/p${i}`).value(VALUE).exec());
  } finally {
    client.close();
  }
}

export async function benchEtcdStoreCreates(endpoint: string, n: number, concurrency: number): Promise<BenchResult> {
  const store = openEtcdStore({ endpoints: [endpoint], prefix: '/bench' });
  try {
    return await benchStoreCreates(store, n, concurrency, `store-${Date.now().toString(36)}`);
  } finally {
    await store.close();
  }
}

/**
 * The watch cache's fan-out: n creates through a cached SQLite store while `watchers` API watches follow the
 * resource. opsPerSec counts events delivered to watchers per second; latencies run from a create's call to each
 * watcher's receipt of its event.
 */
export async function benchWatchCacheFanout(n: number, watchers: number): Promise<BenchResult> {
  const store = withWatchCache(openSqliteStore(':memory:', { compactIntervalMs: 0 }));
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  try {
    const rev = await store.currentRevision();
    const startedAt = new Map<number, number>();
    const latencies: number[] = [];
    const followers = Array.from({ length: watchers }, async () => {
      let seen = 0;
      for await (const e of store.watch('/registry/pods/', { afterRevision: rev, signal: ac.signal })) {
        latencies.push(performance.now() - (startedAt.get(e.revision) ?? 0));
        if (++seen === n) return;
      }
    });
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const kv = await store.create(`/registry/pods/default/p${i}`, VALUE);
      startedAt.set(kv.modRevision, t);
    }
    await Promise.all(followers);
    return summarize(latencies, performance.now() - start);
  } finally {
    ac.abort();
    await store.close();
  }
}

async function main(): Promise<void> {
  const show = (name: string, r: BenchResult): void =>
    console.log(`${name.padEnd(34)} ${String(r.opsPerSec).padStart(7)} ops/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms`);
  show('sqlite raw inserts', await benchSqliteRawInserts(50_000));
  show('sqlite store creates (c=1)', await benchSqliteStoreCreates(50_000, 1));
  show('sqlite store creates (c=64)', await benchSqliteStoreCreates(50_000, 64));
  show('watch cache fan-out (100 watchers)', await benchWatchCacheFanout(5_000, 100));
  const { startEtcd } = await import('../test/support/etcd.ts');
  const etcd = await startEtcd();
  try {
    show('etcd raw puts (c=64)', await benchEtcdRawPuts(etcd.endpoint, 10_000, 64));
    show('etcd store creates (c=64)', await benchEtcdStoreCreates(etcd.endpoint, 10_000, 64));
    show('etcd raw puts (c=1)', await benchEtcdRawPuts(etcd.endpoint, 2_000, 1));
    show('etcd store creates (c=1)', await benchEtcdStoreCreates(etcd.endpoint, 2_000, 1));
  } finally {
    await etcd.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
