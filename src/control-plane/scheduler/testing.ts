// Test helpers for plugin and algorithm tests: small Node and Pod builders and a snapshot from them.
import type { Node, Pod, PodSpec, Taint } from 'kubernetes-types/core/v1.js';
import { SchedulerCache } from './cache.ts';

let uid = 0;

export function makeNode(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable: alloc, capacity: alloc },
  };
}

export function makePod(name: string, spec: Partial<PodSpec> = {}, o: { labels?: Record<string, string>; cpu?: string; memory?: string; owner?: string; namespace?: string } = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    metadata: {
      name, namespace: o.namespace ?? 'default', uid: `uid-${++uid}`, labels: o.labels,
      ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: o.owner, controller: true }] : undefined,
    },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests } }], ...spec },
  };
}

/** A cache holding the nodes and the pods (each pod must have spec.nodeName). */
export function snapshotOf(nodes: Node[], pods: Pod[] = []): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.addNode(n);
  for (const p of pods) c.addOrUpdatePod(p);
  return c;
}
