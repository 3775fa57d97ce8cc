import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from '../cri/types.ts';
import { type PodRuntime, type Waiting, computePodStatus } from './pod-status.ts';

const now = Date.parse('2026-12-01T10:00:00Z');
const ns = (iso: string): number => Date.parse(iso) * 1e6;

function pod(restartPolicy = 'Always', extra: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox:1' }], ...extra },
    status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-12-01T09:59:59Z' }] },
  };
}

function cri(state: ContainerStatus['state'], o: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    id: 'a'.repeat(64), metadata: { name: 'c', attempt: 0 }, state, createdAt: ns('2026-12-01T09:59:58Z'),
    startedAt: ns('2026-12-01T09:59:59Z'), finishedAt: 0, exitCode: 0, image: { image: 'docker.io/library/busybox:1' },
    imageRef: 'sha256:' + 'b'.repeat(64), reason: '', message: '', labels: {}, annotations: { 'io.kubernetes.container.restartCount': '0' },
    logPath: '', imageId: '', ...o,
  };
}

const rt = (containers: ContainerStatus[] = [], ip = '10.42.0.5'): PodRuntime => ({
  sandbox: { id: 's', ready: true, ip },
  containers: new Map(containers.length ? [['c', containers]] : []),
});
const inputs = (p: Pod, r: PodRuntime, waiting: Map<string, Waiting> = new Map()) =>
  ({ pod: p, runtime: r, waiting, hostIP: '192.0.2.2', runtimeName: 'containerd', now });

test('a running container: Running, every condition True in upstream order, ids and times', () => {
  const st = computePodStatus(inputs(pod(), rt([cri('CONTAINER_RUNNING')])));
  assert.equal(st.phase, 'Running');
  assert.deepEqual(st.conditions?.map((c) => `${c.type}=${c.status}`), [
    'PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True',
  ]);
  assert.equal(st.conditions?.[4].lastTransitionTime, '2026-12-01T09:59:59Z', 'conditions others own are kept as they were');
  assert.equal(st.podIP, '10.42.0.5');
  assert.deepEqual(st.podIPs, [{ ip: '10.42.0.5' }]);
  assert.equal(st.hostIP, '192.0.2.2');
  assert.equal(st.qosClass, 'BestEffort');
  assert.equal(st.startTime, '2026-12-01T10:00:00Z');
  const cs = st.containerStatuses![0];
  assert.deepEqual(cs, {
    name: 'c', image: 'docker.io/library/busybox:1', imageID: 'sha256:' + 'b'.repeat(64), containerID: 'containerd://' + 'a'.repeat(64),
    restartCount: 0, ready: true, started: true, state: { running: { startedAt: '2026-12-01T09:59:59Z' } }, lastState: {},
  });
});

test('no container yet: Pending, ContainerCreating, Ready False with the unready list', () => {
  const st = computePodStatus(inputs(pod(), rt()));
  assert.equal(st.phase, 'Pending');
  assert.deepEqual(st.containerStatuses![0].state, { waiting: { reason: 'ContainerCreating' } });
  const ready = st.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ContainersNotReady');
  assert.equal(ready.message, 'containers with unready status: [c]');
});

test('an image pull failure is the waiting reason and message', () => {
  const st = computePodStatus(inputs(pod(), rt(), new Map([['c', { reason: 'ErrImagePull', message: 'boom' }]])));
  assert.deepEqual(st.containerStatuses![0].state, { waiting: { reason: 'ErrImagePull', message: 'boom' } });
  assert.equal(st.phase, 'Pending');
});

test('CrashLoopBackOff: waiting with the exit as lastState, restartCount from the annotation, phase Running', () => {
  const exited = cri('CONTAINER_EXITED', { exitCode: 1, finishedAt: ns('2026-12-01T09:59:59Z'), annotations: { 'io.kubernetes.container.restartCount': '3' } });
  const st = computePodStatus(inputs(pod(), rt([exited]), new Map([['c', { reason: 'CrashLoopBackOff', message: 'back-off 40s …' }]])));
  const cs = st.containerStatuses![0];
  assert.equal(cs.restartCount, 3);
  assert.equal(cs.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(cs.lastState?.terminated?.exitCode, 1);
  assert.equal(cs.lastState?.terminated?.reason, 'Error');
  assert.equal(st.phase, 'Running');
});

test('restartPolicy Never: exit 0 is Succeeded (Completed), exit 2 is Failed; Ready False with PodCompleted', () => {
  const ok = computePodStatus(inputs(pod('Never'), rt([cri('CONTAINER_EXITED', { exitCode: 0, finishedAt: ns('2026-12-01T09:59:59Z') })])));
  assert.equal(ok.phase, 'Succeeded');
  assert.equal(ok.containerStatuses![0].state?.terminated?.reason, 'Completed');
  assert.equal(ok.conditions!.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  const bad = computePodStatus(inputs(pod('Never'), rt([cri('CONTAINER_EXITED', { exitCode: 2, reason: 'OOMKilled' })])));
  assert.equal(bad.phase, 'Failed');
  assert.equal(bad.containerStatuses![0].state?.terminated?.reason, 'OOMKilled');
});

test('a pending init container keeps the pod Pending and Initialized False', () => {
  const p = pod('Always', { initContainers: [{ name: 'init', image: 'busybox:1' }] });
  const st = computePodStatus(inputs(p, rt()));
  assert.equal(st.phase, 'Pending');
  const init = st.conditions!.find((c) => c.type === 'Initialized')!;
  assert.equal(init.status, 'False');
  assert.equal(init.message, 'containers with incomplete status: [init]');
  assert.equal(st.initContainerStatuses?.[0].state?.waiting?.reason, 'ContainerCreating');
});

test('lastTransitionTime stays while a condition keeps its status', () => {
  const p = pod();
  p.status!.conditions!.push({ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-01T09:00:00Z' });
  const st = computePodStatus(inputs(p, rt([cri('CONTAINER_RUNNING')])));
  assert.equal(st.conditions!.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-12-01T09:00:00Z');
  assert.equal(st.conditions!.find((c) => c.type === 'ContainersReady')?.lastTransitionTime, '2026-12-01T10:00:00Z');
});

test('readiness results gate Ready', () => {
  const st = computePodStatus({ ...inputs(pod(), rt([cri('CONTAINER_RUNNING')])), readiness: new Map([['c', false]]) });
  assert.equal(st.containerStatuses![0].ready, false);
  assert.equal(st.conditions!.find((c) => c.type === 'Ready')?.status, 'False');
  assert.equal(st.phase, 'Running');
});

test('containers stopped for a deletion end the pod Succeeded (all exit 0) or Failed, even with restartPolicy Always', () => {
  const exited = (exitCode: number) => rt([cri('CONTAINER_EXITED', { exitCode, finishedAt: ns('2026-12-01T10:00:00Z') })]);
  assert.equal(computePodStatus(inputs(pod(), exited(137))).phase, 'Running', 'not terminal: about to restart');
  assert.equal(computePodStatus({ ...inputs(pod(), exited(137)), terminal: true }).phase, 'Failed');
  const ok = computePodStatus({ ...inputs(pod(), exited(0)), terminal: true });
  assert.equal(ok.phase, 'Succeeded');
  assert.equal(ok.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
});
