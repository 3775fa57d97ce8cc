// The kubelet's Node: the object it registers (labels, annotations, capacity, addresses, nodeInfo) and the
// conditions it reports (MemoryPressure, DiskPressure, PIDPressure from the eviction signals of pressure.ts, Ready),
// with upstream's reasons and messages.
// A condition keeps its lastTransitionTime while its status does not change. Pure builders; node.ts writes them.
import type { Node, NodeCondition, NodeSystemInfo } from 'kubernetes-types/core/v1.js';
import type { HostResources } from './host.ts';
import type { Pressure } from './pressure.ts';

export interface NodeFacts {
  name: string;
  address: string;
  resources: HostResources;
  info: NodeSystemInfo;
  labels?: Record<string, string>;
  /** The port of the kubelet's HTTPS API (10250 when absent). */
  port?: number;
}

export function nodeLabels(name: string, arch: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    ...extra,
  };
}

export function buildNode(f: NodeFacts, conditions: NodeCondition[]): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: f.name,
      labels: nodeLabels(f.name, f.info.architecture, f.labels),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
    status: nodeStatus(f, conditions),
  };
}

export function nodeStatus(f: NodeFacts, conditions: NodeCondition[]): NonNullable<Node['status']> {
  return {
    capacity: f.resources.capacity,
    allocatable: f.resources.allocatable,
    conditions,
    addresses: [{ type: 'InternalIP', address: f.address }, { type: 'Hostname', address: f.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: f.port ?? 10250 } },
    nodeInfo: f.info,
  };
}

/** Why the node is not Ready, or undefined when it is. */
export type NotReadyReason = string | undefined;

const noPressure: Pressure = { memory: false, disk: false, pid: false };

export function nodeConditions(now: string, old: NodeCondition[] | undefined, notReady: NotReadyReason, pressure: Pressure = noPressure): NodeCondition[] {
  const c = (type: string, status: string, reason: string, message: string): NodeCondition => {
    const prior = old?.find((o) => o.type === type);
    const since = prior && prior.status === status && prior.lastTransitionTime ? prior.lastTransitionTime : now;
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: since };
  };
  return [
    pressure.memory
      ? c('MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available')
      : c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    pressure.disk
      ? c('DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure')
      : c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    pressure.pid
      ? c('PIDPressure', 'True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available')
      : c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    notReady === undefined
      ? c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
      : c('Ready', 'False', 'KubeletNotReady', notReady),
  ];
}

/** The same conditions apart from heartbeat times: no need to write. */
export function sameConditions(a: NodeCondition[] | undefined, b: NodeCondition[]): boolean {
  const strip = (l: NodeCondition[] | undefined) => (l ?? []).map((c) => [c.type, c.status, c.reason, c.message].join('|')).sort().join(',');
  return strip(a) === strip(b);
}
