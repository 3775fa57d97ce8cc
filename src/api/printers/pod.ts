// `kubectl get pods` columns: NAME READY STATUS RESTARTS AGE | wide: IP NODE NOMINATED NODE READINESS GATES.
// STATUS/READY/RESTARTS follow upstream's printPod exactly: phase or status.reason, SchedulingGated,
// init containers ("Init:0/2", "Init:CrashLoopBackOff", "Init:ExitCode:1"), sidecars (restartable init
// containers count as containers), the last container's waiting/terminated reason, "Completed" turned back
// into Running/NotReady while a container still runs, "Terminating", and "Unknown" for NodeLost.
import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../object.ts';
import { ageColumn, col, nameColumn, wide } from './columns.ts';
import { parseTime, translateTimestampSince } from './duration.ts';
import { view } from './format.ts';
import type { RowCondition, RowPrinter } from './table.ts';

const columns = [
  nameColumn(),
  col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  col('Status', 'string', 'The aggregate status of the containers in this pod.'),
  col('Restarts', 'string',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  ageColumn(),
  wide('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
  wide('Node', 'string',
    'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the ' +
    'scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the ' +
    'lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific ' +
    'node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename'),
  wide('Nominated Node', 'string',
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away ' +
    'as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will ' +
    'be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. ' +
    'Scheduler may also decide to give the resources on this node to a higher priority pod that is created after ' +
    'preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.'),
  wide('Readiness Gates', 'string',
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ' +
    'ready AND all conditions specified in the readiness gates have status equal to "True" More info: ' +
    'https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates'),
];

/** node.NodeUnreachablePodReason: set by the node lifecycle controller on pods of an unreachable node. */
const nodeUnreachablePodReason = 'NodeLost';

function isRestartable(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function conditionTrue(conditions: PodCondition[] | undefined, type: string): boolean {
  // Upstream takes the first condition of the type.
  const c = (conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}

function hasPodReadyCondition(conditions: PodCondition[] | undefined): boolean {
  return (conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function lastTerminationMs(s: ContainerStatus): number | undefined {
  return s.lastState?.terminated ? parseTime(s.lastState.terminated.finishedAt) : undefined;
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (b === undefined) return a;
  return a === undefined || a < b ? b : a;
}

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** READY, STATUS and RESTARTS as upstream's printPod computes them. */
export function podSummary(pod: Pod, now: Date): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const initSpecs = spec?.initContainers ?? [];
  let restarts = 0;
  let sidecarRestarts = 0;
  let total = (spec?.containers ?? []).length;
  let ready = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  const phase = status.phase ?? '';
  let reason = status.reason ? status.reason : phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initByName = new Map<string, Container>();
  for (const c of initSpecs) {
    initByName.set(c.name, c);
    if (isRestartable(c)) total++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const restartable = isRestartable(initByName.get(c.name));
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, lastTerminationMs(c));
    if (restartable) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, lastTerminationMs(c));
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walked last to first so the first container's state wins, as upstream.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, lastTerminationMs(c));
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = hasPodReadyCondition(status.conditions) ? 'Running' : 'NotReady';
    }
  }

  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === nodeUnreachablePodReason) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsStr = `${restarts} (${translateTimestampSince(lastRestart, now)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsStr };
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let trueConditions = 0;
  for (const g of gates) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === g.conditionType);
    if (c?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

function podCells(obj: KubeObject, now: Date): unknown[] {
  const pod = view<Pod>(obj);
  const s = podSummary(pod, now);
  // v1 -> internal conversion fills podIPs from podIP when only the latter is set.
  const podIP = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
  return [
    pod.metadata?.name ?? '',
    s.ready,
    s.status,
    s.restarts,
    translateTimestampSince(pod.metadata?.creationTimestamp, now),
    podIP,
    pod.spec?.nodeName || '<none>',
    pod.status?.nominatedNodeName || '<none>',
    readinessGates(pod),
  ];
}

function podConditions(obj: KubeObject): RowCondition[] | undefined {
  switch (view<Pod>(obj).status?.phase) {
    case 'Succeeded':
      return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    case 'Failed':
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    default:
      return undefined;
  }
}

export const podPrinter: RowPrinter = { columns, cells: podCells, conditions: podConditions };
