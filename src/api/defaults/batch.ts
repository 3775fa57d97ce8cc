// batch/v1 defaulting (upstream pkg/apis/batch/v1/defaults.go): SetDefaults_Job and SetDefaults_CronJob, plus
// the pod-template defaults every embedded PodTemplateSpec gets. A CronJob's jobTemplate.spec is a JobSpec, not a
// Job, so upstream gives it only the pod-template defaults (completions etc. are set on the Job it creates).
import type { CronJob, Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { Defaulter } from '../strategy.ts';
import { defaultPodSpec } from './pod.ts';

const unset = (v: unknown): boolean => v === undefined || v === null;

/** An embedded ObjectMeta is a Go struct: its unset creationTimestamp is served as null. */
/** The template and its pod spec are Go structs upstream, never absent: an omitted one is defaulted like an empty one. */
function defaultTemplate(template: PodTemplateSpec): void {
  const meta = (template.metadata ??= {}) as { creationTimestamp?: string | null };
  if (meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  defaultPodSpec((template.spec ??= { containers: [] }) as PodSpec);
}

export function defaultJobSpec(spec: JobSpec): void {
  // Neither set: a non-parallel job of one pod.
  if (unset(spec.completions) && unset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (unset(spec.parallelism)) spec.parallelism = 1;
  if (unset(spec.backoffLimit)) spec.backoffLimit = unset(spec.backoffLimitPerIndex) ? 6 : 2147483647;
  if (unset(spec.completionMode)) spec.completionMode = 'NonIndexed';
  if (unset(spec.suspend)) spec.suspend = false;
  if (unset(spec.manualSelector)) spec.manualSelector = false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const p of rule.onPodConditions ?? []) if (!p.status) p.status = 'True';
  }
  if (unset(spec.podReplacementPolicy)) spec.podReplacementPolicy = spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
}

export const defaultJob: Defaulter = (obj) => {
  const job = obj as unknown as Job;
  const spec = (job.spec ??= { template: {} });
  defaultJobSpec(spec);
  // The job's own labels default to its pod template's (upstream does this only when the job has none).
  const templateLabels = spec.template?.metadata?.labels;
  const meta = (job.metadata ??= {});
  if (templateLabels && Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...templateLabels };
  defaultTemplate((spec.template ??= {}));
};

export const defaultCronJob: Defaulter = (obj) => {
  const cj = obj as unknown as CronJob;
  const spec = (cj.spec ??= { schedule: '', jobTemplate: {} });
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  if (unset(spec.suspend)) spec.suspend = false;
  if (unset(spec.successfulJobsHistoryLimit)) spec.successfulJobsHistoryLimit = 3;
  if (unset(spec.failedJobsHistoryLimit)) spec.failedJobsHistoryLimit = 1;
  const jt = (spec.jobTemplate ??= {});
  const jtMeta = (jt.metadata ??= {}) as { creationTimestamp?: string | null };
  if (jtMeta.creationTimestamp === undefined) jtMeta.creationTimestamp = null;
  defaultTemplate(((jt.spec ??= { template: {} }).template ??= {}));
};
