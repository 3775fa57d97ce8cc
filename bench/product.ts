// The product as a user starts it: `skiff server` as a process (the compiled dist/cli/main.js when it is up to date, as
// scripts/up.sh runs it and in its environment, upEnv; else the sources through tsx, and the row says so). Measured:
// spawn → API listening → this node Ready → every kube-system pod Ready (whatever pods kube-system holds); RSS of the
// server process and of its whole process tree (the kubelet child and its containerd; containerd's shims re-parent to
// init and are counted apart), processes and threads started, idle and with 100 pods running (real containers: needs
// root — without root the server runs --disable-agent and the row says so). Each RSS is sampled once the process has
// idled long enough for V8 to give back what start-up left (settledRss), beside the sample 5 s in. Baselines from the
// same run: `node -e 0` start-up, `skiff --help` (the CLI's own load), RSS and threads of a bare idle node process. The
// server is stopped with SIGINT and its host state removed by `skiff uninstall`, the product's own clean-up. Run alone
// with `node --import tsx bench/product.ts`; productRows is what bench/run.ts calls.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../src/client/index.ts';
import { containerdLayout } from '../src/node/cri/containerd-config.ts';
import { shimsOf } from '../src/node/cri/teardown.ts';
import { buildTestImageArchive, busyboxImage } from '../src/node/images/busybox.ts';
import { createNodeNamespace } from '../test/support/nodes.ts';
import { freePort, skiffBin } from '../test/support/process.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const podsRef = resourceRef('v1', 'pods');
const nodesRef = resourceRef('v1', 'nodes', false);

export interface Row {
  figure: string;
  value: string;
  baseline: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number): string => `${Math.round(x)} ms`;
const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;

function statusField(pid: number, field: string): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // exited meanwhile
  }
}

/** pid and every descendant (from /proc/<pid>/stat's ppid). */
function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}

interface Footprint {
  serverRssKb: number;
  treeRssKb: number;
  processes: number;
  threads: number;
  shims: number;
  shimsRssKb: number;
  /** comm of each process in the tree */
  names: string[];
}

function footprint(pid: number, socket?: string): Footprint {
  const tree = processTree(pid);
  const shims = socket ? shimsOf(socket) : [];
  return {
    serverRssKb: statusField(pid, 'VmRSS'),
    treeRssKb: tree.reduce((s, p) => s + statusField(p, 'VmRSS'), 0),
    processes: tree.length,
    threads: tree.reduce((s, p) => s + statusField(p, 'Threads'), 0),
    shims: shims.length,
    shimsRssKb: shims.reduce((s, p) => s + statusField(p, 'VmRSS'), 0),
    names: tree.map((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      } catch {
        return '?';
      }
    }),
  };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

/** Wall time from spawn to exit. */
async function timeRun(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  await exitOf(child);
  return performance.now() - t0;
}

/**
 * Idle RSS as steady state. V8 keeps what start-up allocated for a while and gives part of it back only once its
 * memory reducer runs (tens of seconds into idleness: ~35 MiB of the server process ~40 s after start), so a sample
 * a few seconds after start-up measures start-up, not idleness. Samples VmRSS every second from the moment the
 * process went idle; settled once at least `minMs` have passed and the RSS has fallen by no more than 1 MiB over the
 * last `quietMs`; `boundMs` at most (then it says the RSS had not settled). Returns the first sample, 5 s in (what
 * this bench used to report), and the settled one with the idle time it took.
 */
