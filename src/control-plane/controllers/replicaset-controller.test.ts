// The ReplicaSet controller against fake informers and a fake client, to pin down what a real cluster makes hard
// to provoke: a slow informer must not cause double creation (expectations), a failing create stops the slow
// start, and scale-down picks the least valuable pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Cache, Lister, objectKey } from '../../client/cache.ts';
import { FakeClock } from '../../client/clock.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { EventHandler, InformerFactory } from '../../client/informer.ts';
import type { ResourceRef } from '../../client/resource-ref.ts';
import type { RestClient } from '../../client/rest.ts';
import type { ApiObject } from '../../client/types.ts';
import { type ControllerContext, defaultControllerOptions } from './context.ts';
import { ReplicaSetController } from './replicaset.ts';

class FakeInformer<T extends ApiObject> {
  readonly cache = new Cache<T>();
  readonly lister = new Lister<T>(this.cache);
  readonly synced = Promise.resolve();
  readonly handlers: EventHandler<T>[] = [];
  addEventHandler(h: EventHandler<T>): () => void {
    this.handlers.push(h);
    return () => {};
  }
  hasSynced(): boolean {
    return true;
  }
  /** The watch delivers an add: into the cache, then to the handlers. */
  add(obj: T): void {
    this.cache.set(obj);
    for (const h of this.handlers) h.onAdd?.(obj, false);
  }
  remove(obj: T): void {
    this.cache.delete(objectKey(obj));
    for (const h of this.handlers) h.onDelete?.(obj);
  }
}

function setup(opts: { failCreateAt?: number } = {}) {
  const informers = new Map<string, FakeInformer<ApiObject>>();
  const factory = {
    informerFor: (ref: ResourceRef) => {
      let i = informers.get(ref.resource);
      if (!i) informers.set(ref.resource, (i = new FakeInformer()));
      return i;
    },
  } as unknown as InformerFactory;
  const created: Pod[] = [];
  const deleted: string[] = [];
  let calls = 0;
  const client = {
    create: async (_ref: ResourceRef, pod: Pod) => {
      if (++calls === opts.failCreateAt) throw new Error('exceeded quota');
      const name = `${pod.metadata?.generateName}${String(calls).padStart(5, '0')}`;
      const out: Pod = { ...pod, metadata: { ...pod.metadata, name, uid: `uid-${name}`, creationTimestamp: '2024-01-01T00:00:00Z' } };
      created.push(out);
      return out;
    },
    delete: async (_ref: ResourceRef, name: string) => {
      deleted.push(name);
      return {};
    },
    updateStatus: async (_ref: ResourceRef, obj: ReplicaSet) => obj,
  } as unknown as RestClient;
  const events: string[] = [];
  const recorder = { event: (_o: unknown, _t: string, reason: string, msg: string) => events.push(`${reason}: ${msg}`) } as unknown as EventRecorder;
  const ctx: ControllerContext = {
    client, informers: factory, recorder: () => recorder, signal: new AbortController().signal, clock: new FakeClock(Date.parse('2024-01-01T01:00:00Z')),
    options: defaultControllerOptions,
  };
  const c = new ReplicaSetController(ctx);
  const rsInf = informers.get('replicasets') as unknown as FakeInformer<ReplicaSet>;
  const podInf = informers.get('pods') as unknown as FakeInformer<Pod>;
  return { c, rsInf, podInf, created, deleted, events };
}

const rs = (replicas: number): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', generation: 1 },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
});

const signal = new AbortController().signal;

test('creates the missing pods once, and not again until the informer has seen them', async () => {
  const { c, rsInf, podInf, created, events } = setup();
  rsInf.add(rs(3));
  await c.reconcile('default/web', signal);
  assert.equal(created.length, 3);
  assert.ok(created.every((p) => p.metadata?.generateName === 'web-' && p.metadata.ownerReferences?.[0].controller === true));
  assert.deepEqual(events.filter((e) => e.startsWith('SuccessfulCreate')).length, 3);
  assert.equal(events[0], `SuccessfulCreate: Created pod: ${created[0].metadata?.name}`);

  await c.reconcile('default/web', signal); // the cache still shows no pods: without expectations this would create 3 more
  assert.equal(created.length, 3);
  podInf.add(created[0]);
  podInf.add(created[1]);
  await c.reconcile('default/web', signal);
  assert.equal(created.length, 3);
  podInf.add(created[2]);
  await c.reconcile('default/web', signal);
  assert.equal(created.length, 3, 'all three observed: nothing is missing');

  podInf.remove(created[1]); // a pod goes away: the next sync replaces it
  await c.reconcile('default/web', signal);
  assert.equal(created.length, 4);
});

test('a failed create ends the slow start and lowers the expectations by what was never created', async () => {
  const { c, rsInf, created, events } = setup({ failCreateAt: 5 });
  rsInf.add(rs(10));
  await assert.rejects(c.reconcile('default/web', signal), /exceeded quota/);
  // batches of 1 and 2 succeed; the batch of 4 has one failure (3 created); the rest are never tried
  assert.equal(created.length, 6);
  assert.deepEqual(c.expectations.pending('default/web'), { adds: 6, dels: 0 });
  assert.ok(events.includes('FailedCreate: Error creating: exceeded quota'));
});

test('scale-down deletes the least valuable pods: unscheduled first, then not ready', async () => {
  const { c, rsInf, podInf, deleted, events } = setup();
  const pod = (name: string, node?: string, ready = true): Pod => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: name, labels: { app: 'web' }, creationTimestamp: '2024-01-01T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }] },
    spec: { containers: [], nodeName: node },
    status: { phase: node ? 'Running' : 'Pending', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
  });
  rsInf.add(rs(2));
  for (const p of [pod('a', 'n1'), pod('b'), pod('c', 'n2', false), pod('d', 'n3')]) podInf.add(p);
  await c.reconcile('default/web', signal);
  assert.deepEqual(deleted.sort(), ['b', 'c']);
  assert.ok(events.includes('SuccessfulDelete: Deleted pod: b'));
  await c.reconcile('default/web', signal);
  assert.equal(deleted.length, 2, 'waits for the deletions to be observed');
});
