// The Deployment controller's first steps of a rolling update against fake informers and a fake client: the new
// ReplicaSet's name, labels, size and annotations, the old one's scale-down within maxSurge/maxUnavailable, and
// the events, exactly as upstream would do them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { Cache, Lister } from '../../client/cache.ts';
import { FakeClock } from '../../client/clock.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { EventHandler, InformerFactory } from '../../client/informer.ts';
import type { ResourceRef } from '../../client/resource-ref.ts';
import type { RestClient } from '../../client/rest.ts';
import type { ApiObject } from '../../client/types.ts';
import { type ControllerContext, defaultControllerOptions } from './context.ts';
import { DeploymentController } from './deployment.ts';
import * as u from './deployment-util.ts';

class FakeInformer<T extends ApiObject> {
  readonly cache = new Cache<T>();
  readonly lister = new Lister<T>(this.cache);
  readonly synced = Promise.resolve();
  addEventHandler(_h: EventHandler<T>): () => void {
    return () => {};
  }
}

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

test('a template change starts a rolling update: new ReplicaSet of 1, old scaled 4 -> 3 (maxSurge 1, maxUnavailable 1)', async () => {
  const informers = new Map<string, FakeInformer<ApiObject>>();
  const factory = {
    informerFor: (ref: ResourceRef) => {
      let i = informers.get(ref.resource);
      if (!i) informers.set(ref.resource, (i = new FakeInformer()));
      return i;
    },
  } as unknown as InformerFactory;
  const writes: string[] = [];
  const events: string[] = [];
  let current: Deployment;
  const client = {
    create: async (_r: ResourceRef, obj: ReplicaSet) => {
      writes.push(`create ${obj.metadata?.name} replicas=${obj.spec?.replicas}`);
      return { ...obj, metadata: { ...obj.metadata, uid: 'new-uid', creationTimestamp: '2024-01-02T00:00:00Z' } };
    },
    update: async (_r: ResourceRef, obj: ReplicaSet) => {
      writes.push(`update ${obj.metadata?.name} replicas=${obj.spec?.replicas}`);
      return obj;
    },
    patch: async (_r: ResourceRef, _n: string, body: { metadata: { annotations: Record<string, string> } }) => {
      writes.push(`patch revision=${body.metadata.annotations[u.revisionAnnotation]}`);
      current = { ...current, metadata: { ...current.metadata, annotations: { ...current.metadata?.annotations, ...body.metadata.annotations } } };
      return current;
    },
    updateStatus: async (_r: ResourceRef, obj: Deployment) => (current = obj),
  } as unknown as RestClient;
  const recorder = { event: (_o: unknown, _t: string, reason: string, msg: string) => events.push(`${reason}: ${msg}`) } as unknown as EventRecorder;
  const ctx: ControllerContext = {
    client, informers: factory, recorder: () => recorder, signal: new AbortController().signal, clock: new FakeClock(),
    options: defaultControllerOptions,
  };
  const c = new DeploymentController(ctx);

  const d: Deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 2, annotations: { [u.revisionAnnotation]: '1' } },
    spec: {
      replicas: 4, selector: { matchLabels: { app: 'web' } }, template: template('img:b'), progressDeadlineSeconds: 600, revisionHistoryLimit: 10,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    },
    status: { observedGeneration: 1, replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 },
  };
  current = d;
  const oldHash = u.computeHash(template('img:a'));
  const old: ReplicaSet = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name: `web-${oldHash}`, namespace: 'default', uid: 'old-uid', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z',
      labels: { app: 'web', [u.podTemplateHashLabel]: oldHash },
      annotations: { [u.revisionAnnotation]: '1', [u.desiredReplicasAnnotation]: '4', [u.maxReplicasAnnotation]: '5' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
    },
    spec: { replicas: 4, selector: { matchLabels: { app: 'web', [u.podTemplateHashLabel]: oldHash } }, template: { ...template('img:a'), metadata: { labels: { app: 'web', [u.podTemplateHashLabel]: oldHash } } } },
    status: { replicas: 4, readyReplicas: 4, availableReplicas: 4, observedGeneration: 1 },
  };
  c.dInformer.cache.set(d);
  c.rsInformer.cache.set(old);

  await c.reconcile('default/web', new AbortController().signal);
  const newHash = u.computeHash(template('img:b'));
  assert.deepEqual(writes, [
    `create web-${newHash} replicas=1`,
    'patch revision=2',
    `update web-${oldHash} replicas=3`,
  ]);
  assert.deepEqual(events, [
    `ScalingReplicaSet: Scaled up replica set web-${newHash} from 0 to 1`,
    `ScalingReplicaSet: Scaled down replica set web-${oldHash} from 4 to 3`,
  ]);
  const progressing = current.status?.conditions?.find((x) => x.type === 'Progressing');
  assert.equal(progressing?.reason, 'NewReplicaSetCreated');
  assert.equal(progressing?.message, `Created new replica set "web-${newHash}"`);
  assert.equal(current.status?.observedGeneration, 2);
  assert.equal(current.status?.conditions?.find((x) => x.type === 'Available')?.reason, 'MinimumReplicasAvailable');
});
