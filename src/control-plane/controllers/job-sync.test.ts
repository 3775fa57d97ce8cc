// The Job controller's pure parts: index sets, the pod-failure backoff, accounting through the tracking finalizer,
// and the per-sync plan (parallelism, Indexed, suspension, interim and terminal conditions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { flushCounted, ledgerOf, recordFinished } from './job-accounting.ts';
import { planJob } from './job-sync.ts';
import { backoffRemaining, buildJobPod, formatIndexes, jobTrackingFinalizer, parseIndexes } from './job-util.ts';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function job(spec: Partial<NonNullable<Job['spec']>> = {}, status: Job['status'] = {}): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default', uid: 'job-uid' },
    spec: { parallelism: 2, completions: 5, backoffLimit: 6, completionMode: 'NonIndexed', podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } }, ...spec },
    status,
  };
}

let n = 0;
function pod(phase: string, extra: { index?: number; finishedAt?: number; deleting?: boolean; finalizer?: boolean } = {}): Pod {
  n++;
  const annotations: Record<string, string> = extra.index === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': String(extra.index) };
  return {
    metadata: { name: `p${n}`, uid: `u${n}`, annotations, finalizers: extra.finalizer === false ? [] : [jobTrackingFinalizer],
      ...(extra.deleting ? { deletionTimestamp: iso(t0) } : {}) },
    status: { phase, ...(extra.finishedAt !== undefined ? { containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: iso(extra.finishedAt) } } }] } : {}) },
  };
}

test('index sets in the "1,3-5,7" form', () => {
  assert.equal(formatIndexes(new Set([7, 1, 3, 4, 5])), '1,3-5,7');
  assert.equal(formatIndexes(new Set([0, 1])), '0,1');
  assert.deepEqual([...parseIndexes('1,3-5,7', 6)].sort(), [1, 3, 4, 5]);
});

test('pod-failure backoff: 10 s doubling per failure since the last success, capped at 6 min', () => {
  const j = job();
  assert.equal(backoffRemaining(j, [], t0), 0);
  assert.equal(backoffRemaining(j, [pod('Failed', { finishedAt: t0 })], t0 + 4_000), 6_000);
  assert.equal(backoffRemaining(j, [pod('Failed', { finishedAt: t0 - 1000 }), pod('Failed', { finishedAt: t0 })], t0), 20_000);
  const many = Array.from({ length: 9 }, () => pod('Failed', { finishedAt: t0 }));
  assert.equal(backoffRemaining(j, many, t0), 360_000);
  assert.equal(backoffRemaining(j, [pod('Failed', { finishedAt: t0 - 5000 }), pod('Succeeded', { finishedAt: t0 })], t0), 0, 'a success resets it');
  // a controller told to start lower (tests) doubles from there, under the same cap
  assert.equal(backoffRemaining(j, [pod('Failed', { finishedAt: t0 - 1000 }), pod('Failed', { finishedAt: t0 })], t0 + 500, 1000), 1_500);
  assert.equal(backoffRemaining(j, many, t0, 1000), 256_000);
});

test('accounting: recorded as uncounted first, counted once the finalizer is gone', () => {
  const j = job();
  const ok = pod('Succeeded');
  const bad = pod('Failed');
  const deleting = pod('Running', { deleting: true });
  const ledger = ledgerOf(j);
  const { release, recorded } = recordFinished(j, ledger, [ok, bad, deleting, pod('Running')], false);
  assert.ok(recorded);
  assert.deepEqual(release.map((p) => p.metadata?.name), [ok, bad, deleting].map((p) => p.metadata?.name));
  assert.deepEqual([ledger.succeeded, ledger.uncountedSucceeded.size, ledger.failed, ledger.uncountedFailed.size], [0, 1, 0, 2]);
  const strip = (p: Pod): Pod => ({ ...p, metadata: { ...p.metadata, finalizers: [] } });
  assert.ok(flushCounted(ledger, [strip(ok), bad]), 'ok lost its finalizer, deleting is gone');
  assert.deepEqual([ledger.succeeded, ledger.failed, ledger.uncountedFailed.size], [1, 1, 1]);
});

