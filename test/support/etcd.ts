// A real etcd for tests: `startEtcd()` runs /usr/bin/etcd (or $ETCD_BIN) on free loopback ports with a temp data
// dir, resolves once it answers /health, and `stop()` kills exactly that process and removes the dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process.ts';

export interface EtcdHandle {
  /** http://127.0.0.1:<port>, for etcd3 or `--datastore-endpoint`. */
  endpoint: string;
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  /** Server-side progress notification interval, e.g. '1s' (etcd's default is 10 minutes). */
  progressNotifyInterval?: string;
  /** Give up when etcd is not healthy after this long (ms). */
  startTimeoutMs?: number;
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return res.ok && body.health === 'true';
  } catch {
    return false;
  }
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

export async function startEtcd(opts: StartEtcdOptions = {}): Promise<EtcdHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'skiff-test',
    '--data-dir', join(dir, 'data'),
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `skiff-test=${peer}`,
    '--initial-cluster-state', 'new',
    '--log-level', 'error',
    '--logger', 'zap',
  ];
  if (opts.progressNotifyInterval) args.push('--experimental-watch-progress-notify-interval', opts.progressNotifyInterval);
  const proc = spawn(process.env.ETCD_BIN ?? '/usr/bin/etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      await stop();
      throw new Error(`etcd exited during startup (ports ${clientPort}/${peerPort}): ${stderr}`);
    }
    if (await healthy(endpoint)) return { endpoint, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd not healthy at ${endpoint}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
