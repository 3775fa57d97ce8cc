// Pure helpers of the Job controller (upstream pkg/controller/job): the names it uses on pods, completion-index
// sets in their "1,3-5,7" text form, pod classification, the pod-failure backoff and the Pod it builds from a
// Job's template. Nothing here talks to the API.
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { ownerReferenceTo } from './controller-ref.ts';

export const jobTrackingFinalizer = 'batch.kubernetes.io/job-tracking';
export const completionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';
export const completionIndexEnv = 'JOB_COMPLETION_INDEX';
/** Pod-failure backoff: 10 s, doubling per failure after the last success, at most 6 minutes (upstream's). */
export const podFailureBackoffBaseMs = 10_000;
export const podFailureBackoffMaxMs = 360_000;

export const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
export const hasTrackingFinalizer = (pod: Pod): boolean => pod.metadata?.finalizers?.includes(jobTrackingFinalizer) ?? false;
export const isPodReady = (pod: Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** A pod that failed, or (podReplacementPolicy TerminatingOrFailed) is being deleted before succeeding. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy) return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

export function conditionTrue(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

export function isJobFinished(job: Job): boolean {
  return !!(conditionTrue(job, 'Complete') || conditionTrue(job, 'Failed'));
}

/** The completion index of a pod (annotation), or undefined when absent or malformed. */
export function podIndex(pod: Pod): number | undefined {
  const raw = pod.metadata?.annotations?.[completionIndexAnnotation];
  if (raw === undefined || !/^(0|[1-9]\d*)$/.test(raw)) return undefined;
  return Number(raw);
}

/** "1,3-5,7" -> {1,3,4,5,7}. */
export function parseIndexes(text: string | undefined, limit: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a) && i < limit; i++) if (Number.isInteger(i) && i >= 0) out.add(i);
  }
  return out;
}

/** {1,3,4,5,7} -> "1,3-5,7": runs of three or more as a range, as upstream. */
export function formatIndexes(set: Set<number>): string {
  const xs = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length;) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    if (j - i >= 2) parts.push(`${xs[i]}-${xs[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(xs[k]));
    i = j + 1;
  }
  return parts.join(',');
}

/** When a pod finished: its containers' latest finishedAt, else its deletion or the given fallback. */
export function finishTime(pod: Pod, fallback: number): number {
  const times = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]
    .map((c) => Date.parse(c.state?.terminated?.finishedAt ?? ''))
    .filter((t) => Number.isFinite(t));
  if (times.length) return Math.max(...times);
  const deleted = Date.parse(pod.metadata?.deletionTimestamp ?? '');
  return Number.isFinite(deleted) ? deleted : fallback;
}

/**
 * How long until another pod may be created: failures since the last success set the delay (10 s — or baseMs —
 * doubling, capped at 6 min) counted from the latest failure. 0 = now.
 */
export function backoffRemaining(job: Job, pods: Pod[], now: number, baseMs = podFailureBackoffBaseMs): number {
  const lastSuccess = Math.max(0, ...pods.filter((p) => p.status?.phase === 'Succeeded').map((p) => finishTime(p, now)));
  const failures = pods.filter((p) => isPodFailed(p, job)).map((p) => finishTime(p, now)).filter((t) => t >= lastSuccess);
  if (failures.length === 0) return 0;
  const delay = Math.min(baseMs * 2 ** (failures.length - 1), podFailureBackoffMaxMs);
  return Math.max(0, Math.max(...failures) + delay - now);
}

function withIndexEnv(c: Container): Container {
  if (c.env?.some((e) => e.name === completionIndexEnv)) return c;
  const env = { name: completionIndexEnv, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${completionIndexAnnotation}']` } } };
  return { ...c, env: [...(c.env ?? []), env] };
}

/** The Pod the controller creates for a job (and, in Indexed mode, for one completion index). */
export function buildJobPod(job: Job, index?: number): Pod {
  const m = job.metadata ?? {};
  const tmpl = job.spec?.template ?? {};
  const spec = structuredClone(tmpl.spec ?? { containers: [] });
  const labels = { ...(tmpl.metadata?.labels ?? {}) };
  const annotations = { ...(tmpl.metadata?.annotations ?? {}) };
  let generateName = `${m.name}-`;
  if (index !== undefined) {
    generateName = `${m.name}-${index}-`;
    annotations[completionIndexAnnotation] = String(index);
    labels[completionIndexAnnotation] = String(index);
    spec.hostname ??= `${m.name}-${index}`;
    spec.containers = spec.containers.map(withIndexEnv);
    if (spec.initContainers) spec.initContainers = spec.initContainers.map(withIndexEnv);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace: m.namespace,
      labels,
      annotations,
      ownerReferences: [ownerReferenceTo({ ...job, metadata: m }, 'batch/v1', 'Job')],
      finalizers: [...(tmpl.metadata?.finalizers ?? []), jobTrackingFinalizer],
    },
    spec,
  };
}