test('plan: parallelism bounds creations; completions reached gives SuccessCriteriaMet then Complete', () => {
  const j = job();
  const first = planJob(j, [], ledgerOf(j), t0);
  assert.equal(first.create, 2);
  assert.equal(first.status.startTime, iso(t0));
  const running = planJob(j, [pod('Running'), pod('Running')], ledgerOf(j), t0);
  assert.equal(running.create, 0);
  const tail = job({}, { succeeded: 4, startTime: iso(t0) });
  assert.equal(planJob(tail, [], ledgerOf(tail), t0).create, 1, 'only what is left to complete');
  const done = job({}, { succeeded: 5, startTime: iso(t0) });
  const plan = planJob(done, [], ledgerOf(done), t0 + 1000);
  assert.deepEqual(plan.status.conditions?.map((c) => `${c.type}/${c.reason}`), ['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached']);
  assert.equal(plan.status.completionTime, iso(t0 + 1000));
  assert.ok(plan.events.some((e) => e.reason === 'Completed'));
});

test('plan: past backoffLimit the job fails only once its pods are gone', () => {
  const j = job({ backoffLimit: 1 }, { failed: 2, startTime: iso(t0) });
  const still = planJob(j, [pod('Running')], ledgerOf(j), t0);
  assert.deepEqual(still.status.conditions?.map((c) => c.type), ['FailureTarget']);
  assert.equal(still.delete.length, 1);
  const gone = planJob(j, [], ledgerOf(j), t0);
  assert.deepEqual(gone.status.conditions?.map((c) => `${c.type}/${c.reason}`), ['FailureTarget/BackoffLimitExceeded', 'Failed/BackoffLimitExceeded']);
  assert.ok(gone.events.some((e) => e.type === 'Warning' && e.reason === 'BackoffLimitExceeded'));
});

test('plan: the backoff holds creations back and says when to look again', () => {
  const j = job({ completions: 1, parallelism: 1 }, { failed: 1, startTime: iso(t0) });
  const plan = planJob(j, [pod('Failed', { finishedAt: t0, finalizer: false })], ledgerOf(j), t0 + 3000);
  assert.equal(plan.create, 0);
  assert.equal(plan.requeueAfter, 7000);
});

test('plan: Indexed creates the lowest missing indexes; suspension deletes running pods', () => {
  const j = job({ completionMode: 'Indexed', completions: 4, parallelism: 2 }, { completedIndexes: '0', succeeded: 1, startTime: iso(t0) });
  assert.deepEqual(planJob(j, [pod('Running', { index: 2 })], ledgerOf(j), t0).create, [1]);
  const s = job({ suspend: true }, { startTime: iso(t0) });
  const plan = planJob(s, [pod('Running'), pod('Running')], ledgerOf(s), t0);
  assert.equal(plan.delete.length, 2);
  assert.equal(plan.status.startTime, undefined);
  assert.deepEqual(plan.status.conditions?.map((c) => `${c.type}/${c.reason}`), ['Suspended/JobSuspended']);
});

test('the pod of an index: generateName, annotation, label, hostname, env and the tracking finalizer', () => {
  const p = buildJobPod(job({ completionMode: 'Indexed' }), 3);
  assert.equal(p.metadata?.generateName, 'j-3-');
  assert.equal(p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], '3');
  assert.equal(p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], '3');
  assert.equal(p.spec?.hostname, 'j-3');
  assert.deepEqual(p.metadata?.finalizers, [jobTrackingFinalizer]);
  assert.equal(p.spec?.containers[0].env?.[0].name, 'JOB_COMPLETION_INDEX');
  assert.deepEqual(p.metadata?.ownerReferences?.[0], { apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'job-uid', controller: true, blockOwnerDeletion: true });
});

test('plan: under restartPolicy OnFailure container restarts count toward backoffLimit', () => {
  const j = job({ backoffLimit: 2, completions: 1, parallelism: 1, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'i' }] } } }, { startTime: iso(t0) });
  const restarting = (count: number): Pod => ({ ...pod('Running'), status: { phase: 'Running', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: true, restartCount: count }] } });
  assert.equal(planJob(j, [restarting(1)], ledgerOf(j), t0).status.conditions, undefined);
  assert.deepEqual(planJob(j, [restarting(2)], ledgerOf(j), t0).status.conditions?.map((c) => `${c.type}/${c.reason}`), ['FailureTarget/BackoffLimitExceeded']);
});
