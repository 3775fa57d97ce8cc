import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../object.ts';
import { podPrinter, podSummary } from './pod.ts';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;

function container(name: string, extra: Partial<Container> = {}): Container {
  return { name, image: 'busybox', ...extra };
}

function running(name: string, ready = true, extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name, image: 'busybox', imageID: '', ready, restartCount: 0, state: { running: { startedAt: ago(MIN) } }, ...extra };
}

function waiting(name: string, reason: string, extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name, image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason } }, ...extra };
}

function terminated(name: string, exitCode: number, reason?: string, extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    name, image: 'busybox', imageID: '', ready: false, restartCount: 0,
    state: { terminated: { exitCode, ...(reason ? { reason } : {}) } }, ...extra,
  };
}

interface PodArgs {
  containers?: Container[];
  initContainers?: Container[];
  phase?: string;
  reason?: string;
  statuses?: ContainerStatus[];
  initStatuses?: ContainerStatus[];
  conditions?: PodCondition[];
  deleting?: boolean;
}

function pod(a: PodArgs): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p', namespace: 'default', creationTimestamp: ago(5 * MIN),
      ...(a.deleting ? { deletionTimestamp: ago(0) } : {}),
    },
    spec: { containers: a.containers ?? [container('c')], ...(a.initContainers ? { initContainers: a.initContainers } : {}) },
    status: {
      phase: a.phase ?? 'Running',
      ...(a.reason ? { reason: a.reason } : {}),
      ...(a.statuses ? { containerStatuses: a.statuses } : {}),
      ...(a.initStatuses ? { initContainerStatuses: a.initStatuses } : {}),
      ...(a.conditions ? { conditions: a.conditions } : {}),
    },
  };
}

const ready: PodCondition = { type: 'Ready', status: 'True' };
const initialized: PodCondition = { type: 'Initialized', status: 'True' };

test('running, pending and freshly created pods', () => {
  assert.deepEqual(podSummary(pod({ statuses: [running('c')] }), now), { ready: '1/1', status: 'Running', restarts: '0' });
  assert.deepEqual(podSummary(pod({ phase: 'Pending' }), now), { ready: '0/1', status: 'Pending', restarts: '0' });
  assert.deepEqual(
    podSummary(pod({ phase: 'Pending', statuses: [waiting('c', 'ContainerCreating')] }), now),
    { ready: '0/1', status: 'ContainerCreating', restarts: '0' },
  );
  // Running but not ready: not counted.
  assert.equal(podSummary(pod({ statuses: [running('c', false)] }), now).ready, '0/1');
  // A pod with no status at all.
  const bare: Pod = { metadata: { name: 'x' }, spec: { containers: [container('a'), container('b')] } };
  assert.deepEqual(podSummary(bare, now), { ready: '0/2', status: '', restarts: '0' });
});

test('waiting reasons: image pull and crash loops, with restarts and last termination age', () => {
  assert.equal(podSummary(pod({ phase: 'Pending', statuses: [waiting('c', 'ImagePullBackOff')] }), now).status, 'ImagePullBackOff');
  assert.equal(podSummary(pod({ phase: 'Pending', statuses: [waiting('c', 'ErrImagePull')] }), now).status, 'ErrImagePull');
  const crash = waiting('c', 'CrashLoopBackOff', {
    restartCount: 5, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MIN) } },
  });
  assert.deepEqual(podSummary(pod({ statuses: [crash] }), now), { ready: '0/1', status: 'CrashLoopBackOff', restarts: '5 (5m ago)' });
  // Restarts without a known termination time print the bare count.
  assert.equal(podSummary(pod({ statuses: [running('c', true, { restartCount: 2 })] }), now).restarts, '2');
  // The most recent termination across containers is shown.
  const a = running('a', true, { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * 3600_000) } } });
  const b = running('b', true, { restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(90_000) } } });
  assert.deepEqual(
    podSummary(pod({ containers: [container('a'), container('b')], statuses: [a, b] }), now),
    { ready: '2/2', status: 'Running', restarts: '3 (90s ago)' },
  );
});

test('terminated containers: Completed, Error, exit codes and signals; first container wins', () => {
  const done = pod({ phase: 'Succeeded', statuses: [terminated('c', 0, 'Completed')] });
  assert.equal(podSummary(done, now).status, 'Completed');
  assert.equal(podSummary(pod({ phase: 'Failed', statuses: [terminated('c', 1, 'Error')] }), now).status, 'Error');
  assert.equal(podSummary(pod({ phase: 'Failed', statuses: [terminated('c', 137)] }), now).status, 'ExitCode:137');
  const sig = terminated('c', 0);
  sig.state!.terminated!.signal = 9;
  assert.equal(podSummary(pod({ phase: 'Failed', statuses: [sig] }), now).status, 'Signal:9');
  const two = pod({
    containers: [container('a'), container('b')],
    statuses: [waiting('a', 'CrashLoopBackOff'), terminated('b', 1, 'Error')],
  });
  assert.equal(podSummary(two, now).status, 'CrashLoopBackOff');
});

test('"Completed" turns back into Running or NotReady while another container still runs', () => {
  const statuses = [running('a'), terminated('b', 0, 'Completed')];
  const containers = [container('a'), container('b')];
  assert.deepEqual(
    podSummary(pod({ containers, statuses, conditions: [ready] }), now),
    { ready: '1/2', status: 'Running', restarts: '0' },
  );
  assert.equal(podSummary(pod({ containers, statuses }), now).status, 'NotReady');
});

