// What the kubelet reports about its host: capacity (cpu, memory, ephemeral-storage of the data dir's filesystem,
// pods), the node's primary IPv4 (the default route's interface), and nodeInfo (machine-id, boot-id, kernel, OS
// image). Read from /proc, /etc and node:os; nothing here talks to the API.
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { cpus, networkInterfaces, release, totalmem } from 'node:os';
import type { NodeSystemInfo } from 'kubernetes-types/core/v1.js';
import { ociArch } from '../images/oci-archive.ts';

export const maxPods = 110;
/** Upstream's default hard eviction thresholds, taken off capacity to give allocatable. */
const evictionMemoryBytes = 100 * 1024 * 1024;
const evictionNodefsFraction = 0.1;

export interface HostResources {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
}

export function hostResources(dataDir: string): HostResources {
  const memKi = Math.floor(totalmem() / 1024);
  const fs = statfsSync(dataDir);
  const diskBytes = fs.blocks * fs.bsize;
  const common = { cpu: String(cpus().length), pods: String(maxPods), 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  return {
    capacity: { ...common, memory: `${memKi}Ki`, 'ephemeral-storage': `${Math.floor(diskBytes / 1024)}Ki` },
    allocatable: {
      ...common,
      memory: `${Math.max(0, memKi - evictionMemoryBytes / 1024)}Ki`,
      'ephemeral-storage': String(Math.floor(diskBytes * (1 - evictionNodefsFraction))),
    },
  };
}

/** The interface of the IPv4 default route, from /proc/net/route. */
function defaultRouteInterface(): string | undefined {
  try {
    for (const line of readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1] === '00000000' && f[7] === '00000000') return f[0];
    }
  } catch {
    // no procfs: fall through
  }
  return undefined;
}

/** The node's InternalIP: the default route interface's IPv4, else the first non-internal IPv4, else loopback. */
export function primaryIPv4(): string {
  const ifs = networkInterfaces();
  const dev = defaultRouteInterface();
  const v4 = (name: string) => (ifs[name] ?? []).find((a) => a.family === 'IPv4' && !a.internal)?.address;
  if (dev && v4(dev)) return v4(dev)!;
  for (const name of Object.keys(ifs)) {
    const a = v4(name);
    if (a) return a;
  }
  return '127.0.0.1';
}

function readTrim(path: string): string {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
  } catch {
    return '';
  }
}

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readTrim('/etc/os-release'));
  return m ? m[1] : 'Linux';
}

export function nodeSystemInfo(runtime: { runtimeName: string; runtimeVersion: string }, kubeletVersion: string): NodeSystemInfo {
  return {
    machineID: readTrim('/etc/machine-id'),
    systemUUID: readTrim('/sys/class/dmi/id/product_uuid'),
    bootID: readTrim('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: osImage(),
    containerRuntimeVersion: `${runtime.runtimeName}://${runtime.runtimeVersion}`,
    kubeletVersion,
    kubeProxyVersion: kubeletVersion,
    operatingSystem: 'linux',
    architecture: ociArch(),
  };
}
