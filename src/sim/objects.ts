// Pure builders for what a simulated (kwok-style) node writes: its Node object, its Lease in kube-node-lease, and
// the status a kubelet would report for a pod it started. Nothing here talks to the API; nodes.ts does.
import type { Node, NodeCondition, Pod, PodCondition, PodStatus, Taint } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { version } from '../version.ts';
import { formatIPv4 } from '../api/net/ipv4.ts';

/** Marks every simulated node, as kwok does, so nobody mistakes it for a real one. */
export const simLabel = { key: 'type', value: 'kwok' };
export const simAnnotation = { key: 'kwok.x-k8s.io/node', value: 'fake' };
export const nodeLeaseNamespace = 'kube-node-lease';
export const leaseDurationSeconds = 40;

export interface SimNodeSpec {
  name: string;
  /** Position among the simulated nodes; used to give each node a distinct InternalIP. */
  index: number;
  capacity: Record<string, string>;
  labels: Record<string, string>;
  taints: Taint[];
}

export const defaultCapacity: Record<string, string> = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' };

/** metav1.Time (whole seconds) and MicroTime (six fractional digits), UTC. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** 172.16.0.0/12 has room for a million node addresses; .0 of the range is skipped. */
export function nodeInternalIP(index: number): string {
  const n = (172 << 24 | 16 << 16) + ((index + 1) & 0xfffff);
  return formatIPv4(n >>> 0);
}

export function nodeConditions(nowMs: number, ready = true): NodeCondition[] {
  const t = rfc3339(nowMs);
  const c = (type: string, status: string, reason: string, message: string): NodeCondition =>
    ({ type, status, reason, message, lastHeartbeatTime: t, lastTransitionTime: t });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready ? c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status') : c('Ready', 'False', 'KubeletNotReady', 'simulated node not ready'),
  ];
}

export function buildNode(s: SimNodeSpec, nowMs: number): Node {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/hostname': s.name,
    'node-role.kubernetes.io/agent': '',
    [simLabel.key]: simLabel.value,
    ...s.labels,
  };
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: s.name,
      labels,
      annotations: { [simAnnotation.key]: simAnnotation.value, 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: s.taints.length ? { taints: s.taints } : {},
    status: {
      capacity: { ...s.capacity },
      allocatable: { ...s.capacity },
      conditions: nodeConditions(nowMs),
      addresses: [{ type: 'InternalIP', address: nodeInternalIP(s.index) }, { type: 'Hostname', address: s.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        osImage: 'Skiff simulated node (kwok-style)',
        kernelVersion: 'simulated',
        containerRuntimeVersion: 'sim://1.0.0',
        // The server's own version: a kubelet newer than its API server is a skew upstream does not support.
        kubeletVersion: version().gitVersion,
        kubeProxyVersion: version().gitVersion,
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
      phase: 'Running',
    },
  };
  return node;
}

export function buildLease(nodeName: string, nowMs: number, nodeUid?: string): Lease {
  const lease: Lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: nodeName, namespace: nodeLeaseNamespace },
    spec: { holderIdentity: nodeName, leaseDurationSeconds, renewTime: microTime(nowMs) },
  };
  // As the kubelet does: the Lease is owned by its Node, so deleting the node collects the lease.
  if (nodeUid) lease.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }];
  return lease;
}

export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Whether the pod already shows what runningStatus would write (so no write is needed). */
export function isPodRunning(pod: Pod): boolean {
  const st = pod.status;
  if (st?.phase !== 'Running' || !st.podIP) return false;
  const ready = st.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && (st.containerStatuses?.length ?? 0) === (pod.spec?.containers?.length ?? 0);
}

/** The status a kubelet reports once every container of the pod has started. */
export function runningStatus(pod: Pod, podIP: string, hostIP: string, nowMs: number): PodStatus {
  const t = rfc3339(nowMs);
  const prior = pod.status ?? {};
  const startTime = prior.startTime ?? t;
  const cond = (type: string): PodCondition => {
    const old = prior.conditions?.find((c) => c.type === type);
    return { type, status: 'True', lastTransitionTime: old?.status === 'True' && old.lastTransitionTime ? old.lastTransitionTime : t };
  };
  const uid = pod.metadata?.uid ?? '';
  const containerID = (name: string) => `sim://${uid}/${name}`;
  const imageID = (image: string) => `sim://image/${image}`;
  const status: PodStatus = {
    ...prior,
    phase: 'Running',
    conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime,
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: imageID(c.image ?? ''),
      containerID: containerID(c.name),
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: startTime } },
      lastState: {},
    })),
  };
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length) {
    status.initContainerStatuses = inits.map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: imageID(c.image ?? ''),
      containerID: containerID(c.name),
      ready: true,
      started: false,
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: startTime, finishedAt: startTime, containerID: containerID(c.name) } },
      lastState: {},
    }));
  }
  return status;
}
