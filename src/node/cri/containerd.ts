// The containerd supervisor: when no --container-runtime-endpoint is given, the node runs its own containerd
// (like k3s) with the config from containerd-config.ts, waits for its CRI to answer, and stops it by PID on
// shutdown. A containerd left running by a previous run of this node (same config file) is adopted rather than
// started twice: it still holds its socket and database, and the containers it runs must survive.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { CriClient } from './client.ts';
import { processAlive, processCmdline, waitProcessGone } from './pids.ts';
import { type ContainerdConfigOptions, type ContainerdLayout, containerdConfig } from './containerd-config.ts';
import type { VersionResponse } from './types.ts';

export interface ContainerdOptions extends Omit<ContainerdConfigOptions, 'layout'> {
  layout: ContainerdLayout;
  binary?: string;
  readyTimeoutMs?: number;
}

export interface RunningContainerd {
  endpoint: string;
  pid: number;
  version: VersionResponse;
  /** Whether this run started it (false: adopted from an earlier run). */
  started: boolean;
  /** Resolves when the process has exited (by stop() or otherwise). */
  exited: Promise<void>;
  /** SIGTERM, then SIGKILL after the grace period; containers (in their shims) keep running. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Mount points at or under dir (from /proc/self/mountinfo). A data dir with live container mounts (rootfs, shm)
 * must not be deleted: removing files under a mounted overlay deletes the container's files, and the rest fails.
 */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.replace(/\/+$/, '');
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  // field 5 is the mount point, with spaces etc. octal-escaped
  const points = text.split('\n').map((l) => l.split(' ')[4]).filter(Boolean).map((m) => m.replace(/\\(\d{3})/g, (_x, o: string) => String.fromCharCode(parseInt(o, 8))));
  return points.filter((m) => m === prefix || m.startsWith(`${prefix}/`));
}

/** The PID in the pid file, if that process is still a containerd running this layout's config (one to adopt). */
export function runningContainerd(layout: ContainerdLayout): number | undefined {
  if (!existsSync(layout.pidFile)) return undefined;
  const pid = Number(readFileSync(layout.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  const args = processCmdline(pid);
  return args.some((a) => a.endsWith('containerd')) && args.includes(layout.config) ? pid : undefined;
}

export async function startContainerd(o: ContainerdOptions): Promise<RunningContainerd> {
  const { layout } = o;
  mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  let pid = runningContainerd(layout);
  const started = pid === undefined;
  let exited: Promise<void> | undefined;
  if (pid === undefined) {
    writeFileSync(layout.config, containerdConfig(o));
    const logFd = openSync(layout.log, 'a');
    // Detached into its own process group: a Ctrl-C aimed at the kubelet must not kill the runtime mid-operation;
    // the kubelet stops it itself, in order.
    const child = spawn(o.binary ?? 'containerd', ['--config', layout.config], { detached: true, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    if (child.pid === undefined) throw new Error('containerd did not start (is it installed?)');
    pid = child.pid;
    child.unref();
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    writeFileSync(layout.pidFile, `${pid}\n`);
  }
  const client = new CriClient(`unix://${layout.socket}`);
  let version: VersionResponse;
  try {
    version = await client.waitReady(o.readyTimeoutMs ?? 30_000);
  } catch (err) {
    if (started) process.kill(pid, 'SIGKILL');
    const tail = existsSync(layout.log) ? readFileSync(layout.log, 'utf8').split('\n').slice(-15).join('\n') : '';
    throw new Error(`containerd did not become ready: ${err instanceof Error ? err.message : String(err)}\n${tail}`);
  } finally {
    client.close();
  }
  const thePid = pid;
  // an adopted containerd is not our child: watch its PID
  exited ??= (async () => {
    while (processAlive(thePid)) await new Promise((r) => setTimeout(r, 1000).unref());
  })();
  return {
    exited,
    endpoint: `unix://${layout.socket}`,
    pid: thePid,
    version,
    started,
    async stop(graceMs = 10_000) {
      if (!processAlive(thePid)) return;
      process.kill(thePid, 'SIGTERM');
      if (!(await waitProcessGone(thePid, graceMs))) {
        process.kill(thePid, 'SIGKILL');
        await waitProcessGone(thePid, 5000);
      }
      rmSync(layout.pidFile, { force: true });
    },
  };
}
