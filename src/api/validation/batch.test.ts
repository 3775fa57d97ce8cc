import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../object.ts';
import { fieldErrorText } from '../errors.ts';
import { defaultCronJob, defaultJob } from '../defaults/batch.ts';
import { jobs } from '../resources/job.ts';
import { cronJobValidator, jobValidator } from './batch.ts';

const texts = (errs: ReturnType<typeof jobValidator.create>): string[] => errs.map(fieldErrorText);

function newJob(spec: Record<string, unknown> = {}, restartPolicy: string | undefined = 'Never'): KubeObject {
  const obj = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'uid-1' },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'perl' }], ...(restartPolicy ? { restartPolicy } : {}) } }, ...spec } } as KubeObject;
  defaultJob(obj);
  jobs.strategy.prepareForCreate(obj);
  return obj;
}

test('job defaults and the generated selector', () => {
  const job = newJob() as unknown as Job;
  const s = job.spec!;
  assert.deepEqual([s.completions, s.parallelism, s.backoffLimit, s.completionMode, s.suspend, s.manualSelector, s.podReplacementPolicy],
    [1, 1, 6, 'NonIndexed', false, false, 'TerminatingOrFailed']);
  assert.deepEqual(s.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
  assert.deepEqual(s.template.metadata?.labels, {
    'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'uid-1', 'batch.kubernetes.io/controller-uid': 'uid-1',
  });
  assert.deepEqual(job.metadata?.labels, s.template.metadata?.labels);
  assert.deepEqual(job.status, {});
  assert.deepEqual(jobValidator.create(job as unknown as KubeObject), []);
  const p = newJob({ parallelism: 3 }).spec as Job['spec'];
  assert.equal(p?.completions, undefined, 'parallelism alone leaves completions unset (work queue)');
});

test('job validation as upstream words it', () => {
  assert.deepEqual(texts(jobValidator.create(newJob({}, 'Always'))), ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  assert.ok(texts(jobValidator.create(newJob({ completionMode: 'Indexed', completions: null, parallelism: 2 }))).includes('spec.completions: Required value: when completion mode is Indexed'));
  assert.ok(texts(jobValidator.create(newJob({ backoffLimit: -1 }))).includes('spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0'));
  const wrong = newJob({ selector: { matchLabels: { app: 'x' } } });
  assert.ok(texts(jobValidator.create(wrong)).some((t) => t.includes('`selector` not auto-generated')));
  const old = newJob();
  const changed = structuredClone(old) as unknown as Job;
  changed.spec!.completions = 4;
  assert.ok(texts(jobValidator.update(changed as unknown as KubeObject, old)).includes('spec.completions: Invalid value: 4: field is immutable'));
});

function newCronJob(spec: Record<string, unknown>, name = 'tick'): KubeObject {
  const obj = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: 'default' },
    spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'OnFailure' } } } }, ...spec } } as KubeObject;
  defaultCronJob(obj);
  return obj;
}

test('cronjob defaults and validation', () => {
  const cj = newCronJob({ schedule: '@hourly' }) as unknown as CronJob;
  assert.deepEqual([cj.spec?.concurrencyPolicy, cj.spec?.suspend, cj.spec?.successfulJobsHistoryLimit, cj.spec?.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  assert.equal(cj.spec?.jobTemplate.spec?.completions, undefined, 'the template is not a Job: no job defaults');
  assert.deepEqual(cronJobValidator.create(cj as unknown as KubeObject), []);
  const t = (spec: Record<string, unknown>, name?: string) => texts(cronJobValidator.create(newCronJob(spec, name)));
  assert.deepEqual(t({ schedule: '* * *' }), ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]']);
  assert.deepEqual(t({ schedule: 'CRON_TZ=UTC 0 * * * *' }), ['spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  assert.deepEqual(t({ schedule: '0 * * * *', timeZone: 'Mars/Olympus' }), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  assert.deepEqual(t({ schedule: '0 * * * *', concurrencyPolicy: 'Sometimes' }), ['spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"']);
  assert.deepEqual(t({ schedule: '0 * * * *' }, 'x'.repeat(53)), [`metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`]);
});
