// Removing every pod a node's own containerd runs (for `skiff uninstall`): the containerd under <data-dir>/agent is
// used if it runs, else started for the occasion from the config file it left there; every pod sandbox is stopped
// and removed through CRI (containerd then runs CNI DEL, which frees the pod's address and veth, and deletes the
// pod's network namespace), then any container left over; containerd is stopped, and shims of its still alive
// afterwards (a container that would not die) are killed by PID. Nothing outside that containerd is touched.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { CriClient } from './client.ts';
import type { ContainerdLayout } from './containerd-config.ts';
import { runningContainerd } from './containerd.ts';
import { processCmdline, waitProcessGone } from './pids.ts';

export interface TeardownResult {
  sandboxes: number;
  containers: number;
  /** Shim processes killed after containerd had stopped. */
  shimsKilled: number;
  /** Whether containerd had to be started (it was not running). */
  started: boolean;
}

/**
 * The kubelet supervising this layout's containerd, if one runs: containerd is its child (containerd.ts spawns it),
 * and would be started again under us. A containerd whose kubelet died has been re-parented and is free to use.
 */
export function containerdSupervisor(layout: ContainerdLayout): number | undefined {
  const pid = runningContainerd(layout);
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid <= 1) return undefined;
    const comm = readFileSync(`/proc/${ppid}/comm`, 'utf8').trim();
    return comm === 'node' || processCmdline(ppid).some((a) => /skiff|kubelet/.test(a)) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** containerd's shims serving this containerd: they name its socket as their -address. */
export function shimsOf(socket: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = processCmdline(Number(entry));
    const i = args.indexOf('-address');
    if (i >= 0 && args[i + 1] === socket && (args[0] ?? '').includes('containerd-shim')) out.push(Number(entry));
  }
  return out;
}

/** Starts containerd from the config the node left (so it finds its pods' state), detached like containerd.ts's. */
function startFromConfig(layout: ContainerdLayout, binary: string): number {
  const log = openSync(layout.log, 'a');
  const child = spawn(binary, ['--config', layout.config], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.once('error', () => undefined); // a binary that is not there: reported below, not as an uncaught error
  if (child.pid === undefined) throw new Error(`${binary} did not start (is containerd installed?)`);
  child.unref();
  return child.pid;
}

/**
 * Removes the pods of the containerd with this layout; undefined when there is nothing (no config: the node never
 * ran). `say` is told each step.
 */
export async function teardownContainerd(layout: ContainerdLayout, say: (msg: string) => void, binary = 'containerd'): Promise<TeardownResult | undefined> {
  if (!existsSync(layout.config)) return undefined;
  let pid = runningContainerd(layout);
  const started = pid === undefined;
  if (pid === undefined) {
    say(`starting containerd from ${layout.config} to remove its pods`);
    pid = startFromConfig(layout, binary);
  }
  const cri = new CriClient(`unix://${layout.socket}`);
  let sandboxes = 0;
  let containers = 0;
  try {
    await cri.waitReady(30_000);
    for (const sb of await cri.listPodSandbox()) {
      const name = `${sb.metadata?.namespace ?? ''}/${sb.metadata?.name ?? sb.id}`;
      await cri.stopPodSandbox(sb.id);
      await cri.removePodSandbox(sb.id);
      sandboxes++;
      say(`removed pod ${name} (sandbox ${sb.id.slice(0, 13)}, its containers, network namespace and address)`);
    }
    for (const c of await cri.listContainers()) {
      await cri.stopContainer(c.id, 0).catch(() => undefined);
      await cri.removeContainer(c.id);
      containers++;
      say(`removed container ${c.metadata?.name ?? ''} ${c.id.slice(0, 13)}`);
    }
  } finally {
    cri.close();
    process.kill(pid, 'SIGTERM');
    if (!(await waitProcessGone(pid, 10_000))) {
      process.kill(pid, 'SIGKILL');
      await waitProcessGone(pid, 5_000);
    }
    say(`stopped containerd (pid ${pid})`);
  }
  let shimsKilled = 0;
  for (const shim of shimsOf(layout.socket)) {
    try {
      process.kill(shim, 'SIGKILL');
      shimsKilled++;
      say(`killed leftover containerd shim (pid ${shim})`);
    } catch {
      // exited by itself meanwhile
    }
  }
  return { sandboxes, containers, shimsKilled, started };
}