test('init containers: progress, failures and waiting reasons', () => {
  const initContainers = [container('i1'), container('i2')];
  const base = { phase: 'Pending', initContainers, statuses: [waiting('c', 'PodInitializing')] };
  assert.equal(
    podSummary(pod({ ...base, initStatuses: [waiting('i1', 'PodInitializing'), waiting('i2', 'PodInitializing')] }), now).status,
    'Init:0/2',
  );
  assert.equal(
    podSummary(pod({ ...base, initStatuses: [terminated('i1', 0, 'Completed'), running('i2', false)] }), now).status,
    'Init:1/2',
  );
  assert.equal(
    podSummary(pod({ ...base, initStatuses: [terminated('i1', 1, 'Error'), waiting('i2', 'PodInitializing')] }), now).status,
    'Init:Error',
  );
  assert.equal(
    podSummary(pod({ ...base, initStatuses: [terminated('i1', 2), waiting('i2', 'PodInitializing')] }), now).status,
    'Init:ExitCode:2',
  );
  const sig = terminated('i1', 0);
  sig.state!.terminated!.exitCode = 1;
  sig.state!.terminated!.signal = 15;
  assert.equal(podSummary(pod({ ...base, initStatuses: [sig, waiting('i2', 'PodInitializing')] }), now).status, 'Init:Signal:15');
  const crash = waiting('i1', 'CrashLoopBackOff', {
    restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * MIN) } },
  });
  // While initializing, restarts count the init containers.
  assert.deepEqual(
    podSummary(pod({ ...base, initStatuses: [crash, waiting('i2', 'PodInitializing')] }), now),
    { ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '3 (2m ago)' },
  );
  // All init containers done: the app container decides, and init restarts no longer count.
  const doneInit = terminated('i1', 0, 'Completed', { restartCount: 4 });
  assert.deepEqual(
    podSummary(pod({
      phase: 'Running', initContainers, conditions: [initialized, ready],
      initStatuses: [doneInit, terminated('i2', 0, 'Completed')], statuses: [running('c')],
    }), now),
    { ready: '1/1', status: 'Running', restarts: '0' },
  );
});

test('sidecars (restartable init containers) count as containers and keep their restarts', () => {
  const sidecar = container('sidecar', { restartPolicy: 'Always' });
  const p = pod({
    phase: 'Running',
    initContainers: [sidecar],
    conditions: [initialized, ready],
    initStatuses: [running('sidecar', true, {
      started: true, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(10 * MIN) } },
    })],
    statuses: [running('c')],
  });
  assert.deepEqual(podSummary(p, now), { ready: '2/2', status: 'Running', restarts: '1 (10m ago)' });
  // A sidecar that has not started yet holds initialization.
  const starting = pod({
    phase: 'Pending', initContainers: [sidecar],
    initStatuses: [running('sidecar', false, { started: false })], statuses: [waiting('c', 'PodInitializing')],
  });
  assert.deepEqual(podSummary(starting, now), { ready: '0/2', status: 'Init:0/1', restarts: '0' });
});

test('pod-level reasons: Evicted, SchedulingGated, Terminating, NodeLost', () => {
  assert.equal(podSummary(pod({ phase: 'Failed', reason: 'Evicted' }), now).status, 'Evicted');
  const gated = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
  assert.equal(podSummary(gated, now).status, 'SchedulingGated');
  assert.equal(podSummary(pod({ statuses: [running('c')], deleting: true }), now).status, 'Terminating');
  // Terminal pods being deleted keep their terminal status.
  assert.equal(podSummary(pod({ phase: 'Succeeded', statuses: [terminated('c', 0, 'Completed')], deleting: true }), now).status, 'Completed');
  assert.equal(podSummary(pod({ reason: 'NodeLost', statuses: [running('c')], deleting: true }), now).status, 'Unknown');
  // Not yet being deleted: the pod's own reason shows.
  assert.equal(podSummary(pod({ reason: 'NodeLost', statuses: [running('c')] }), now).status, 'NodeLost');
});

test('cells: all nine columns including the wide ones; row conditions for finished pods', () => {
  const p = pod({ statuses: [running('c')] });
  p.metadata!.name = 'nginx-7854ff8877-abcde';
  p.spec!.nodeName = 'node-1';
  p.status!.podIP = '10.42.0.5';
  p.spec!.readinessGates = [{ conditionType: 'example.com/gate' }];
  p.status!.conditions = [{ type: 'example.com/gate', status: 'True' }];
  assert.deepEqual(podPrinter.cells(p as KubeObject, now), [
    'nginx-7854ff8877-abcde', '1/1', 'Running', '0', '5m', '10.42.0.5', 'node-1', '<none>', '1/1',
  ]);
  const pending = pod({ phase: 'Pending' });
  assert.deepEqual(podPrinter.cells(pending as KubeObject, now).slice(5), ['<none>', '<none>', '<none>', '<none>']);
  p.status!.podIPs = [{ ip: 'fd00::5' }, { ip: '10.42.0.5' }];
  assert.equal(podPrinter.cells(p as KubeObject, now)[5], 'fd00::5');
  assert.equal(podPrinter.columns.length, 9);
  assert.deepEqual(podPrinter.columns.map((c) => c.priority), [0, 0, 0, 0, 0, 1, 1, 1, 1]);
  assert.equal(podPrinter.conditions?.(pod({}) as KubeObject), undefined);
  assert.deepEqual(podPrinter.conditions?.(pod({ phase: 'Succeeded' }) as KubeObject), [
    { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
  ]);
});
