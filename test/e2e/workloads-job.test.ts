// Jobs end to end: a real API server, simulated nodes whose pods exit by annotation (src/sim/completion.ts), the
// scheduler and the job, ttl-after-finished and garbage-collector controllers; driven by real kubectl. Waits on
// conditions only; the pod-count bound is asserted on every event an informer delivers. The cronjob controller
// runs in a manager of its own on an injected clock, so a schedule of every minute is stepped, not waited for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock, InformerFactory, RestClient } from '../../src/client/index.ts';
import { startScheduler } from '../../src/control-plane/scheduler/index.ts';
import { startSimNodes } from '../../src/sim/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { jobsRef, podsRef } from '../../src/control-plane/controllers/refs.ts';
import { jobTrackingFinalizer } from '../../src/control-plane/controllers/job-util.ts';
import { type TestServer, startTestServer, kubectlOk } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

let s: TestServer;
let client: RestClient;
const ctl = new AbortController();
let cmDone: Promise<void>;
let cronDone: Promise<void>;
let schedDone: Promise<void>;
const cronClock = new FakeClock(Date.now());

before(async () => {
  s = await startTestServer();
  client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  await startSimNodes({ client, count: 3, signal: ctl.signal, heartbeatIntervalMs: 1000 });
  schedDone = (await startScheduler({ client, signal: ctl.signal, leaderElect: false })).done;
  const cm = await startControllerManager({
    client, signal: ctl.signal, leaderElection: false, controllers: ['job', 'ttl-after-finished', 'garbage-collector'],
  });
  cmDone = cm.done;
  cronDone = (await startControllerManager({ client, signal: ctl.signal, leaderElection: false, controllers: ['cronjob'], clock: cronClock })).done;
});

after(async () => {
  ctl.abort();
  await Promise.all([cmDone, cronDone, schedDone]);
  client.close();
  await s.stop();
});

const kubectl = (args: string[], stdin?: string): Promise<string> => kubectlOk(s, args, { stdin });

/** A Job manifest whose pods exit with `exitCode` after `seconds` on simulated nodes (no exit: they run on). */
function jobYaml(name: string, spec: Record<string, unknown>, exit?: { code: number; seconds: number }): string {
  const annotations = exit ? { 'sim.skiff.io/exit-code': String(exit.code), 'sim.skiff.io/run-seconds': String(exit.seconds) } : {};
  return JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
    spec: { ...spec, template: { metadata: { annotations }, spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] } } },
  });
}

const getJob = (name: string): Promise<Job> => client.get<Job>(jobsRef, name, { namespace: 'default' });
const condition = (job: Job, type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');

async function jobPods(name: string): Promise<Pod[]> {
  return (await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
}

async function eventReasons(name: string): Promise<string[]> {
  const list = await client.list<Event>({ group: '', version: 'v1', resource: 'events', namespaced: true } as never, { namespace: 'default', fieldSelector: `involvedObject.name=${name}` });
  return list.items.map((e) => `${e.reason}: ${e.message}`);
}

test('completions=5 parallelism=2: never more than 2 running, Complete, kubectl wait returns 0', async () => {
  const factory = new InformerFactory(client, { namespace: 'default' });
  const podInf = factory.informerFor<Pod>(podsRef, { labelSelector: 'batch.kubernetes.io/job-name=five' });
  let maxActive = 0;
  const check = (): void => {
    const active = podInf.lister.list('default').filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase ?? '') && !p.metadata?.deletionTimestamp);
    maxActive = Math.max(maxActive, active.length);
  };
  podInf.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  const watch = new AbortController();
  factory.start(watch.signal);
  await podInf.synced;
  try {
    await kubectl(['apply', '-f', '-'], jobYaml('five', { completions: 5, parallelism: 2 }, { code: 0, seconds: 1 }));
    await kubectl(['wait', '--for=condition=complete', 'job/five', '--timeout=90s']);
    const job = await getJob('five');
    assert.equal(job.status?.succeeded, 5);
    assert.equal(job.status?.active ?? 0, 0);
    assert.deepEqual(job.status?.conditions?.map((c) => `${c.type}/${c.reason}`), ['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached']);
    assert.ok(job.status?.completionTime && job.status.startTime);
    assert.deepEqual(job.status?.uncountedTerminatedPods, {});
    assert.equal(maxActive, 2, 'at most parallelism pods ran at once, and parallelism were reached');
    const pods = await jobPods('five');
    assert.equal(pods.length, 5);
    for (const p of pods) assert.ok(!p.metadata?.finalizers?.includes(jobTrackingFinalizer), 'tracking finalizer removed once counted');
    const table = await kubectl(['get', 'job', 'five']);
    assert.match(table, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/);
    assert.match(table, /five\s+Complete\s+5\/5\s+\S+\s+\S+/);
    const reasons = await waitFor('Completed event', async () => {
      const r = await eventReasons('five');
      return r.includes('Completed: Job completed') ? r : undefined;
    });
    assert.equal(reasons.filter((r) => r.startsWith('SuccessfulCreate: Created pod: five-')).length, 5);
  } finally {
    watch.abort();
  }
});

