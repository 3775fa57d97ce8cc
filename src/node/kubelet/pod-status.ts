// PodStatus as upstream's kubelet shapes it (generateAPIPodStatus / getPhase): phase from the containers' states
// and restartPolicy; the kubelet-owned conditions PodReadyToStartContainers, Initialized, Ready, ContainersReady in
// that order, followed by conditions others own (PodScheduled); podIP(s), hostIP(s), startTime; and per container
// state waiting/running/terminated with lastState, ready, started, restartCount, image, imageID, containerID. A
// condition keeps its lastTransitionTime while its status is unchanged. Pure: the runtime view comes in.
import type { Container, ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { formatTime } from '../../client/index.ts';
import type { ContainerStatus } from '../cri/types.ts';
import { restartCountAnnotation } from './runtime-config.ts';

export interface SandboxView {
  id: string;
  ready: boolean;
  ip: string;
}

export interface PodRuntime {
  sandbox?: SandboxView;
  /** Per container name, its CRI statuses in the current sandbox, newest attempt first. */
  containers: Map<string, ContainerStatus[]>;
}

export interface Waiting {
  reason: string;
  message?: string;
}

export interface StatusInputs {
  pod: Pod;
  runtime: PodRuntime;
  /** Why a container is not running (ErrImagePull, CrashLoopBackOff, CreateContainerConfigError …), by name. */
  waiting: ReadonlyMap<string, Waiting>;
  /** Readiness by container name (probe results); a running container without a readiness probe is ready. */
  readiness?: ReadonlyMap<string, boolean>;
  /** Startup probe results by container name; a running container without a startup probe has started. */
  started?: ReadonlyMap<string, boolean>;
  hostIP: string;
  runtimeName: string;
  now: number;
  /** The kubelet has stopped every container for good (the pod is being deleted): the phase becomes terminal. */
  terminal?: boolean;
}

const nsToTime = (ns: number): string => formatTime(Math.floor(ns / 1e6));

function terminated(s: ContainerStatus, runtimeName: string): ContainerState {
  return {
    terminated: {
      exitCode: s.exitCode,
      reason: s.reason || (s.exitCode === 0 ? 'Completed' : 'Error'),
      ...(s.message ? { message: s.message } : {}),
      startedAt: s.startedAt ? nsToTime(s.startedAt) : undefined,
      finishedAt: s.finishedAt ? nsToTime(s.finishedAt) : undefined,
      containerID: `${runtimeName}://${s.id}`,
    },
  };
}

export function restartCountOf(s: ContainerStatus | undefined): number {
  if (!s) return 0;
  const n = Number(s.annotations?.[restartCountAnnotation]);
  return Number.isFinite(n) ? n : s.metadata.attempt;
}

function containerStatus(c: Container, i: StatusInputs): ApiContainerStatus {
  const history = i.runtime.containers.get(c.name) ?? [];
  const [latest, previous] = history;
  const waiting = i.waiting.get(c.name);
  const base = { name: c.name, image: c.image ?? '', imageID: '', restartCount: restartCountOf(latest), ready: false, started: false };
  if (!latest) {
    return { ...base, state: { waiting: { reason: waiting?.reason ?? 'ContainerCreating', ...(waiting?.message ? { message: waiting.message } : {}) } }, lastState: {} };
  }
  const ids = { image: latest.image?.image || c.image || '', imageID: latest.imageRef, containerID: `${i.runtimeName}://${latest.id}` };
  if (latest.state === 'CONTAINER_RUNNING') {
    const started = i.started?.get(c.name) ?? true;
    const ready = started && (i.readiness?.get(c.name) ?? true);
    return {
      ...base, ...ids, ready, started,
      state: { running: { startedAt: nsToTime(latest.startedAt) } },
      lastState: previous ? terminated(previous, i.runtimeName) : {},
    };
  }
  if (latest.state === 'CONTAINER_EXITED') {
    if (waiting) {
      // waiting to restart (CrashLoopBackOff): the exit just seen becomes lastState
      return { ...base, ...ids, state: { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } }, lastState: terminated(latest, i.runtimeName) };
    }
    return { ...base, ...ids, state: terminated(latest, i.runtimeName), lastState: previous ? terminated(previous, i.runtimeName) : {} };
  }
  return { ...base, ...ids, state: { waiting: { reason: waiting?.reason ?? 'ContainerCreating' } }, lastState: previous ? terminated(previous, i.runtimeName) : {} };
}

