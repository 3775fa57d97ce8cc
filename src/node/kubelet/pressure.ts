// Node pressure conditions from the host, as upstream's eviction manager derives them: signals (memory.available,
// nodefs/imagefs available bytes and inodes, pid.available) compared with hard thresholds — upstream's Linux
// defaults memory.available<100Mi, nodefs.available<10%, nodefs.inodesFree<5%, imagefs.available<15%,
// imagefs.inodesFree<5%; pid.available has no default threshold upstream, so PIDPressure needs one configured.
// pressureFor() is the pure decision; readSignals() measures this host (MemAvailable from /proc/meminfo, statfs of
// the kubelet's and the runtime's directories, pid_max less the processes in /proc).
import { existsSync, readFileSync, readdirSync, statfsSync } from 'node:fs';
import { containerdLayout } from '../cri/containerd-config.ts';

export interface FsSignals {
  availableBytes: number;
  capacityBytes: number;
  inodesFree: number;
  inodes: number;
}

export interface Signals {
  memoryAvailableBytes: number;
  nodefs: FsSignals;
  imagefs: FsSignals;
  pidAvailable: number;
  pidMax: number;
}

export interface Thresholds {
  memoryAvailableBytes: number;
  nodefsAvailable: number;
  nodefsInodesFree: number;
  imagefsAvailable: number;
  imagefsInodesFree: number;
  /** Processes left below which PIDPressure is True; undefined: never (upstream has no default). */
  pidAvailable?: number;
}

export const defaultThresholds: Thresholds = {
  memoryAvailableBytes: 100 * 1024 * 1024,
  nodefsAvailable: 0.1,
  nodefsInodesFree: 0.05,
  imagefsAvailable: 0.15,
  imagefsInodesFree: 0.05,
};

export interface Pressure {
  memory: boolean;
  disk: boolean;
  pid: boolean;
}

const below = (free: number, total: number, fraction: number): boolean => total > 0 && free < total * fraction;

export function pressureFor(s: Signals, t: Thresholds = defaultThresholds): Pressure {
  return {
    memory: s.memoryAvailableBytes < t.memoryAvailableBytes,
    disk: below(s.nodefs.availableBytes, s.nodefs.capacityBytes, t.nodefsAvailable) || below(s.nodefs.inodesFree, s.nodefs.inodes, t.nodefsInodesFree)
      || below(s.imagefs.availableBytes, s.imagefs.capacityBytes, t.imagefsAvailable) || below(s.imagefs.inodesFree, s.imagefs.inodes, t.imagefsInodesFree),
    pid: t.pidAvailable !== undefined && s.pidAvailable < t.pidAvailable,
  };
}

function fsSignals(dir: string): FsSignals {
  const st = statfsSync(dir);
  return { availableBytes: st.bavail * st.bsize, capacityBytes: st.blocks * st.bsize, inodesFree: st.ffree, inodes: st.files };
}

function memAvailableBytes(): number {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.POSITIVE_INFINITY;
}

/** This host's signals: nodefs is the kubelet's data dir, imagefs the runtime's root (the same filesystem is fine). */
export function readSignals(nodefsDir: string, imagefsDir: string): Signals {
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
  const procs = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
  return { memoryAvailableBytes: memAvailableBytes(), nodefs: fsSignals(nodefsDir), imagefs: fsSignals(imagefsDir), pidAvailable: pidMax - procs, pidMax };
}

/** Where images live: the root of the containerd the kubelet runs, or the system containerd's for an external one. */
export function imagefsDir(dataDir: string, runtimeEndpoint: string | undefined): string {
  const dir = runtimeEndpoint ? '/var/lib/containerd' : containerdLayout(dataDir).root;
  return existsSync(dir) ? dir : dataDir;
}
