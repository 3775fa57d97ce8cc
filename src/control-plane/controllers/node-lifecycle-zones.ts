// Zone disruption, as upstream's node lifecycle controller judges it before tainting nodes NoExecute: if every node
// of every zone looks dead, the fault is more likely ours (a partition between the control plane and the nodes)
// than theirs, so no pod is evicted and existing NoExecute node-health taints are lifted; a zone where most nodes
// are down is evicted from slowly (not at all in small clusters); otherwise one node per 10 s per zone.
import type { Node } from 'kubernetes-types/core/v1.js';
import { type Clock, TokenBucket } from '../../client/index.ts';

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** Upstream defaults: --node-eviction-rate, --secondary-node-eviction-rate, --large-cluster-size-threshold,
 *  --unhealthy-zone-threshold. */
export const nodeEvictionRate = 0.1;
export const secondaryNodeEvictionRate = 0.01;
export const largeClusterSizeThreshold = 50;
export const unhealthyZoneThreshold = 0.55;

const zoneLabel = 'topology.kubernetes.io/zone';
const regionLabel = 'topology.kubernetes.io/region';

/** The zone key upstream's GetZoneKey builds (region and zone, "" when unlabelled). */
export function zoneOf(node: Node): string {
  const l = node.metadata?.labels ?? {};
  return `${l[regionLabel] ?? ''}:\u0000:${l[zoneLabel] ?? ''}`;
}

function ready(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** upstream ComputeZoneState over one zone's nodes. */
export function zoneState(nodes: Node[]): ZoneState {
  const notReady = nodes.filter((n) => !ready(n)).length;
  const readyCount = nodes.length - notReady;
  if (readyCount === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / Math.max(1, nodes.length) >= unhealthyZoneThreshold) return 'PartialDisruption';
  return 'Normal';
}

export type NoExecutePolicy = 'allow' | 'hold' | 'remove';

/** Tracks zone states from monitor passes and rate-limits new NoExecute health taints per zone. */
export class ZoneTracker {
  private states = new Map<string, ZoneState>();
  private clusterSize = 0;
  private readonly limiters = new Map<string, { rate: number; bucket: TokenBucket }>();

  constructor(private readonly clock: Clock) {}

  update(nodes: Node[]): void {
    const byZone = new Map<string, Node[]>();
    for (const n of nodes) {
      const z = zoneOf(n);
      byZone.set(z, [...(byZone.get(z) ?? []), n]);
    }
    this.states = new Map([...byZone].map(([z, ns]) => [z, zoneState(ns)]));
    this.clusterSize = nodes.length;
  }

  stateOf(zone: string): ZoneState {
    return this.states.get(zone) ?? 'Normal';
  }

  allFullyDisrupted(): boolean {
    return this.states.size > 0 && [...this.states.values()].every((s) => s === 'FullDisruption');
  }

  /** The per-zone rate for adding NoExecute taints (upstream setLimiterInZone). */
  private rateFor(zone: string): number {
    const s = this.stateOf(zone);
    if (s === 'PartialDisruption') return this.clusterSize <= largeClusterSizeThreshold ? 0 : secondaryNodeEvictionRate;
    return nodeEvictionRate;
  }

  /**
   * May a NoExecute health taint be added to a node of this zone now? 'remove' when the whole cluster looks
   * partitioned away; otherwise a token of the zone's limiter, or 'hold' with how long until one is due.
   */
  admit(zone: string): { policy: NoExecutePolicy; retryMs?: number } {
    if (this.allFullyDisrupted()) return { policy: 'remove' };
    const rate = this.rateFor(zone);
    if (rate <= 0) return { policy: 'hold', retryMs: 10_000 };
    let l = this.limiters.get(zone);
    if (!l || l.rate !== rate) this.limiters.set(zone, (l = { rate, bucket: new TokenBucket(rate, 1, this.clock) }));
    const wait = l.bucket.reserve();
    if (wait === 0) return { policy: 'allow' };
    l.bucket.refund();
    return { policy: 'hold', retryMs: wait };
  }
}