test('a failing job stops at backoffLimit with reason BackoffLimitExceeded', async () => {
  await kubectl(['apply', '-f', '-'], jobYaml('fails', { backoffLimit: 1 }, { code: 3, seconds: 0 }));
  const job = await waitFor('fails Failed', async () => {
    const j = await getJob('fails');
    return condition(j, 'Failed') ? j : undefined;
  }, 90_000);
  assert.equal(condition(job, 'Failed')?.reason, 'BackoffLimitExceeded');
  assert.equal(condition(job, 'Failed')?.message, 'Job has reached the specified backoff limit');
  assert.equal(condition(job, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
  assert.equal(job.status?.failed, 2);
  assert.equal((await jobPods('fails')).length, 2, 'no pod beyond backoffLimit + 1');
  assert.match(await kubectl(['get', 'job', 'fails']), /fails\s+Failed\s+0\/1/);
  const r = await kubectl(['wait', '--for=condition=failed', 'job/fails', '--timeout=10s']);
  assert.match(r, /condition met/);
});

test('Indexed job: one pod per index 0..n-1 with the index annotation, env and hostname; completedIndexes', async () => {
  await kubectl(['apply', '-f', '-'], jobYaml('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }, { code: 0, seconds: 0 }));
  await kubectl(['wait', '--for=condition=complete', 'job/idx', '--timeout=60s']);
  const job = await getJob('idx');
  assert.equal(job.status?.completedIndexes, '0-2');
  assert.equal(job.status?.succeeded, 3);
  const pods = await jobPods('idx');
  const indexes = pods.map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
  assert.deepEqual(indexes, ['0', '1', '2']);
  for (const p of pods) {
    const i = p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'];
    assert.equal(p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], i);
    assert.equal(p.spec?.hostname, `idx-${i}`);
    assert.ok(p.metadata?.name?.startsWith(`idx-${i}-`));
    const env = p.spec?.containers[0].env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
    assert.equal(env?.valueFrom?.fieldRef?.fieldPath, "metadata.annotations['batch.kubernetes.io/job-completion-index']");
  }
});

test('activeDeadlineSeconds: running pods are stopped and the job Fails with DeadlineExceeded', async () => {
  await kubectl(['apply', '-f', '-'], jobYaml('slow', { activeDeadlineSeconds: 2, parallelism: 2, completions: 4 }));
  const job = await waitFor('slow Failed', async () => {
    const j = await getJob('slow');
    return condition(j, 'Failed') ? j : undefined;
  }, 60_000);
  assert.equal(condition(job, 'Failed')?.reason, 'DeadlineExceeded');
  assert.equal(condition(job, 'Failed')?.message, 'Job was active longer than specified deadline');
  assert.equal(job.status?.active ?? 0, 0);
  await waitFor('slow pods gone', async () => (await jobPods('slow')).length === 0);
  await waitFor('DeadlineExceeded event', async () => (await eventReasons('slow')).includes('DeadlineExceeded: Job was active longer than specified deadline'));
});

test('ttlSecondsAfterFinished deletes the finished job and its pods', async () => {
  await kubectl(['apply', '-f', '-'], jobYaml('brief', { ttlSecondsAfterFinished: 1 }, { code: 0, seconds: 0 }));
  await waitFor('brief deleted', async () => {
    const r = await s.kubectl(['get', 'job', 'brief']);
    return r.code !== 0 && /NotFound/.test(r.stderr);
  }, 60_000);
  await waitFor('brief pods gone', async () => (await jobPods('brief')).length === 0);
});

test('CronJob: served with upstream columns; kubectl create job --from=cronjob runs it', async () => {
  await kubectl(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=0 0 1 1 *', '--', 'true']);
  const table = await kubectl(['get', 'cj', 'tick']);
  assert.match(table, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\n/);
  assert.match(table, /tick\s+0 0 1 1 \*\s+<none>\s+False\s+0\s+<none>\s+\S+/);
  await kubectl(['patch', 'cronjob', 'tick', '--type=merge', '-p',
    '{"spec":{"jobTemplate":{"spec":{"template":{"metadata":{"annotations":{"sim.skiff.io/exit-code":"0"}}}}}}}']);
  await kubectl(['create', 'job', 'tick-manual', '--from=cronjob/tick']);
  await kubectl(['wait', '--for=condition=complete', 'job/tick-manual', '--timeout=60s']);
  const job = await getJob('tick-manual');
  assert.equal(job.metadata?.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
  assert.equal(job.metadata?.ownerReferences?.[0].kind, 'CronJob');
  const bad = await s.kubectl(['create', 'cronjob', 'bad', '--image=busybox', '--schedule=* * *']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /spec.schedule: Invalid value: "\* \* \*": expected exactly 5 fields, found 3/);
});

test('CronJob every minute: one Job per stepped minute, run to completion, history limit kept', async () => {
  const cronJob = {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'every' },
    spec: {
      schedule: '* * * * *', successfulJobsHistoryLimit: 2,
      jobTemplate: { spec: { template: { metadata: { annotations: { 'sim.skiff.io/exit-code': '0' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
    },
  };
  // the injected clock catches up with the server's (the earlier tests took real time), then moves by minutes
  cronClock.step(Math.max(0, Date.now() - cronClock.now()));
  await kubectl(['apply', '-f', '-'], JSON.stringify(cronJob));
  const everyJobs = async (): Promise<Job[]> =>
    (await client.list<Job>(jobsRef, { namespace: 'default' })).items.filter((j) => j.metadata?.ownerReferences?.[0]?.name === 'every');
  const seen = new Set<string>();
  for (let i = 1; i <= 4; i++) {
    cronClock.step(60_000);
    const job = await waitFor(`start ${i}`, async () => (await everyJobs()).find((j) => !seen.has(j.metadata?.name ?? '')));
    seen.add(job.metadata?.name ?? '');
    const minutes = Number(job.metadata?.name?.slice('every-'.length));
    assert.equal(minutes, Math.floor(Date.parse(job.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'] ?? '') / 60_000));
    await kubectl(['wait', '--for=condition=complete', `job/${job.metadata?.name}`, '--timeout=60s']);
  }
  const newest = [...seen].sort().slice(-2);
  await waitFor('history limited to 2', async () => {
    const names = (await everyJobs()).map((j) => j.metadata?.name).sort();
    return JSON.stringify(names) === JSON.stringify(newest);
  });
  const table = await kubectl(['get', 'cronjob', 'every']);
  assert.match(table, /every\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+\S+\s+\S+/);
  await waitFor('SuccessfulDelete events', async () => (await eventReasons('every')).filter((r) => r.startsWith('SuccessfulDelete: Deleted job every-')).length === 2);
});
