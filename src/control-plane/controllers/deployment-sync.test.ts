import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { FakeClock } from '../../client/clock.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Lister } from '../../client/cache.ts';
import type { RestClient } from '../../client/rest.ts';
import { DeploymentSync, findActiveOrLatest } from './deployment-sync.ts';
import { maxReplicasAnnotation, desiredReplicasAnnotation } from './deployment-util.ts';

/** A client that accepts every write and echoes it, and a recorder that keeps messages. */
function fakes() {
  const writes: string[] = [];
  const events: string[] = [];
  const client = {
    update: async (_r: unknown, obj: ReplicaSet) => {
      writes.push(`${obj.metadata?.name}=${obj.spec?.replicas}`);
      return obj;
    },
    updateStatus: async (_r: unknown, obj: Deployment) => obj,
    patch: async () => ({}),
  } as unknown as RestClient;
  const recorder = { event: (_o: unknown, _t: string, reason: string, msg: string) => events.push(`${reason}: ${msg}`) } as unknown as EventRecorder;
  return { client, recorder, writes, events };
}

function rs(name: string, replicas: number, created: string, annotations: Record<string, string> = {}): ReplicaSet {
  return { metadata: { name, uid: name, creationTimestamp: created, annotations }, spec: { replicas, selector: {} }, status: { replicas } };
}

test('scaling mid-rollout splits the new replicas in proportion to each ReplicaSet (upstream docs example)', async () => {
  const d: Deployment = {
    metadata: { name: 'nginx', generation: 2 },
    spec: { replicas: 15, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } },
    status: { replicas: 13 },
  };
  const ann = { [maxReplicasAnnotation]: '13', [desiredReplicasAnnotation]: '10' };
  const old = rs('nginx-old', 8, '2024-01-01T00:00:00Z', ann);
  const cur = rs('nginx-new', 5, '2024-01-02T00:00:00Z', ann);
  const f = fakes();
  const s = new DeploymentSync({ client: f.client, recorder: f.recorder, clock: new FakeClock(), rsLister: {} as Lister<ReplicaSet>, signal: new AbortController().signal }, d, [old, cur]);
  await s.scale(cur, [old]);
  assert.deepEqual(f.writes.sort(), ['nginx-new=7', 'nginx-old=11']);
  assert.deepEqual(f.events.sort(), [
    'ScalingReplicaSet: Scaled up replica set nginx-new from 5 to 7',
    'ScalingReplicaSet: Scaled up replica set nginx-old from 8 to 11',
  ]);
  const written = s.rsList.find((x) => x.metadata?.name === 'nginx-old')!;
  assert.equal(written.metadata?.annotations?.[maxReplicasAnnotation], '18');
  assert.equal(written.metadata?.annotations?.[desiredReplicasAnnotation], '15');
});

test('with one active ReplicaSet, scaling resizes just that one', async () => {
  const d: Deployment = { metadata: { name: 'web' }, spec: { replicas: 6, selector: {}, template: {} } };
  const f = fakes();
  const only = rs('web-a', 4, '2024-01-01T00:00:00Z');
  const idle = rs('web-b', 0, '2024-01-02T00:00:00Z');
  const s = new DeploymentSync({ client: f.client, recorder: f.recorder, clock: new FakeClock(), rsLister: {} as Lister<ReplicaSet>, signal: new AbortController().signal }, d, [only, idle]);
  assert.equal(findActiveOrLatest(idle, [only]), only);
  await s.scale(idle, [only]);
  assert.deepEqual(f.writes, ['web-a=6']);
  assert.deepEqual(f.events, ['ScalingReplicaSet: Scaled up replica set web-a from 4 to 6']);
});
