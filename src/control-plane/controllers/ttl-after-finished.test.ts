// The TTL-after-finished controller on an injected clock: a finished Job is deleted (foreground, uid precondition)
// once its TTL has passed, re-read from the API first; a running Job or one without a TTL is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { Cache, Lister } from '../../client/cache.ts';
import { FakeClock } from '../../client/clock.ts';
import type { EventHandler, InformerFactory } from '../../client/informer.ts';
import type { DeleteOptions, RestClient } from '../../client/rest.ts';
import type { ApiObject } from '../../client/types.ts';
import { type ControllerContext, defaultControllerOptions } from './context.ts';
import { TtlAfterFinishedController, timeLeft } from './ttl-after-finished.ts';

const t0 = Date.parse('2026-01-01T00:00:00Z');

function finishedJob(ttl: number | undefined, type = 'Complete'): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default', uid: 'job-uid' },
    spec: { ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }), template: {} },
    status: { conditions: [{ type, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }], ...(type === 'Complete' ? { completionTime: '2026-01-01T00:00:00Z' } : {}) },
  };
}

function setup(job: Job, fresh: Job = job) {
  const cache = new Cache<ApiObject>();
  cache.set(job);
  const informer = { lister: new Lister(cache), synced: Promise.resolve(), addEventHandler: (_h: EventHandler<ApiObject>) => () => {} };
  const deletes: DeleteOptions[] = [];
  const client = {
    get: async () => fresh,
    delete: async (_ref: unknown, _name: string, o: DeleteOptions) => {
      deletes.push(o);
      return {};
    },
  } as unknown as RestClient;
  const clock = new FakeClock(t0);
  const ctx: ControllerContext = {
    client, informers: { informerFor: () => informer } as unknown as InformerFactory, recorder: () => { throw new Error('no events'); },
    signal: new AbortController().signal, clock, options: defaultControllerOptions,
  };
  return { c: new TtlAfterFinishedController(ctx), clock, deletes };
}

const signal = new AbortController().signal;

test('deleted with foreground propagation once the TTL has passed, not before', async () => {
  const { c, clock, deletes } = setup(finishedJob(30));
  assert.deepEqual(await c.reconcile('default/j', signal), { requeueAfter: 30_000 });
  assert.equal(deletes.length, 0);
  clock.step(30_000);
  assert.equal(await c.reconcile('default/j', signal), undefined);
  assert.equal(deletes.length, 1);
  assert.equal(deletes[0].propagationPolicy, 'Foreground');
  assert.deepEqual(deletes[0].preconditions, { uid: 'job-uid' });
});

test('the fresh read wins: a TTL raised meanwhile postpones the delete', async () => {
  const { c, clock, deletes } = setup(finishedJob(0), finishedJob(60));
  clock.step(1000);
  assert.deepEqual(await c.reconcile('default/j', signal), { requeueAfter: 59_000 });
  assert.equal(deletes.length, 0);
});

test('running jobs and jobs without a TTL never expire; a Failed job expires from its condition', () => {
  const running: Job = { ...finishedJob(10), status: {} };
  assert.equal(timeLeft(running, t0), undefined);
  assert.equal(timeLeft(finishedJob(undefined), t0), undefined);
  assert.equal(timeLeft(finishedJob(5, 'Failed'), t0 + 2000), 3000);
});
