// The CronJob controller against fake informers, a fake client and an injected clock: a schedule of every minute
// creates one Job per minute named by its scheduled minute, keeps the history limits, and honours
// concurrencyPolicy, startingDeadlineSeconds and suspend — without waiting for real minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { Cache, Lister, objectKey } from '../../client/cache.ts';
import { FakeClock } from '../../client/clock.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { EventHandler, InformerFactory } from '../../client/informer.ts';
import type { ResourceRef } from '../../client/resource-ref.ts';
import type { RestClient } from '../../client/rest.ts';
import type { ApiObject } from '../../client/types.ts';
import { type ControllerContext, defaultControllerOptions } from './context.ts';
import { CronJobController } from './cronjob.ts';

class FakeInformer<T extends ApiObject> {
  readonly cache = new Cache<T>();
  readonly lister = new Lister<T>(this.cache);
  readonly synced = Promise.resolve();
  addEventHandler(_h: EventHandler<T>): () => void {
    return () => {};
  }
  set(obj: T): void {
    this.cache.set(obj);
  }
  remove(obj: T): void {
    this.cache.delete(objectKey(obj));
  }
}

const start = Date.parse('2026-01-01T00:00:30Z');

function setup() {
  const informers = new Map<string, FakeInformer<ApiObject>>();
  const factory = {
    informerFor: (ref: ResourceRef) => {
      let i = informers.get(ref.resource);
      if (!i) informers.set(ref.resource, (i = new FakeInformer()));
      return i;
    },
  } as unknown as InformerFactory;
  const clock = new FakeClock(start);
  const events: string[] = [];
  let seq = 0;
  const cjInf = () => informers.get('cronjobs') as unknown as FakeInformer<CronJob>;
  const jobInf = () => informers.get('jobs') as unknown as FakeInformer<Job>;
  const client = {
    create: async (_ref: ResourceRef, job: Job) => {
      if (jobInf().lister.get(job.metadata?.namespace, job.metadata?.name ?? '')) throw Object.assign(new Error('exists'), { code: 409, reason: 'AlreadyExists' });
      const out: Job = { ...job, metadata: { ...job.metadata, uid: `job-${++seq}`, resourceVersion: String(seq) }, status: { startTime: new Date(clock.now()).toISOString() } };
      jobInf().set(out); // the informer sees it at once
      return out;
    },
    delete: async (_ref: ResourceRef, name: string, o: { namespace?: string }) => {
      const job = jobInf().lister.get(o.namespace, name);
      if (job) jobInf().remove(job);
      return {};
    },
    updateStatus: async (_ref: ResourceRef, obj: CronJob) => {
      cjInf().set(obj);
      return obj;
    },
  } as unknown as RestClient;
  const recorder = { event: (_o: unknown, _t: string, reason: string, msg: string) => events.push(`${reason}: ${msg}`) } as unknown as EventRecorder;
  const ctx: ControllerContext = { client, informers: factory, recorder: () => recorder, signal: new AbortController().signal, clock, options: defaultControllerOptions };
  const c = new CronJobController(ctx);
  return { c, clock, events, cjInf: cjInf(), jobInf: jobInf() };
}

function cronJob(spec: Partial<NonNullable<CronJob['spec']>> = {}): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      schedule: '* * * * *', timeZone: 'UTC', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } },
      ...spec,
    },
  };
}

const signal = new AbortController().signal;
const minute = 60_000;

function finish(jobInf: FakeInformer<Job>, job: Job, type: 'Complete' | 'Failed', at: number): void {
  const t = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  jobInf.set({ ...job, status: { ...job.status, conditions: [{ type, status: 'True', lastTransitionTime: t }], ...(type === 'Complete' ? { completionTime: t } : {}) } });
}

const names = (jobInf: FakeInformer<Job>): string[] => jobInf.lister.list('default').map((j) => j.metadata?.name ?? '').sort();

