// The scheduler's view of the cluster: NodeInfos (in a stable array, so the round-robin start index means something)
// and where every bound or assumed pod sits. A pod is "assumed" from the moment the scheduler picks a node until the
// informer shows it bound, so the next cycle already counts its resources although the bind is still in flight.
// Pods can arrive before their node (the NodeInfo then waits outside the list until the node is added).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NodeInfo } from './node-info.ts';
import { type PodInfo, hasAffinity, newPodInfo } from './pod-info.ts';
import type { Snapshot } from './framework.ts';

export class SchedulerCache implements Snapshot {
  private list: NodeInfo[] = [];
  private readonly byName = new Map<string, NodeInfo>();
  /** NodeInfos holding pods whose Node is not known (yet). */
  private readonly orphans = new Map<string, NodeInfo>();
  /** pod uid -> node name */
  private readonly podNode = new Map<string, string>();
  private readonly assumed = new Set<string>();
  private antiAffinityCount = 0;
  private affinityCount = 0;

  get nodes(): readonly NodeInfo[] {
    return this.list;
  }

  get antiAffinityPods(): number {
    return this.antiAffinityCount;
  }

  get affinityPods(): number {
    return this.affinityCount;
  }

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  isAssumed(uid: string): boolean {
    return this.assumed.has(uid);
  }

  nodeOf(uid: string): string | undefined {
    return this.podNode.get(uid);
  }

  addNode(node: Node): NodeInfo {
    const name = node.metadata?.name ?? '';
    let ni = this.byName.get(name);
    if (ni) {
      ni.setNode(node);
      return ni;
    }
    ni = this.orphans.get(name);
    if (ni) {
      this.orphans.delete(name);
      ni.setNode(node);
    } else ni = new NodeInfo(node);
    this.byName.set(name, ni);
    this.list.push(ni);
    return ni;
  }

  removeNode(name: string): void {
    const ni = this.byName.get(name);
    if (!ni) return;
    this.byName.delete(name);
    const i = this.list.indexOf(ni);
    if (i >= 0) this.list.splice(i, 1);
    if (ni.pods.size) this.orphans.set(name, ni);
  }

  private holder(nodeName: string): NodeInfo {
    let ni = this.byName.get(nodeName) ?? this.orphans.get(nodeName);
    if (!ni) {
      ni = new NodeInfo();
      ni.name = nodeName;
      this.orphans.set(nodeName, ni);
    }
    return ni;
  }

  private place(p: PodInfo, nodeName: string): void {
    this.holder(nodeName).addPod(p);
    this.podNode.set(p.uid, nodeName);
    if (p.antiAffinity.length) this.antiAffinityCount++;
    if (hasAffinity(p)) this.affinityCount++;
  }

  private unplace(uid: string): PodInfo | undefined {
    const nodeName = this.podNode.get(uid);
    if (nodeName === undefined) return undefined;
    this.podNode.delete(uid);
    const ni = this.byName.get(nodeName) ?? this.orphans.get(nodeName);
    const p = ni?.removePod(uid);
    if (p?.antiAffinity.length) this.antiAffinityCount--;
    if (p && hasAffinity(p)) this.affinityCount--;
    if (ni && !ni.pods.size && this.orphans.get(nodeName) === ni) this.orphans.delete(nodeName);
    return p;
  }

  /** Counts the pod on nodeName before the API says so. */
  assume(p: PodInfo, nodeName: string): void {
    this.unplace(p.uid);
    this.place(p, nodeName);
    this.assumed.add(p.uid);
  }

  /** The bind failed: the pod no longer occupies the node. */
  forget(uid: string): void {
    if (!this.assumed.delete(uid)) return;
    this.unplace(uid);
  }

  /** A bound pod from the informer (add or update); confirms an assumed pod. */
  addOrUpdatePod(pod: Pod): void {
    const p = newPodInfo(pod);
    this.assumed.delete(p.uid);
    this.unplace(p.uid);
    this.place(p, pod.spec!.nodeName!);
  }

  removePod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    this.assumed.delete(uid);
    this.unplace(uid);
  }
}
