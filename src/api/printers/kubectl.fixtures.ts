// Objects served to real kubectl by kubectl.test.ts, with timestamps relative to one fixed `now` so the
// AGE cells are deterministic within a run.
import type { KubeObject } from '../object.ts';

export const now = new Date();
const ago = (ms: number): string => new Date(Math.floor((now.getTime() - ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const MIN = 60_000;

export const objects: Record<string, KubeObject[]> = {
  pods: [
    {
      metadata: { name: 'nginx-7854ff8877-abcde', namespace: 'default', labels: { app: 'nginx', 'pod-template-hash': '7854ff8877' }, creationTimestamp: ago(5 * MIN) },
      spec: { nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx' }] },
      status: {
        phase: 'Running', podIP: '10.42.0.5', conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'nginx', image: 'nginx', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: ago(4 * MIN) } } }],
      },
    },
    {
      metadata: { name: 'crash', namespace: 'default', creationTimestamp: ago(10 * MIN) },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox' }] },
      status: {
        phase: 'Running', podIP: '10.42.0.6',
        containerStatuses: [{
          name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MIN) } },
        }],
      },
    },
    {
      metadata: { name: 'init', namespace: 'default', creationTimestamp: ago(3 * MIN + 2000) },
      spec: { initContainers: [{ name: 'i', image: 'busybox' }], containers: [{ name: 'c', image: 'busybox' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'i', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { running: {} } }] },
    },
  ],
  nodes: [{
    metadata: { name: 'node-1', labels: { 'node-role.kubernetes.io/control-plane': 'true' }, creationTimestamp: ago(49 * 60 * MIN) },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.0.2' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'containerd://1.6.20' },
    },
  }],
  services: [
    { metadata: { name: 'kubernetes', namespace: 'default', creationTimestamp: ago(49 * 60 * MIN) }, spec: { type: 'ClusterIP', clusterIP: '10.43.0.1', clusterIPs: ['10.43.0.1'], ports: [{ port: 443, protocol: 'TCP' }] } },
    { metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(2 * MIN) }, spec: { type: 'LoadBalancer', clusterIP: '10.43.7.7', clusterIPs: ['10.43.7.7'], selector: { app: 'nginx' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } },
  ],
  deployments: [{
    metadata: { name: 'nginx', namespace: 'default', creationTimestamp: ago(5 * MIN) },
    spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
    status: { replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1 },
  }],
  replicasets: [{
    metadata: { name: 'nginx-7854ff8877', namespace: 'default', creationTimestamp: ago(5 * MIN) },
    spec: { replicas: 3, selector: { matchLabels: { app: 'nginx', 'pod-template-hash': '7854ff8877' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
    status: { replicas: 3, readyReplicas: 1 },
  }],
  endpoints: [{
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(2 * MIN) },
    subsets: [{ addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }, { ip: '10.42.0.7' }, { ip: '10.42.0.8' }], ports: [{ port: 80, protocol: 'TCP' }] }],
  }],
  endpointslices: [{
    metadata: { name: 'web-x7k2p', namespace: 'default', creationTimestamp: ago(2 * MIN) }, addressType: 'IPv4',
    ports: [{ name: '', port: 80, protocol: 'TCP' }], endpoints: [{ addresses: ['10.42.0.5'] }, { addresses: ['10.42.0.6'] }],
  }],
  leases: [{ metadata: { name: 'node-1', namespace: 'default', creationTimestamp: ago(49 * 60 * MIN) }, spec: { holderIdentity: 'node-1' } }],
  configmaps: [{ metadata: { name: 'kube-root-ca.crt', namespace: 'default', creationTimestamp: ago(49 * 60 * MIN) }, data: { 'ca.crt': 'x' } }],
  secrets: [{ metadata: { name: 's1', namespace: 'default', creationTimestamp: ago(30_000) }, type: 'Opaque', data: { a: 'eA==', b: 'eQ==' } }],
  serviceaccounts: [{ metadata: { name: 'default', namespace: 'default', creationTimestamp: ago(49 * 60 * MIN) } }],
  namespaces: [
    { metadata: { name: 'default', creationTimestamp: ago(49 * 60 * MIN) }, status: { phase: 'Active' } },
    { metadata: { name: 'old', creationTimestamp: ago(400 * 24 * 60 * MIN) }, status: { phase: 'Terminating' } },
  ],
  events: [{
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'crash.17c1', namespace: 'default', creationTimestamp: ago(10 * MIN) },
    involvedObject: { kind: 'Pod', name: 'crash', namespace: 'default', fieldPath: 'spec.containers{c}' },
    reason: 'BackOff', type: 'Warning', message: 'Back-off restarting failed container c in pod crash_default(u1)',
    source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ago(9 * MIN), lastTimestamp: ago(30_000), count: 12,
  }],
};
