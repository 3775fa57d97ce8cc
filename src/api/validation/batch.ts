// batch/v1 Job and CronJob validation (upstream pkg/apis/batch/validation): counts non-negative, a selector that
// matches the template (generated from the uid unless manualSelector), pods that restart OnFailure or Never,
// Indexed mode needing completions; on update an immutable selector, completions, completionMode and — unless the
// job is suspended — template. CronJobs: a standard cron schedule, an IANA timeZone (not TZ= in the schedule), a
// known concurrencyPolicy and a name short enough for the 11-character suffix of the Jobs it creates.
import type { CronJob, Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import { labelSelectorFromObject } from '../labels.ts';
import type { KubeObject } from '../object.ts';
import type { Validator } from '../strategy.ts';
import { parseCronSchedule, scheduleHasTimeZone, timeZoneError } from '../cron.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { validateAnnotations, validateImmutable, validateLabels, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';
import { validatePodSpec } from './podspec.ts';
import { validateLabelSelector } from './apps.ts';

export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const legacyControllerUidLabel = 'controller-uid';
export const jobNameLabel = 'batch.kubernetes.io/job-name';
export const legacyJobNameLabel = 'job-name';
/** A CronJob's Jobs are named `<cronjob>-<minutes since epoch>`: 52 + 11 fits a 63-character label value. */
const maxCronJobNameLength = 52;

function validateJobTemplate(t: PodTemplateSpec | undefined, selector: LabelSelector | undefined, path: string): FieldError[] {
  if (!t) return [fieldErrors.required(path)];
  const errs: FieldError[] = [];
  if (selector && (Object.keys(selector.matchLabels ?? {}).length || selector.matchExpressions?.length)) {
    try {
      if (!labelSelectorFromObject(selector).matches(t.metadata?.labels)) {
        errs.push(fieldErrors.invalid(`${path}.metadata.labels`, t.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
      }
    } catch {
      // reported by validateLabelSelector
    }
  }
  errs.push(...validateLabels(t.metadata?.labels, `${path}.metadata.labels`));
  errs.push(...validateAnnotations(t.metadata?.annotations, `${path}.metadata.annotations`));
  errs.push(...validatePodSpec(t.spec, `${path}.spec`));
  const rp = t.spec?.restartPolicy;
  if (rp && rp !== 'OnFailure' && rp !== 'Never') errs.push(fieldErrors.notSupported(`${path}.spec.restartPolicy`, rp ?? '', ['OnFailure', 'Never']));
  return errs;
}

/** ValidateJobSpec; a CronJob's template may leave the selector to the Job it becomes. */
export function validateJobSpec(spec: JobSpec | undefined, path: string, isTemplate: boolean): FieldError[] {
  const s = spec ?? ({} as JobSpec);
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(s.parallelism, `${path}.parallelism`));
  errs.push(...validateNonnegative(s.completions, `${path}.completions`));
  errs.push(...validateNonnegative(s.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`));
  errs.push(...validateNonnegative(s.backoffLimit, `${path}.backoffLimit`));
  errs.push(...validateNonnegative(s.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`));
  if (s.selector) errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  else if (!isTemplate) errs.push(fieldErrors.required(`${path}.selector`));
  const mode = s.completionMode;
  if (mode != null && mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(fieldErrors.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed') {
    if (s.completions == null) errs.push(fieldErrors.required(`${path}.completions`, 'when completion mode is Indexed'));
    if ((s.parallelism ?? 0) > 100_000) errs.push(fieldErrors.invalid(`${path}.parallelism`, s.parallelism, 'must be less than or equal to 100000 when completion mode is Indexed'));
  }
  const rpp = s.podReplacementPolicy;
  if (rpp != null && rpp !== 'TerminatingOrFailed' && rpp !== 'Failed') errs.push(fieldErrors.notSupported(`${path}.podReplacementPolicy`, rpp, ['Failed', 'TerminatingOrFailed']));
  errs.push(...validateJobTemplate(s.template, s.selector, `${path}.template`));
  return errs;
}

/** Without manualSelector the selector and the template's labels are the generated ones (validateGeneratedSelector). */
function validateGeneratedSelector(job: Job): FieldError[] {
  const spec = job.spec;
  if (!spec || spec.manualSelector) return [];
  const uid = job.metadata?.uid ?? '';
  const labels = spec.template?.metadata?.labels ?? {};
  const errs: FieldError[] = [];
  const want: [string, string][] = [
    [legacyControllerUidLabel, uid], [controllerUidLabel, uid], [legacyJobNameLabel, job.metadata?.name ?? ''], [jobNameLabel, job.metadata?.name ?? ''],
  ];
  for (const [k, v] of want) {
    if (labels[k] !== v) errs.push(fieldErrors.invalid('spec.template.metadata.labels', labels, `\`${k}\` must be '${v}'`));
  }
  const sel = spec.selector;
  const ok = sel && !sel.matchExpressions?.length && Object.keys(sel.matchLabels ?? {}).length === 1 && sel.matchLabels?.[controllerUidLabel] === uid;
  if (!ok) errs.push(fieldErrors.invalid('spec.selector', sel ?? null, '`selector` not auto-generated'));
  return errs;
}

function validateJob(obj: KubeObject): FieldError[] {
  const job = obj as unknown as Job;
  const errs = validateObjectMeta(job.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateGeneratedSelector(job));
  errs.push(...validateJobSpec(job.spec, 'spec', false));
  return errs;
}

function validateJobUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = (obj as unknown as Job).spec ?? ({} as JobSpec);
  const prev = (old as unknown as Job).spec ?? ({} as JobSpec);
  const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateJobSpec(spec, 'spec', false)];
  errs.push(...validateImmutable(spec.selector, prev.selector, 'spec.selector'));
  errs.push(...validateImmutable(spec.completionMode, prev.completionMode, 'spec.completionMode'));
  errs.push(...validateImmutable(spec.podFailurePolicy, prev.podFailurePolicy, 'spec.podFailurePolicy'));
  errs.push(...validateImmutable(spec.manualSelector, prev.manualSelector, 'spec.manualSelector'));
  // Indexed jobs are elastic when completions follows parallelism; otherwise completions is fixed.
  const elastic = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && prev.completions === prev.parallelism;
  if (!elastic) errs.push(...validateImmutable(spec.completions, prev.completions, 'spec.completions'));
  // The template may change only while the job is suspended (and has not started pods).
  if (!(prev.suspend && spec.suspend) && !(prev.suspend && !spec.suspend && !(old.status as { startTime?: string } | undefined)?.startTime)) {
    errs.push(...validateImmutable(spec.template, prev.template, 'spec.template'));
  }
  return errs;
}

function validateJobStatus(obj: KubeObject, old: KubeObject): FieldError[] {
  const st = (obj as unknown as Job).status ?? {};
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating'] as const) errs.push(...validateNonnegative(st[f], `status.${f}`));
  return errs;
}

export const jobValidator: Validator = {
  create: validateJob,
  update: validateJobUpdate,
  updateStatus: validateJobStatus,
};

function validateCronJobSpec(cj: CronJob): FieldError[] {
  const spec = cj.spec ?? ({} as CronJob['spec'] & object);
  const errs: FieldError[] = [];
  if (!spec.schedule) {
    errs.push(fieldErrors.required('spec.schedule'));
  } else if (scheduleHasTimeZone(spec.schedule)) {
    errs.push(fieldErrors.invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  } else {
    try {
      parseCronSchedule(spec.schedule, 'UTC');
    } catch (err) {
      errs.push(fieldErrors.invalid('spec.schedule', spec.schedule, (err as Error).message));
    }
  }
  if (spec.timeZone != null) {
    const msg = spec.timeZone === '' ? 'timeZone must be nil or non-empty string' : timeZoneError(spec.timeZone);
    if (msg) errs.push(fieldErrors.invalid('spec.timeZone', spec.timeZone, msg));
  }
  errs.push(...validateNonnegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  const cp = spec.concurrencyPolicy;
  if (!cp) errs.push(fieldErrors.required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(fieldErrors.notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  errs.push(...validateNonnegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...validateNonnegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const jt = spec.jobTemplate;
  errs.push(...validateLabels(jt?.metadata?.labels, 'spec.jobTemplate.metadata.labels'));
  errs.push(...validateAnnotations(jt?.metadata?.annotations, 'spec.jobTemplate.metadata.annotations'));
  errs.push(...validateJobSpec(jt?.spec, 'spec.jobTemplate.spec', true));
  return errs;
}

function validateCronJob(obj: KubeObject): FieldError[] {
  const cj = obj as unknown as CronJob;
  const errs = validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain);
  const name = cj.metadata?.name ?? '';
  if (name.length > maxCronJobNameLength) errs.push(fieldErrors.invalid('metadata.name', name, `must be no more than ${maxCronJobNameLength} characters`));
  errs.push(...validateCronJobSpec(cj));
  return errs;
}

export const cronJobValidator: Validator = {
  create: validateCronJob,
  update: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateCronJobSpec(obj as unknown as CronJob)],
  updateStatus: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
};
