// A mirror pod for a component a Skiff process runs on a node (pure): what upstream's kubelet makes of a static
// pod, so `kubectl get pods -n kube-system` shows the architecture with true READY, STATUS, RESTARTS and AGE.
// mirrorPod() is the object to create (annotations kubernetes.io/config.{mirror,hash,source}, owned by its Node,
// system-node-critical, host network, bound to the node, tolerating NoExecute taints as the kubelet's static pods
// do); mirrorPodStatus() is its status from the supervisor's state (hosted-component.ts). config.hash covers the
// object, not the status: a changed hash means the pod is re-created, as the kubelet re-creates a mirror pod
// whose static pod changed.
import { createHash } from 'node:crypto';
import type { ContainerState, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { HostedComponentState } from './hosted-component.ts';
import { hashAnnotation, mirrorAnnotation, sourceAnnotation } from '../api/mirror-pod.ts';

export { isMirrorPod, mirrorAnnotation, sourceAnnotation } from '../api/mirror-pod.ts';
/** Where the component runs in Skiff's process tree (a worker thread, a child process, the API server's own). */
export const hostedInAnnotation = 'skiff.io/hosted-in';

export const mirrorNamespace = 'kube-system';

/** What a component shows as: its pod name prefix, its one container, labels and a description of how it runs. */
export interface MirrorComponent {
  /** kube-scheduler: the pod is kube-scheduler-<node> */
  name: string;
  container: string;
  labels: Record<string, string>;
  /** Not pulled by anyone (no kubelet runs it): says what runs, e.g. skiff/kube-scheduler:v1.32.0 */
  image: string;
  command: string[];
  /** Where it runs: "worker thread of skiff server", "the kube-apiserver process (embedded)" */
  hostedIn: string;
}

export interface MirrorNode {
  name: string;
  uid: string;
  /** The node's InternalIP: the pod's hostIP and, with the host network, its podIP. */
  address?: string;
}

export function mirrorPodName(c: Pick<MirrorComponent, 'name'>, nodeName: string): string {
  return `${c.name}-${nodeName}`;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The object (no status). */
export function mirrorPod(c: MirrorComponent, node: MirrorNode, source: string): Pod {
  const spec: Pod['spec'] = {
    nodeName: node.name,
    hostNetwork: true,
    priorityClassName: 'system-node-critical',
    priority: 2000001000,
    restartPolicy: 'Always',
    // the kubelet gives static pods this toleration, so a NotReady node's taint does not evict them
    tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
    containers: [{ name: c.container, image: c.image, imagePullPolicy: 'IfNotPresent', command: c.command }],
  };
  const hash = createHash('md5')
    .update(JSON.stringify({ name: c.name, labels: c.labels, spec, source, node: node.uid, hostedIn: c.hostedIn }))
    .digest('hex');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: mirrorPodName(c, node.name),
      namespace: mirrorNamespace,
      labels: c.labels,
      annotations: { [mirrorAnnotation]: hash, [hashAnnotation]: hash, [sourceAnnotation]: source, [hostedInAnnotation]: c.hostedIn },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
    },
    spec,
  };
}

function terminatedOf(state: HostedComponentState): ContainerState | undefined {
  const end = state.lastEnd;
  if (!end) return undefined;
  return {
    terminated: {
      exitCode: end.exitCode,
      reason: end.exitCode === 0 ? 'Completed' : 'Error',
      // the first line says what happened; a stack belongs in the log
      ...(end.error ? { message: end.error.split('\n')[0]!.slice(0, 1024) } : {}),
      startedAt: rfc3339(end.startedAt),
      finishedAt: rfc3339(end.finishedAt),
    },
  };
}

/** The status the kubelet would report for a static pod whose one container is the component. */
export function mirrorPodStatus(c: MirrorComponent, state: HostedComponentState, node: MirrorNode): PodStatus {
  const podName = mirrorPodName(c, node.name);
  const ready = state.phase === 'running';
  let current: ContainerState;
  if (state.phase === 'running' || state.phase === 'starting') current = { running: { startedAt: rfc3339(state.startedAt ?? state.since) } };
  else if (state.phase === 'backoff') {
    const seconds = Math.round((state.backoffMs ?? 0) / 1000);
    current = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${seconds}s restarting failed container=${c.container} pod=${podName}` } };
  } else current = terminatedOf(state) ?? { waiting: { reason: 'ContainerCreating' } };
  const started = state.firstStartedAt ?? state.since;
  const always = (type: string): PodCondition => ({ type, status: 'True', lastTransitionTime: rfc3339(started) });
  const readiness = (type: string): PodCondition => ({
    type,
    status: ready ? 'True' : 'False',
    lastTransitionTime: rfc3339(state.since),
    ...(ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${c.container}]` }),
  });
  const ips = node.address ? [{ ip: node.address }] : undefined;
  return {
    phase: state.firstStartedAt ? 'Running' : 'Pending',
    conditions: [always('PodReadyToStartContainers'), always('Initialized'), readiness('Ready'), readiness('ContainersReady'), always('PodScheduled')],
    ...(node.address ? { hostIP: node.address, hostIPs: ips, podIP: node.address, podIPs: ips } : {}),
    startTime: rfc3339(started),
    qosClass: 'BestEffort',
    containerStatuses: [{
      name: c.container,
      image: c.image,
      imageID: '',
      ...(state.pid !== undefined ? { containerID: `skiff://${state.pid}/${state.threadId ?? 0}` } : {}),
      ready,
      started: state.phase === 'running' || state.phase === 'starting',
      restartCount: state.restarts,
      state: current,
      lastState: terminatedOf(state) ?? {},
    }],
  };
}
