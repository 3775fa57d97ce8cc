// Pod IPs for simulated pods: from the node's spec.podCIDR when node-ipam gave it one, else from a shared fallback
// range 10.244.0.0/16. Addresses are remembered per pod uid so a status rewrite keeps the same IP, and released when
// the pod goes. Network and broadcast addresses and .1 (the bridge gateway on a real node) are never handed out.
import { formatIPv4, lastAddressOf, parseCidr } from '../api/net/ipv4.ts';

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

/** The range handed out: network, .1 (the gateway) and broadcast excluded; /8-/30 only. */
function poolRange(cidr: string): { first: number; last: number } | undefined {
  const c = parseCidr(cidr);
  if (!c || c.bits < 8 || c.bits > 30) return undefined;
  return { first: c.base + 2, last: lastAddressOf(c) - 1 };
}

export class PodIPAllocator {
  private readonly pools = new Map<string, Pool>();
  private readonly byPod = new Map<string, { pool: string; ip: number }>();

  /** The pod's IP (the same on every call until release). podCIDR '' or undefined uses the fallback range. */
  allocate(podUid: string, podCIDR: string | undefined): string | undefined {
    const have = this.byPod.get(podUid);
    if (have) return formatIPv4(have.ip);
    const key = podCIDR && poolRange(podCIDR) ? podCIDR : '10.244.0.0/16';
    let pool = this.pools.get(key);
    if (!pool) {
      const r = poolRange(key)!;
      pool = new Pool(r.first, r.last);
      this.pools.set(key, pool);
    }
    const ip = pool.take();
    if (ip === undefined) return undefined;
    this.byPod.set(podUid, { pool: key, ip });
    return formatIPv4(ip);
  }

  release(podUid: string): void {
    const have = this.byPod.get(podUid);
    if (!have) return;
    this.byPod.delete(podUid);
    this.pools.get(have.pool)?.release(have.ip);
  }
}
