// NodeInfo: one node and the pods the scheduler believes are on it (bound or assumed), with their sums kept
// current on every add/remove: requested and non-zero requested resources, host ports in use, pods per controller
// owner (for spreading), and which pods carry affinity terms (so InterPodAffinity only walks those).
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { type Resources, addList, emptyResources, value } from './resources.ts';
import { type PodInfo, hasAffinity } from './pod-info.ts';

export class NodeInfo {
  node!: Node;
  name = '';
  labels: Record<string, string> = {};
  taints: Taint[] = [];
  unschedulable = false;
  allocatable: Resources = emptyResources();
  allowedPods = 0;
  readonly requested: Resources = emptyResources();
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  readonly pods = new Map<string, PodInfo>();
  /** "protocol/port" -> host IPs bound */
  readonly usedPorts = new Map<string, string[]>();
  readonly ownerCounts = new Map<string, number>();
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();

  constructor(node?: Node) {
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    const alloc = emptyResources();
    const list = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, string>;
    addList(alloc, list);
    this.allocatable = alloc;
    this.allowedPods = value(list.pods);
  }

  addPod(p: PodInfo): void {
    this.pods.set(p.uid, p);
    this.account(p, 1);
  }

  removePod(uid: string): PodInfo | undefined {
    const p = this.pods.get(uid);
    if (!p) return undefined;
    this.pods.delete(uid);
    this.account(p, -1);
    return p;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCPU += sign * p.requests.milliCPU;
    r.memory += sign * p.requests.memory;
    r.ephemeralStorage += sign * p.requests.ephemeralStorage;
    for (const [k, v] of p.requests.scalar) r.scalar.set(k, (r.scalar.get(k) ?? 0) + sign * v);
    this.nonZeroRequested.milliCPU += sign * p.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * p.nonZero.memory;
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k) ?? [];
      if (sign === 1) ips.push(hp.ip);
      else {
        const i = ips.indexOf(hp.ip);
        if (i >= 0) ips.splice(i, 1);
      }
      if (ips.length) this.usedPorts.set(k, ips);
      else this.usedPorts.delete(k);
    }
    if (p.ownerUid) {
      const n = (this.ownerCounts.get(p.ownerUid) ?? 0) + sign;
      if (n > 0) this.ownerCounts.set(p.ownerUid, n);
      else this.ownerCounts.delete(p.ownerUid);
    }
    if (hasAffinity(p)) {
      if (sign === 1) this.podsWithAffinity.add(p);
      else this.podsWithAffinity.delete(p);
    }
    if (p.antiAffinity.length) {
      if (sign === 1) this.podsWithRequiredAntiAffinity.add(p);
      else this.podsWithRequiredAntiAffinity.delete(p);
    }
  }
}