test('every minute: one Job per scheduled minute, named by it, and a wake-up at the next minute', async () => {
  const { c, clock, cjInf, jobInf, events } = setup();
  cjInf.set(cronJob());
  const first = await c.reconcile('default/tick', signal);
  assert.deepEqual(names(jobInf), [], 'nothing is due before the first minute');
  assert.deepEqual(first, { requeueAfter: 30_000 + 100 });
  clock.step(30_000);
  await c.reconcile('default/tick', signal);
  const t1 = Date.parse('2026-01-01T00:01:00Z') / minute;
  assert.deepEqual(names(jobInf), [`tick-${t1}`]);
  const job = jobInf.lister.get('default', `tick-${t1}`)!;
  assert.equal(job.metadata?.ownerReferences?.[0].kind, 'CronJob');
  assert.equal(job.metadata?.ownerReferences?.[0].controller, true);
  assert.equal(job.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T00:01:00Z');
  assert.deepEqual(job.metadata?.labels, { app: 'tick' });
  const cj = cjInf.lister.get('default', 'tick')!;
  assert.equal(cj.status?.lastScheduleTime, '2026-01-01T00:01:00Z');
  assert.deepEqual(cj.status?.active?.map((r) => r.name), [`tick-${t1}`]);
  assert.ok(events.includes(`SuccessfulCreate: Created job tick-${t1}`));
  await c.reconcile('default/tick', signal); // same minute: nothing new
  assert.equal(names(jobInf).length, 1);
  clock.step(minute);
  await c.reconcile('default/tick', signal);
  assert.deepEqual(names(jobInf), [`tick-${t1}`, `tick-${t1 + 1}`], 'Allow runs them side by side');
});

test('history limits: 3 successful and 1 failed finished Jobs are kept, the oldest go', async () => {
  const { c, clock, cjInf, jobInf, events } = setup();
  cjInf.set(cronJob());
  for (let i = 0; i < 6; i++) {
    clock.step(minute);
    await c.reconcile('default/tick', signal);
    const newest = jobInf.lister.list('default').sort((a, b) => (b.metadata?.name ?? '').localeCompare(a.metadata?.name ?? ''))[0];
    finish(jobInf, newest, i === 2 || i === 4 ? 'Failed' : 'Complete', clock.now());
  }
  await c.reconcile('default/tick', signal);
  const base = Date.parse('2026-01-01T00:01:00Z') / minute;
  assert.deepEqual(names(jobInf), [base + 1, base + 3, base + 4, base + 5].map((m) => `tick-${m}`));
  assert.ok(events.includes(`SuccessfulDelete: Deleted job tick-${base}`));
  assert.ok(events.includes(`SuccessfulDelete: Deleted job tick-${base + 2}`));
  const cj = cjInf.lister.get('default', 'tick')!;
  assert.equal(cj.status?.active, undefined, 'no job is running');
  assert.equal(cj.status?.lastSuccessfulTime, new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'));
});

test('Forbid skips a start while one runs; Replace deletes the running one first', async () => {
  const forbid = setup();
  forbid.cjInf.set(cronJob({ concurrencyPolicy: 'Forbid' }));
  forbid.clock.step(30_000);
  await forbid.c.reconcile('default/tick', signal);
  forbid.clock.step(minute);
  await forbid.c.reconcile('default/tick', signal);
  assert.equal(names(forbid.jobInf).length, 1);
  assert.ok(forbid.events.includes('JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid'));

  const replace = setup();
  replace.cjInf.set(cronJob({ concurrencyPolicy: 'Replace' }));
  replace.clock.step(30_000);
  await replace.c.reconcile('default/tick', signal);
  const [old] = names(replace.jobInf);
  replace.clock.step(minute);
  await replace.c.reconcile('default/tick', signal);
  assert.equal(names(replace.jobInf).length, 1);
  assert.notEqual(names(replace.jobInf)[0], old);
  assert.ok(replace.events.includes(`SuccessfulDelete: Deleted job ${old}`));
  assert.deepEqual(replace.cjInf.lister.get('default', 'tick')?.status?.active?.map((r) => r.name), names(replace.jobInf));
});

test('suspend creates nothing; a start missed beyond startingDeadlineSeconds is skipped', async () => {
  const s = setup();
  s.cjInf.set(cronJob({ suspend: true }));
  s.clock.step(5 * minute);
  assert.equal(await s.c.reconcile('default/tick', signal), undefined);
  assert.deepEqual(names(s.jobInf), []);

  const late = setup();
  late.cjInf.set(cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 10 }));
  late.clock.step(Date.parse('2026-01-01T01:00:20Z') - late.clock.now()); // 20 s after the 01:00 start
  await late.c.reconcile('default/tick', signal);
  assert.deepEqual(names(late.jobInf), [], 'too late to start');
  late.clock.step(Date.parse('2026-01-01T02:00:05Z') - late.clock.now());
  await late.c.reconcile('default/tick', signal);
  assert.equal(names(late.jobInf).length, 1, 'the next start is within the deadline');
});

test('time zones: a 09:00 schedule in Europe/Berlin is due at 08:00 UTC in winter', async () => {
  const { c, clock, cjInf, jobInf } = setup();
  cjInf.set(cronJob({ schedule: '0 9 * * *', timeZone: 'Europe/Berlin' }));
  clock.step(Date.parse('2026-01-01T07:59:00Z') - clock.now());
  await c.reconcile('default/tick', signal);
  assert.deepEqual(names(jobInf), []);
  clock.step(2 * minute);
  await c.reconcile('default/tick', signal);
  const [name] = names(jobInf);
  assert.equal(name, `tick-${Date.parse('2026-01-01T08:00:00Z') / minute}`);
  assert.equal(jobInf.lister.get('default', name)?.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T09:00:00+01:00');
});
