// kube-proxy benchmarks on real kernel rules (a test bridge and netns "pods", as test/e2e/proxy.test.ts):
// HTTP requests/s and p99 through a ClusterIP vs straight to the pod IP in the same run (new connection per
// request, so every request pays the NAT lookup), with 1,000 services × 10 endpoints programmed; and the time from
// an EndpointSlice write to the kernel transaction that makes it live (the proxier's sync event fires after
// `nft -f` returned, i.e. after the kernel committed), plus the full sync of that table.
import { request } from 'node:http';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RestClient } from '../src/client/index.ts';
import { runCommand } from '../src/node/proxy/nft.ts';
import { type SyncEvent, startProxy } from '../src/node/proxy/index.ts';
import { endpointSlicesRef, servicesRef } from '../src/node/proxy/proxier.ts';
import { NetnsLab } from '../test/e2e/proxy-harness.ts';
import { startBenchServer } from './apiserver.ts';
import { type BenchResult, drive, summarize } from './store.ts';

export interface ProxyBenchResult {
  direct: BenchResult;
  clusterIP: BenchResult;
  services: number;
  endpointsPerService: number;
  fullSyncMs: number;
  changeToLive: BenchResult;
  /** The incremental transaction alone (build + `nft -f`), without the coalescing wait. */
  transactionMs: BenchResult;
}

function httpGet(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function slice(name: string, ips: string[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `${name}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  };
}

const service = (name: string): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });

async function createServices(client: RestClient, n: number, perService: number, subnet: number): Promise<void> {
  await drive(n, 32, async (i) => {
    await client.create(servicesRef, service(`s${i}`), { namespace: 'default' });
    // endpoints that exist only as rules (never contacted): a /24 of the test range per 25 services
    const ips = Array.from({ length: perService }, (_, j) => `10.245.${subnet}.${(i * perService + j) % 250 + 2}`);
    await client.create(endpointSlicesRef, slice(`s${i}`, ips), { namespace: 'default' });
  });
}

export async function benchProxy(o: { services?: number; endpointsPerService?: number; requests?: number } = {}): Promise<ProxyBenchResult> {
  const services = o.services ?? 1000;
  const perService = o.endpointsPerService ?? 10;
  const requests = o.requests ?? 1500;
  const subnet = 250 + (process.pid % 5);
  const lab = new NetnsLab(`10.244.${subnet}`, `${process.pid % 100000}${subnet}`.slice(-7)); // apart from the e2e tests' 10.46/16
  const table = `skiff-pb${lab.id}`;
  const server = await startBenchServer();
  const client = RestClient.fromKubeconfig(server.kubeconfig, { qps: 0 });
  const ctl = new AbortController();
  try {
    await lab.create();
    const pod = await lab.addPod('b0', 8080);
    await lab.addPod('b1', 8080);
    await createServices(client, services, perService, subnet);
    const web = await client.create<Service>(servicesRef, service('web'), { namespace: 'default' });
    await client.create(endpointSlicesRef, slice('web', [pod.ip]), { namespace: 'default' });
    const t0 = performance.now();
    const { proxier } = await startProxy({ client, nodeName: 'bench', table, clusterCIDR: lab.cidr, signal: ctl.signal });
    const fullSyncMs = performance.now() - t0;
    const key = `${web.spec!.clusterIP} . tcp . 80`;
    if (!(await runCommand('nft', ['list', 'map', 'ip', table, 'service-ips'])).stdout.includes(key)) throw new Error('web not programmed');

    const half = Math.floor(requests / 2);
    const runs: Record<'direct' | 'clusterIP', number[]> = { direct: [], clusterIP: [] };
    const elapsed = { direct: 0, clusterIP: 0 };
    for (let round = 0; round < 2; round++) {
      const order = [['direct', pod.ip, 8080], ['clusterIP', web.spec!.clusterIP!, 80]] as const;
      // alternate which goes first, so warm-up and background load fall on both alike
      for (const [kind, host, port] of round === 0 ? order : [...order].reverse()) {
        const lat: number[] = [];
        const start = performance.now();
        await drive(half, 8, async () => {
          const t = performance.now();
          await httpGet(host, port);
          lat.push(performance.now() - t);
        });
        elapsed[kind] += performance.now() - start;
        runs[kind].push(...lat);
      }
    }

    // endpoint change → live: flip the web service between its two pods, timing write → committed transaction
    const b1 = lab.pods[1]!;
    const lat: number[] = [];
    const tx: number[] = [];
    for (let i = 0; i < 20; i++) {
      const current = await client.get<EndpointSlice>(endpointSlicesRef, 'web-1', { namespace: 'default' });
      const ip = i % 2 === 0 ? b1.ip : pod.ip;
      const start = performance.now();
      const live = new Promise<SyncEvent>((resolve) => proxier.once('synced', resolve));
      await client.update(endpointSlicesRef, { ...current, endpoints: [{ addresses: [ip], conditions: { ready: true } }] });
      tx.push((await live).durationMs);
      lat.push(performance.now() - start);
    }
    return {
      direct: summarize(runs.direct, elapsed.direct),
      clusterIP: summarize(runs.clusterIP, elapsed.clusterIP),
      services: services + 1,
      endpointsPerService: perService,
      fullSyncMs,
      changeToLive: summarize(lat, lat.reduce((a, b) => a + b, 0)),
      transactionMs: summarize(tx, tx.reduce((a, b) => a + b, 0)),
    };
  } finally {
    ctl.abort();
    await runCommand('nft', ['delete', 'table', 'ip', table]);
    await lab.destroy();
    client.close();
    await server.stop();
  }
}

/** The rows bench/run.ts prints. */
export async function proxyRows(): Promise<{ figure: string; value: string; baseline: string }[]> {
  const r = await benchProxy();
  const load = (b: BenchResult): string => `${b.opsPerSec} req/s (p50 ${b.p50Ms.toFixed(1)} ms, p99 ${b.p99Ms.toFixed(1)} ms)`;
  return [
    {
      figure: `HTTP through a ClusterIP (${r.services} services programmed)`,
      value: `${load(r.clusterIP)} = ${(r.clusterIP.opsPerSec / r.direct.opsPerSec).toFixed(2)}x direct`,
      baseline: `straight to the pod IP ${load(r.direct)}; target >= 0.9x`,
    },
    {
      figure: `endpoint change -> rule live, ${r.services - 1} svc x ${r.endpointsPerService} eps`,
      value: `p50 ${r.changeToLive.p50Ms.toFixed(0)} ms, p99 ${r.changeToLive.p99Ms.toFixed(0)} ms (transaction p50 ${r.transactionMs.p50Ms.toFixed(0)} ms)`,
      baseline: `target < 1000 ms; min sync period 100 ms; full sync of the table ${r.fullSyncMs.toFixed(0)} ms`,
    },
  ];
}

// `node --import tsx bench/proxy.ts` runs this figure alone
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await proxyRows()) console.log(`${row.figure}: ${row.value} | ${row.baseline}`);
}
