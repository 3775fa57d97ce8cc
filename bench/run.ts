// `npm run bench`: every figure beside the baseline it should be read against, measured in the same run.
import { benchEtcdRawPuts, benchSqliteRawInserts, type BenchResult } from './store.ts';
import { benchListPods, benchPacedCreates, benchPodCreates, benchTypedDecodeCost, benchWatchFanout, startBenchServer } from './apiserver.ts';
import { startEtcd } from '../test/support/etcd.ts';
import { benchSchedulingBasic } from './scheduler.ts';
import { benchDeploymentPipeline } from './controllers.ts';
import { startScheduler } from '../src/control-plane/scheduler/index.ts';
import { benchDnsQueries } from './dns.ts';

interface Row {
  figure: string;
  value: string;
  baseline: string;
}

const rows: Row[] = [];

/** Rows print as they are measured too, so a long run shows progress (the aligned table comes at the end). */
function record(row: Row): void {
  rows.push(row);
  console.log(`measured: ${row.figure}: ${row.value} | ${row.baseline}`);
}
const fmt = (r: BenchResult) => `${r.opsPerSec}/s (p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms)`;

function print(): void {
  const w = [Math.max(...rows.map((r) => r.figure.length), 6), Math.max(...rows.map((r) => r.value.length), 5)];
  console.log(`\n${'FIGURE'.padEnd(w[0])}  ${'VALUE'.padEnd(w[1])}  BASELINE (same run)`);
  for (const r of rows) console.log(`${r.figure.padEnd(w[0])}  ${r.value.padEnd(w[1])}  ${r.baseline}`);
}

async function main(): Promise<void> {
  const rawSqlite = await benchSqliteRawInserts(30_000);
  const sqlite = await startBenchServer();
  let apiCreates: BenchResult;
  try {
    const creates = await benchPodCreates(sqlite, 5_000, 50);
    apiCreates = creates;
    record({ figure: 'pod creates, SQLite, 50 clients', value: fmt(creates), baseline: `raw SQLite inserts ${fmt(rawSqlite)}` });
    const paced = await benchPacedCreates(sqlite, 500, 6);
    record({ figure: 'pod creates paced at 500/s, SQLite', value: fmt(paced), baseline: 'target p99 <= 50 ms (upstream SLO 1 s)' });
    const list = await benchListPods(sqlite, 10_000);
    record({ figure: 'list 10k pods (one response)', value: `${list.fullMs} ms (${(list.bytes / 1e6).toFixed(1)} MB)`, baseline: `paged at limit=500: ${list.pagedMs} ms` });
    const fan = await benchWatchFanout(sqlite, 100, 1_000);
    record({ figure: 'watch fan-out, 100 watchers x 1k events', value: `${fan.deliveredPerSec} events/s delivered`, baseline: `all delivered ${fan.lastDeliveryMs} ms after the first create` });
  } finally {
    await sqlite.stop();
  }
  const decode = await benchTypedDecodeCost(3_000, 50);
  const cost = (decode.typedCpuMs / decode.skippedCpuMs - 1) * 100;
  record({
    figure: 'pod creates with the typed decode, SQLite',
    value: `${fmt(decode.typed)}, ${decode.typedCpuMs.toFixed(3)} server CPU ms/create (${cost.toFixed(1)}% more)`,
    baseline: `typed decode skipped: ${fmt(decode.skipped)}, ${decode.skippedCpuMs.toFixed(3)} CPU ms/create; budget 10%`,
  });
  const etcd = await startEtcd();
  try {
    const rawEtcd = await benchEtcdRawPuts(etcd.endpoint, 5_000, 50);
    const server = await startBenchServer(etcd.endpoint);
    try {
      const creates = await benchPodCreates(server, 5_000, 50);
      const ratio = (creates.opsPerSec / rawEtcd.opsPerSec).toFixed(2);
      record({ figure: 'pod creates, etcd, 50 clients', value: `${fmt(creates)} = ${ratio}x raw`, baseline: `raw etcd3 puts ${fmt(rawEtcd)}` });
    } finally {
      await server.stop();
    }
  } finally {
    await etcd.stop();
  }
  const sched = await benchSchedulingBasic({ nodes: 5_000, existingPods: 1_000, pods: 10_000 });
  record({
    figure: 'scheduler SchedulingBasic 5k nodes, 10k pods',
    value: `${Math.round(sched.podsPerSecond)} pods/s (${sched.scheduled} bound, ${sched.bindErrors} bind errors)`,
    baseline: `upstream threshold 270 pods/s; API pod creates ${apiCreates.opsPerSec}/s`,
  });
  const pipeline = await benchDeploymentPipeline({
    replicas: 10_000,
    scheduler: ({ client, signal }) => startScheduler({ client, signal, leaderElect: false }),
  });
  record({
    figure: 'create deployment --replicas=10000 -> all pods',
    value: `created in ${pipeline.createdSeconds.toFixed(1)} s, bound in ${pipeline.boundSeconds?.toFixed(1)} s`,
    baseline: `${pipeline.podsCreatedPerSecond.toFixed(0)} pods/s created vs API pod creates ${apiCreates.opsPerSec}/s`,
  });
  for (const row of await (await import('./proxy.ts')).proxyRows()) record(row);
  const dns = await benchDnsQueries();
  record({ figure: 'cluster DNS service A queries, UDP, 1k services', value: fmt(dns.dns), baseline: `UDP echo server round-trips ${fmt(dns.echo)}` });
  for (const row of await (await import('./dns-pod.ts')).dnsPodRows()) record(row);
  const { benchNodeThroughput, formatNodeThroughput } = await import('./node.ts');
  record({ figure: 'node throughput: 100 pods at 5/s, creation -> Running (real kubelet + containerd)', ...formatNodeThroughput(await benchNodeThroughput()) });
  for (const row of await (await import('./product.ts')).productRows()) record(row);
  print();
}

await main();
