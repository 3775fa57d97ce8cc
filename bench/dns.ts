// Cluster DNS throughput: service A queries per second over UDP against the DNS server (in a process of its own,
// answering from a view of N Services — the same CacheView the informers fill), beside the baseline of a trivial
// UDP echo server in the same kind of process driven by the same client. Run alone with `node --import tsx bench/dns.ts`.
// The client loop and the echo server are also what bench/dns-pod.ts runs from and beside a pod's network namespace
// (`dns.ts drive ADDRESS PORT N CONCURRENCY NAME,…` prints one BenchResult as JSON; `dns.ts serve echo 0 ADDRESS`).
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import { drive, type BenchResult } from './store.ts';
import { DnsServer } from '../src/node/dns/server.ts';
import { Forwarder } from '../src/node/dns/forward.ts';
import { staticView } from '../src/node/dns/view.ts';
import { clusterIPService } from '../src/node/dns/testing.ts';

const host = '127.0.0.1';
const ipOf = (i: number): string => `10.43.${(i >> 8) & 255}.${(i & 255) + 1}`;

/** In the child: serve DNS (or echo) on a free port of `address` and tell the parent which. */
async function serve(kind: string, services: number, address = host): Promise<void> {
  let port: number;
  if (kind === 'dns') {
    const view = staticView(Array.from({ length: services }, (_, i) => clusterIPService('bench', `svc-${i}`, ipOf(i))), []);
    const server = new DnsServer({ view, forwarder: new Forwarder([]), host, port: 0, zone: 'cluster.local', ttl: 5, nsIPs: [] });
    port = await server.listen();
  } else {
    const sock = createSocket('udp4');
    sock.on('message', (m, r) => sock.send(m, r.port, r.address));
    await new Promise<void>((r) => sock.bind(0, address, () => r()));
    port = sock.address().port;
  }
  process.send!({ port });
}

export async function startChild(kind: 'dns' | 'echo', services: number, address = host): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), ['serve', kind, String(services), address], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bench ${kind} server exited (${code})`)));
  });
  return { port, child };
}

/** n A queries for `names` (in turn) to address:port from `concurrency` loops over one UDP socket, replies
 *  matched by id. */
export async function driveUdp(address: string, port: number, n: number, concurrency: number, names: string[]): Promise<BenchResult> {
  const sock = createSocket('udp4');
  const waiting = new Map<number, () => void>();
  sock.on('message', (m) => {
    const id = m.readUInt16BE(0);
    waiting.get(id)?.();
    waiting.delete(id);
  });
  await new Promise<void>((r) => sock.bind(0, r));
  // queries are encoded once and only their id rewritten, so the client spends its time on the wire, not encoding
  const queries = names.map((name) => packet.encode({ type: 'query', id: 0, flags: packet.RECURSION_DESIRED, questions: [{ name, type: 'A' }] }));
  let nextId = 0;
  try {
    return await drive(n, concurrency, (i) => new Promise<void>((resolve, reject) => {
      const id = nextId++ & 0xffff;
      const q = Buffer.from(queries[i % queries.length]);
      q.writeUInt16BE(id, 0);
      const timer = setTimeout(() => reject(new Error(`query ${i} lost`)), 5000);
      waiting.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      sock.send(q, port, address);
    }));
  } finally {
    sock.close();
  }
}

export interface DnsBenchResult {
  dns: BenchResult;
  echo: BenchResult;
}

export async function benchDnsQueries(services = 1_000, n = 50_000, concurrency = 32): Promise<DnsBenchResult> {
  const names = Array.from({ length: services }, (_, i) => `svc-${i}.bench.svc.cluster.local`);
  const run = async (kind: 'dns' | 'echo'): Promise<BenchResult> => {
    const { port, child } = await startChild(kind, services);
    try {
      await driveUdp(host, port, 2_000, concurrency, names); // warm-up (JIT, caches)
      return await driveUdp(host, port, n, concurrency, names);
    } finally {
      child.kill('SIGTERM');
    }
  };
  return { echo: await run('echo'), dns: await run('dns') };
}

if (process.argv[2] === 'serve') await serve(process.argv[3], Number(process.argv[4]), process.argv[5]);
else if (process.argv[2] === 'drive') {
  // run by bench/dns-pod.ts inside a pod's network namespace: a warm-up, then the measured run, as JSON on stdout
  const [address, port, n, concurrency, names] = process.argv.slice(3);
  const list = names.split(',');
  await driveUdp(address, Number(port), 2_000, Number(concurrency), list);
  console.log(JSON.stringify(await driveUdp(address, Number(port), Number(n), Number(concurrency), list)));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchDnsQueries();
  console.log(`DNS service A over UDP: ${r.dns.opsPerSec}/s (p50 ${r.dns.p50Ms} ms, p99 ${r.dns.p99Ms} ms); UDP echo baseline ${r.echo.opsPerSec}/s (p50 ${r.echo.p50Ms} ms, p99 ${r.echo.p99Ms} ms)`);
}