/** upstream getPhase for the regular containers (init containers done). */
function phaseOf(pod: Pod, statuses: ApiContainerStatus[], initDone: boolean, initFailed: boolean, podIsTerminal: boolean): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (initFailed) return 'Failed';
  if (!initDone) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        stopped++;
        if (s.lastState.terminated.exitCode === 0) succeeded++;
      } else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    // a pod whose containers the kubelet stopped for good ends Succeeded or Failed whatever its restartPolicy
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(old: PodStatus | undefined, type: string, status: boolean, now: string, reason?: string, message?: string): PodCondition {
  const s = status ? 'True' : 'False';
  const prior = old?.conditions?.find((c) => c.type === type);
  // upstream serialises the unset lastProbeTime as null; the generated types only know undefined
  const since = prior?.status === s && prior.lastTransitionTime ? prior.lastTransitionTime : now;
  const c: PodCondition = { type, status: s, lastProbeTime: null as unknown as undefined, lastTransitionTime: since };
  if (!status && reason) c.reason = reason;
  if (!status && message) c.message = message;
  return c;
}

const kubeletConditions = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);

export function computePodStatus(i: StatusInputs): PodStatus {
  const { pod, runtime } = i;
  const old = pod.status;
  const now = formatTime(i.now);
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const inits = (pod.spec?.initContainers ?? []).map((c) => containerStatus(c, i));
  // an init container counts as done when it exited 0; restart-on-failure keeps the pod Pending meanwhile
  const initDone = inits.every((s) => s.state?.terminated?.exitCode === 0);
  const initFailed = policy === 'Never' && inits.some((s) => (s.state?.terminated?.exitCode ?? 0) !== 0);
  for (const s of inits) if (s.state?.terminated) s.ready = s.state.terminated.exitCode === 0;
  const containers = (pod.spec?.containers ?? []).map((c) => containerStatus(c, i));
  const phase = phaseOf(pod, containers, initDone, initFailed, i.terminal === true);
  const unready = containers.filter((s) => !s.ready).map((s) => s.name);
  const incompleteInits = inits.filter((s) => s.state?.terminated?.exitCode !== 0).map((s) => s.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const allReady = unready.length === 0 && !terminal;
  const notReadyMsg = `containers with unready status: [${unready.join(' ')}]`;
  const readiness = (type: string): PodCondition => allReady
    ? condition(old, type, true, now)
    : condition(old, type, false, now, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : notReadyMsg);
  const conditions: PodCondition[] = [
    condition(old, 'PodReadyToStartContainers', runtime.sandbox?.ready === true, now),
    initDone
      ? condition(old, 'Initialized', true, now)
      : condition(old, 'Initialized', false, now, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInits.join(' ')}]`),
    readiness('Ready'),
    readiness('ContainersReady'),
    ...(old?.conditions ?? []).filter((c) => !kubeletConditions.has(c.type)),
  ];
  const ip = pod.spec?.hostNetwork ? i.hostIP : runtime.sandbox?.ip || old?.podIP;
  const status: PodStatus = {
    ...(old ?? {}),
    phase,
    conditions,
    hostIP: i.hostIP,
    hostIPs: [{ ip: i.hostIP }],
    startTime: old?.startTime ?? now,
    containerStatuses: containers,
  };
  if (ip) {
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  if (inits.length) status.initContainerStatuses = inits;
  return status;
}
