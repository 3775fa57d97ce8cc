// Pod IPs for simulated pods: from the node's spec.podCIDR when node-ipam gave it one, else from a shared fallback
// range 10.244.0.0/16. Addresses are remembered per pod uid so a status rewrite keeps the same IP, and released when
// the pod goes. Network and broadcast addresses and .1 (the bridge gateway on a real node) are never handed out.
import { intToIPv4, ipv4ToInt } from './objects.ts';

class Pool {
  private readonly used = new Set<number>();
  private next: number;
  constructor(private readonly first: number, private readonly last: number) {
    this.next = first;
  }
  take(): number | undefined {
    const size = this.last - this.first + 1;
    for (let i = 0; i < size; i++) {
      const n = this.next;
      this.next = n >= this.last ? this.first : n + 1;
      if (!this.used.has(n)) {
        this.used.add(n);
        return n;
      }
    }
    return undefined;
  }
  release(n: number): void {
    this.used.delete(n);
  }
}

function parseCIDR(cidr: string): { first: number; last: number } | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const bits = Number(m[2]);
  if (bits < 8 || bits > 30) return undefined;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const base = (ipv4ToInt(m[1]) & mask) >>> 0;
  const broadcast = (base | (~mask >>> 0)) >>> 0;
  return { first: base + 2, last: broadcast - 1 };
}

export class PodIPAllocator {
  private readonly pools = new Map<string, Pool>();
  private readonly byPod = new Map<string, { pool: string; ip: number }>();

  /** The pod's IP (the same on every call until release). podCIDR '' or undefined uses the fallback range. */
  allocate(podUid: string, podCIDR: string | undefined): string | undefined {
    const have = this.byPod.get(podUid);
    if (have) return intToIPv4(have.ip);
    const key = podCIDR && parseCIDR(podCIDR) ? podCIDR : '10.244.0.0/16';
    let pool = this.pools.get(key);
    if (!pool) {
      const r = parseCIDR(key)!;
      pool = new Pool(r.first, r.last);
      this.pools.set(key, pool);
    }
    const ip = pool.take();
    if (ip === undefined) return undefined;
    this.byPod.set(podUid, { pool: key, ip });
    return intToIPv4(ip);
  }

  release(podUid: string): void {
    const have = this.byPod.get(podUid);
    if (!have) return;
    this.byPod.delete(podUid);
    this.pools.get(have.pool)?.release(have.ip);
  }
}