async function settledRss(pid: number, minMs = 45_000, quietMs = 15_000, boundMs = 120_000): Promise<{ startKb: number; settledKb: number; afterMs: number; settled: boolean }> {
  const t0 = performance.now();
  const samples: { at: number; kb: number }[] = [];
  let startKb = 0;
  for (;;) {
    const at = performance.now() - t0;
    const kb = statusField(pid, 'VmRSS');
    samples.push({ at, kb });
    if (!startKb && at >= 5000) startKb = kb;
    if (at >= minMs) {
      const before = samples.filter((s) => s.at <= at - quietMs).at(-1);
      if (before && before.kb - kb <= 1024) return { startKb, settledKb: kb, afterMs: at, settled: true };
    }
    if (at >= boundMs) return { startKb, settledKb: kb, afterMs: at, settled: false };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const settledText = (s: { settledKb: number; afterMs: number; settled: boolean }): string =>
  `${mib(s.settledKb)} after ${(s.afterMs / 1000).toFixed(0)} s idle${s.settled ? '' : ' (still falling: not settled)'}`;

/** RSS and threads of a node process that does nothing, once it is up. */
async function bareNode(): Promise<{ rssKb: number; threads: number }> {
  const child = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  await new Promise((r) => setTimeout(r, 1000)); // settle as the server does before its idle sample
  const out = { rssKb: statusField(child.pid!, 'VmRSS'), threads: statusField(child.pid!, 'Threads') };
  child.kill('SIGKILL');
  await exitOf(child);
  return out;
}

/** Idle RSS of a control-plane-only server with these extra flags (what the hosted worker threads cost). */
async function controlPlaneRss(argv: string[], extra: string[], env = upEnv()): ReturnType<typeof settledRss> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-cp-'));
  const child = spawn(argv[0], [...argv.slice(1), 'server', '--data-dir', dir, '--https-listen-port', '0', '--disable-agent',
    '--kube-scheduler-secure-port', '0', '--kube-controller-manager-secure-port', '0', ...extra], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await until('control plane up', async () => (/node token at/.test(out) ? true : undefined), 120_000, 20);
    return await settledRss(child.pid!); // idle, as the full server's sample
  } finally {
    child.kill('SIGINT');
    await exitOf(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The compiled entry when it is newer than every source file, else the tsx one; and which it is. */
function entry(): { argv: string[]; what: string } {
  const dist = join(repo, 'dist', 'cli', 'main.js');
  if (existsSync(dist)) {
    const built = statSync(dist).mtimeMs;
    const newer = (dir: string): boolean => readdirSync(dir, { withFileTypes: true, recursive: true })
      .some((d) => d.isFile() && d.name.endsWith('.ts') && statSync(join(d.parentPath, d.name)).mtimeMs > built);
    if (!newer(join(repo, 'src'))) return { argv: [process.execPath, dist], what: 'compiled dist/' };
  }
  return { argv: [process.execPath, skiffBin], what: 'sources through tsx (dist/ missing or stale: npm run build)' };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The environment scripts/up.sh starts the server in (its malloc arena cap), unless this run's own says otherwise. */
const upEnv = (): NodeJS.ProcessEnv => ({ ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' });

const podReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export async function productRows(): Promise<Row[]> {
  const root = process.getuid?.() === 0 && existsSync('/usr/bin/containerd') && existsSync('/bin/busybox') && existsSync('/usr/lib/cni/bridge');
  const rows: Row[] = [];
  const { argv, what } = entry();
  const startTimes: number[] = [];
  for (let i = 0; i < 5; i++) startTimes.push(await timeRun([process.execPath, '-e', '0']));
  const nodeStart = median(startTimes);
  const helpTimes: number[] = [];
  for (let i = 0; i < 3; i++) helpTimes.push(await timeRun([...argv, 'server', '--help']));
  const cliLoad = median(helpTimes);
  const bare = await bareNode();

  const suffix = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-product-'));
  const dataDir = join(dir, 'data');
  const ns = root ? createNodeNamespace(`skiff-bp-${suffix}`, `skbp${suffix}`, `172.29.${randomBytes(1)[0]}`) : undefined;
  const node = `bench-product-${suffix}`;
  const port = await freePort();
  const args = ['server', '--data-dir', dataDir, '--https-listen-port', String(port), '--kube-scheduler-secure-port', '0', '--kube-controller-manager-secure-port', '0'];
  if (ns) {
    args.push('--node-name', node, '--node-ip', ns.hostIP, '--cni-bridge', `skbb${suffix}`, '--cluster-cidr', `10.${200 + (randomBytes(1)[0] % 50)}.0.0/16`,
      '--kubelet-port', '0', '--kube-proxy-arg', `table=skiffbp${suffix}`);
  } else {
    args.push('--disable-agent');
  }
  const nodeReady = (n: Node): boolean => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
  /** Spawns the server; resolves when it listens, its node is Ready (a Node of another resourceVersion than `staleRV`:
   *  written by this run's kubelet) and every kube-system pod is Ready, with the times from spawn. */
  const startServer = async (staleRV?: string) => {
    const t0 = performance.now();
    const child = spawn(argv[0], [...argv.slice(1), ...args], { env: upEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = exitOf(child);
    const listening = await until('API server listening', async () => {
      if (child.exitCode !== null) throw new Error(`skiff server exited: ${out}`);
      return /API server listening/.test(out) ? performance.now() - t0 : undefined;
    }, 120_000, 5).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    });
    client ??= RestClient.fromKubeconfig(join(dataDir, 'server', 'cred', 'admin.kubeconfig'), { userAgent: 'bench-product', qps: 0 });
    const c = client;
    const ready = ns
      ? await until('node Ready', async () => {
        const n = await c.get<Node>(nodesRef, node);
        return nodeReady(n) && n.metadata?.resourceVersion !== staleRV ? { at: performance.now() - t0, rv: n.metadata!.resourceVersion! } : undefined;
      }, 120_000)
      : undefined;
    const system = await until('kube-system pods Ready', async () => {
      const pods = (await c.list<Pod>(podsRef, { namespace: 'kube-system' })).items;
      return pods.every(podReady) ? { at: performance.now() - t0, count: pods.length } : undefined;
    }, 120_000);
    return { child, exited, listening, ready, system };
  };
  let client: RestClient | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    server = await startServer();
    const first = server;
    rows.push({
      figure: `skiff server start -> API listening (${what}; fresh data dir: makes its CA and certificates)`,
      value: ms(first.listening),
      baseline: `node -e 0: ${ms(nodeStart)}; skiff server --help: ${ms(cliLoad)}`,
    });
    rows.push({
      figure: 'skiff server start -> node Ready (fresh data dir)',
      value: first.ready === undefined ? 'not measured: not root, server ran --disable-agent' : ms(first.ready.at),
      baseline: `target <= 2 s (kind 12-17 s, k3s ~50 s); node -e 0: ${ms(nodeStart)}`,
    });
    rows.push({
      figure: 'skiff server start -> all kube-system pods Ready',
      value: first.system.count ? `${ms(first.system.at)} (${first.system.count} pods)` : 'no pods in kube-system (the components do not show as pods yet)',
      baseline: 'target <= 2 s',
    });
    // Ctrl-C and start again on the same data dir (what a user does; the certificates exist, containerd starts anew)
    first.child.kill('SIGINT');
    await first.exited;
    server = await startServer(first.ready?.rv);
    const again = server;
    rows.push({
      figure: 'skiff server restart (same data dir) -> API listening / node Ready',
      value: `${ms(again.listening)} / ${again.ready ? ms(again.ready.at) : 'not measured (not root)'}`,
      baseline: `first start ${ms(first.listening)} / ${first.ready ? ms(first.ready.at) : '-'}`,
    });
    const c = client!;
    const serverIdle = await settledRss(again.child.pid!); // idle: past start-up's allocations and V8's give-back
    const socket = ns ? containerdLayout(dataDir).socket : undefined;
    const idle = footprint(again.child.pid!, socket);
    const names = [...new Set(idle.names)].map((n) => `${n}×${idle.names.filter((x) => x === n).length}`).join(', ');
    rows.push({
      figure: 'RSS idle (settled): server process / its process tree',
      value: `${mib(idle.serverRssKb)} / ${mib(idle.treeRssKb)} (${settledText(serverIdle)}; ${names})`,
      baseline: `5 s after node Ready ${mib(serverIdle.startKb)}; bare idle node process ${mib(bare.rssKb)}; target server <= 150 MB`,
    });
    const apiOnly = await controlPlaneRss(argv, ['--disable-scheduler', '--disable-controller-manager']);
    const controlPlane = await controlPlaneRss(argv, []);
    const glibcDefault = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'MALLOC_ARENA_MAX'));
    const controlPlaneDefaultArenas = await controlPlaneRss(argv, [], glibcDefault);
    rows.push({
      figure: `RSS idle (settled) by what the server process hosts (MALLOC_ARENA_MAX=${upEnv().MALLOC_ARENA_MAX}, as scripts/up.sh sets it)`,
      value: `API server alone ${mib(apiOnly.settledKb)}; + scheduler, controller-manager threads ${mib(controlPlane.settledKb)}; ` +
        `+ kube-proxy, DNS, mirror-pods threads ${mib(idle.serverRssKb)}`,
      baseline: `5 s after start: ${mib(apiOnly.startKb)}; ${mib(controlPlane.startKb)}; ${mib(serverIdle.startKb)}; ` +
        `control plane with glibc's default arenas ${mib(controlPlaneDefaultArenas.settledKb)}; bare idle node process ${mib(bare.rssKb)}`,
    });
    rows.push({
      figure: 'processes and threads started (tree, idle)',
      value: `${idle.processes} processes, ${idle.threads} threads`,
      baseline: `bare node process: 1 process, ${bare.threads} threads`,
    });
    if (ns) {
      const archive = join(dir, 'busybox.tar');
      writeFileSync(archive, buildTestImageArchive());
      const imported = spawn(argv[0], [...argv.slice(1), 'image', 'import', '--data-dir', dataDir, archive], { stdio: 'ignore' });
      if ((await exitOf(imported)) !== 0) throw new Error('skiff image import failed');
      const t1 = performance.now();
      await c.create(resourceRef('apps/v1', 'deployments'), {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hundred', namespace: 'default' },
        spec: {
          replicas: 100, selector: { matchLabels: { app: 'hundred' } },
          template: { metadata: { labels: { app: 'hundred' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 's', image: busyboxImage, imagePullPolicy: 'IfNotPresent', command: ['sleep', '36000'] }] } },
        },
      }, { namespace: 'default' });
      const allReady = await until('100 pods Ready', async () => {
        const pods = (await c.list<Pod>(podsRef, { namespace: 'default', labelSelector: 'app=hundred' })).items;
        return pods.length === 100 && pods.every(podReady) ? performance.now() - t1 : undefined;
      }, 600_000, 500);
      const serverFull = await settledRss(again.child.pid!);
      const full = footprint(again.child.pid!, socket);
      rows.push({
        figure: 'RSS with 100 pods running (real containers; settled): server / tree / shims',
        value: `${mib(full.serverRssKb)} / ${mib(full.treeRssKb)} / ${full.shims} shims ${mib(full.shimsRssKb)} (${settledText(serverFull)})`,
        baseline: `idle ${mib(idle.serverRssKb)} / ${mib(idle.treeRssKb)}; 5 s after the 100 pods Ready ${mib(serverFull.startKb)}; ` +
          `100 pods Ready ${(allReady / 1000).toFixed(1)} s after the create`,
      });
      rows.push({
        figure: 'processes and threads (tree, 100 pods)',
        value: `${full.processes} processes, ${full.threads} threads`,
        baseline: `idle ${idle.processes} processes, ${idle.threads} threads`,
      });
    } else {
      rows.push({ figure: 'RSS with 100 pods running', value: 'not measured: needs root (real containers)', baseline: '' });
    }
  } finally {
    client?.close();
    if (server && server.child.exitCode === null) server.child.kill('SIGINT');
    await server?.exited;
    // the product's own clean-up: containers, shims, bridge, CNI state, the kube-proxy table, the data dir
    const un = spawn(argv[0], [...argv.slice(1), 'uninstall', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let unOut = '';
    un.stdout!.on('data', (d: Buffer) => (unOut += d.toString()));
    un.stderr!.on('data', (d: Buffer) => (unOut += d.toString()));
    if ((await exitOf(un)) !== 0) console.error(`bench/product: skiff uninstall failed:\n${unOut}`);
    ns?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await productRows()) console.log(`${r.figure}: ${r.value} | ${r.baseline}`);
}
