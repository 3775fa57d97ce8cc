// Simulated container exits, so that run-to-completion workloads (Jobs) can be exercised on simulated nodes.
// No containers exist here; instead a pod says how its containers end, by annotation:
//   sim.skiff.io/exit-code: "N"       every container exits with code N (absent: they run forever)
//   sim.skiff.io/run-seconds: "S"     ... S seconds after it started (default 0)
// What follows is what a kubelet reports: exit 0 ends the pod Succeeded (unless restartPolicy is Always); a non-zero
// exit ends it Failed under restartPolicy Never, and restarts the containers (restartCount + 1) otherwise.
// This is a test harness for controllers and placement; real exits come from the kubelet on containerd.
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from './objects.ts';

export const simExitCodeAnnotation = 'sim.skiff.io/exit-code';
export const simRunSecondsAnnotation = 'sim.skiff.io/run-seconds';

export interface SimExit {
  exitCode: number;
  runMs: number;
}

/** The exit a pod asks for, if any (a malformed annotation is ignored: the pod runs on). */
export function simExitOf(pod: Pod): SimExit | undefined {
  const a = pod.metadata?.annotations ?? {};
  const raw = a[simExitCodeAnnotation];
  if (raw === undefined || !/^-?\d+$/.test(raw.trim())) return undefined;
  const seconds = Number(a[simRunSecondsAnnotation] ?? '0');
  return { exitCode: Number(raw.trim()), runMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0 };
}

/** When the current run of the pod's containers started (the latest running.startedAt), in epoch ms. */
export function runStartedAt(pod: Pod): number | undefined {
  const times = (pod.status?.containerStatuses ?? []).map((c) => Date.parse(c.state?.running?.startedAt ?? ''));
  const valid = times.filter((t) => Number.isFinite(t));
  return valid.length ? Math.max(...valid) : undefined;
}

function terminated(c: ContainerStatus, exitCode: number, startedAt: string, finishedAt: string): ContainerStatus {
  const reason = exitCode === 0 ? 'Completed' : 'Error';
  return { ...c, ready: false, started: false, state: { terminated: { exitCode, reason, startedAt, finishedAt, containerID: c.containerID } } };
}

/** The status after the containers exited with exitCode at nowMs. */
export function exitedStatus(pod: Pod, exitCode: number, nowMs: number): PodStatus {
  const prior = pod.status ?? {};
  const now = rfc3339(nowMs);
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  const restart = restartPolicy === 'Always' || (exitCode !== 0 && restartPolicy === 'OnFailure');
  const statuses = prior.containerStatuses ?? [];
  if (restart) {
    return {
      ...prior,
      containerStatuses: statuses.map((c) => ({
        ...c,
        restartCount: (c.restartCount ?? 0) + 1,
        lastState: { terminated: terminated(c, exitCode, c.state?.running?.startedAt ?? now, now).state!.terminated },
        state: { running: { startedAt: now } },
      })),
    };
  }
  const notReady = (type: string): boolean => type === 'Ready' || type === 'ContainersReady';
  return {
    ...prior,
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: (prior.conditions ?? []).map((c) =>
      notReady(c.type) ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: now } : c),
    containerStatuses: statuses.map((c) => terminated(c, exitCode, c.state?.running?.startedAt ?? now, now)),
  };
}
