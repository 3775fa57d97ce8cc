// Node pressure conditions from the host, as upstream's eviction manager derives them: signals (memory.available,
// nodefs/imagefs available bytes and inodes, pid.available), each an amount available out of a capacity, compared
// with hard thresholds given as a quantity or a percentage of the capacity. Upstream's Linux defaults:
// memory.available<100Mi, nodefs.available<10%, nodefs.inodesFree<5%, imagefs.available<15%, imagefs.inodesFree<5%;
// pid.available has none, so PIDPressure needs one configured. --eviction-hard (upstream's syntax) overrides the
// signals it names. pressureFor() is the pure decision; PressureHold keeps a condition True for upstream's
// evictionPressureTransitionPeriod (5 min) after its signal was last over the threshold, so it does not flap;
// readSignals() measures this host (MemAvailable and MemTotal from /proc/meminfo, statfs of the kubelet's and the
// runtime's directories, pid_max less the processes in /proc).
import { existsSync, readFileSync, readdirSync, statfsSync } from 'node:fs';
import { parseQuantity } from '../../api/validation/quantity.ts';
import { containerdLayout } from '../cri/containerd-config.ts';

export const signalNames = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'] as const;
export type SignalName = (typeof signalNames)[number];

export interface Measure {
  available: number;
  capacity: number;
}

export type Signals = Record<SignalName, Measure>;

/** An absolute amount (bytes, inodes, processes) or a fraction of the signal's capacity. */
export type Threshold = { quantity: number } | { fraction: number };
export type Thresholds = Partial<Record<SignalName, Threshold>>;

export const defaultThresholds: Thresholds = {
  'memory.available': { quantity: 100 * 1024 * 1024 },
  'nodefs.available': { fraction: 0.1 },
  'nodefs.inodesFree': { fraction: 0.05 },
  'imagefs.available': { fraction: 0.15 },
  'imagefs.inodesFree': { fraction: 0.05 },
};

export interface Pressure {
  memory: boolean;
  disk: boolean;
  pid: boolean;
}

function met(m: Measure, t: Threshold | undefined): boolean {
  if (!t) return false;
  return 'quantity' in t ? m.available < t.quantity : m.capacity > 0 && m.available < m.capacity * t.fraction;
}

export function pressureFor(s: Signals, t: Thresholds = defaultThresholds): Pressure {
  const hit = (name: SignalName): boolean => met(s[name], t[name]);
  return {
    memory: hit('memory.available'),
    disk: hit('nodefs.available') || hit('nodefs.inodesFree') || hit('imagefs.available') || hit('imagefs.inodesFree'),
    pid: hit('pid.available'),
  };
}

/** Holds each pressure True until periodMs have passed since it was last observed (upstream's transition period). */
export class PressureHold {
  private readonly lastSeen: Partial<Record<keyof Pressure, number>> = {};

  constructor(private readonly periodMs = 300_000) {}

  apply(observed: Pressure, nowMs: number): Pressure {
    const out = { ...observed };
    for (const k of ['memory', 'disk', 'pid'] as const) {
      if (observed[k]) this.lastSeen[k] = nowMs;
      else if (this.lastSeen[k] !== undefined && nowMs - this.lastSeen[k]! < this.periodMs) out[k] = true;
    }
    return out;
  }
}

/**
 * Upstream's --eviction-hard: "signal<quantity|N%" pairs, comma-separated. The signals named replace their
 * defaults; the others keep them. Anything else is an error naming the bad part.
 */
export function parseEvictionHard(text: string, base: Thresholds = defaultThresholds): Thresholds {
  const out: Thresholds = { ...base };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-zA-Z.]+)<(.+)$/.exec(part);
    const name = m?.[1] as SignalName | undefined;
    if (!m || !name || !signalNames.includes(name)) throw new Error(`--eviction-hard: invalid threshold "${part}" (want SIGNAL<QUANTITY or SIGNAL<N%, SIGNAL one of ${signalNames.join(', ')})`);
    const value = m[2]!;
    if (value.endsWith('%')) {
      const pct = Number(value.slice(0, -1));
      if (!Number.isFinite(pct) || pct < 0 || pct > 100) throw new Error(`--eviction-hard: invalid percentage "${value}" for ${name}`);
      out[name] = { fraction: pct / 100 };
    } else {
      const q = parseQuantity(value);
      if (q === undefined || q < 0n) throw new Error(`--eviction-hard: invalid quantity "${value}" for ${name}`);
      out[name] = { quantity: Number(q / 1_000_000_000n) };
    }
  }
  return out;
}

function fs(dir: string): { bytes: Measure; inodes: Measure } {
  const st = statfsSync(dir);
  return { bytes: { available: st.bavail * st.bsize, capacity: st.blocks * st.bsize }, inodes: { available: st.ffree, capacity: st.files } };
}

function memory(): Measure {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { available: kb('MemAvailable'), capacity: kb('MemTotal') };
}

/** This host's signals: nodefs is the kubelet's data dir, imagefs the runtime's root (the same filesystem is fine). */
export function readSignals(nodefsDir: string, imagefsDir: string): Signals {
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
  const procs = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
  const node = fs(nodefsDir);
  const image = fs(imagefsDir);
  return {
    'memory.available': memory(),
    'nodefs.available': node.bytes,
    'nodefs.inodesFree': node.inodes,
    'imagefs.available': image.bytes,
    'imagefs.inodesFree': image.inodes,
    'pid.available': { available: pidMax - procs, capacity: pidMax },
  };
}

/** Where images live: the root of the containerd the kubelet runs, or the system containerd's for an external one. */
export function imagefsDir(dataDir: string, runtimeEndpoint: string | undefined): string {
  const dir = runtimeEndpoint ? '/var/lib/containerd' : containerdLayout(dataDir).root;
  return existsSync(dir) ? dir : dataDir;
}
