// spec.activeDeadlineSeconds (upstream's activeDeadlineHandler): a pod active on the node longer than its deadline,
// counted from status.startTime, is killed and ends Failed with reason DeadlineExceeded.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';

export const deadlineReason = 'DeadlineExceeded';
export const deadlineMessage = 'Pod was active on the node longer than the specified deadline';

/** Milliseconds left before the deadline (<= 0: exceeded), or undefined when the pod has none or has not started. */
export function activeDeadlineLeftMs(pod: Pod, now: number): number | undefined {
  const seconds = pod.spec?.activeDeadlineSeconds;
  const start = pod.status?.startTime;
  if (seconds === undefined || !start) return undefined;
  return Date.parse(start) + seconds * 1000 - now;
}

/** The status of a pod killed for its deadline: Failed, with the reason and message, containers as they ended. */
export function deadlineExceeded(status: PodStatus): PodStatus {
  return { ...status, phase: 'Failed', reason: deadlineReason, message: deadlineMessage };
}
