import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeOf, type HostedComponentState } from './hosted-component.ts';
import { type MirrorComponent, mirrorPod, mirrorPodStatus } from './mirror-pod.ts';

const scheduler: MirrorComponent = {
  name: 'kube-scheduler', container: 'kube-scheduler', labels: { component: 'kube-scheduler', tier: 'control-plane' },
  image: 'skiff/kube-scheduler:v1.32.0', command: ['skiff', 'server'], hostedIn: 'worker thread of skiff server',
};
const node = { name: 'n1', uid: 'node-uid-1', address: '10.0.0.5' };
const t0 = new Date('2026-12-01T10:00:00.250Z');
const t1 = new Date('2026-12-01T10:05:00Z');
const t2 = new Date('2026-12-01T10:05:01Z');

test('a mirror pod is named <component>-<node>, bound to the node, owned by it, system-node-critical, on the host network', () => {
  const pod = mirrorPod(scheduler, node, 'skiff-server');
  assert.equal(pod.metadata?.name, 'kube-scheduler-n1');
  assert.equal(pod.metadata?.namespace, 'kube-system');
  assert.deepEqual(pod.metadata?.labels, { component: 'kube-scheduler', tier: 'control-plane' });
  const a = pod.metadata!.annotations!;
  assert.match(a['kubernetes.io/config.hash']!, /^[0-9a-f]{32}$/);
  assert.equal(a['kubernetes.io/config.mirror'], a['kubernetes.io/config.hash']);
  assert.equal(a['kubernetes.io/config.source'], 'skiff-server');
  assert.deepEqual(pod.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid-1', controller: true }]);
  assert.equal(pod.spec?.nodeName, 'n1');
  assert.equal(pod.spec?.hostNetwork, true);
  assert.equal(pod.spec?.priorityClassName, 'system-node-critical');
  assert.equal(pod.spec?.priority, 2000001000);
  assert.deepEqual(pod.spec?.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
  assert.deepEqual(pod.spec?.containers.map((c) => c.name), ['kube-scheduler']);
});

test('the config hash is stable, and changes with the pod (image, node UID), not with the status', () => {
  const hash = (c: MirrorComponent, n = node) => mirrorPod(c, n, 'skiff-server').metadata!.annotations!['kubernetes.io/config.hash'];
  assert.equal(hash(scheduler), hash({ ...scheduler }));
  assert.notEqual(hash({ ...scheduler, image: 'skiff/kube-scheduler:v1.33.0' }), hash(scheduler));
  assert.notEqual(hash(scheduler, { ...node, uid: 'node-uid-2' }), hash(scheduler));
});

test('a running component: Running, Ready, its container running since its instance started, on the node IP', () => {
  const state: HostedComponentState = { phase: 'running', restarts: 0, firstStartedAt: t0, startedAt: t0, since: t0, threadId: 3, pid: 100 };
  const s = mirrorPodStatus(scheduler, state, node);
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.0.0.5');
  assert.equal(s.hostIP, '10.0.0.5');
  assert.equal(s.startTime, '2026-12-01T10:00:00Z');
  assert.deepEqual(s.conditions?.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  const [c] = s.containerStatuses!;
  assert.equal(c!.ready, true);
  assert.equal(c!.restartCount, 0);
  assert.equal(c!.containerID, 'skiff://100/3');
  assert.deepEqual(c!.state, { running: { startedAt: '2026-12-01T10:00:00Z' } });
  assert.deepEqual(c!.lastState, {});
});

test('a crashed component waiting for its restart: not ready, CrashLoopBackOff, the last instance terminated, restarts counted', () => {
  const lastEnd = { startedAt: t0, finishedAt: t1, exitCode: exitCodeOf('signal SIGKILL'), how: 'signal SIGKILL', error: 'Error: boom\n    at x' };
  const state: HostedComponentState = { phase: 'backoff', restarts: 1, firstStartedAt: t0, since: t1, lastEnd, backoffMs: 1000 };
  const s = mirrorPodStatus(scheduler, state, node);
  assert.equal(s.phase, 'Running'); // restartPolicy Always: the pod stays Running while its container restarts
  const ready = s.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ContainersNotReady');
  assert.equal(ready.lastTransitionTime, '2026-12-01T10:05:00Z');
  const [c] = s.containerStatuses!;
  assert.equal(c!.ready, false);
  assert.equal(c!.restartCount, 1);
  assert.equal(c!.containerID, undefined);
  assert.equal(c!.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(c!.state?.waiting?.message, 'back-off 1s restarting failed container=kube-scheduler pod=kube-scheduler-n1');
  assert.deepEqual(c!.lastState, {
    terminated: { exitCode: 137, reason: 'Error', message: 'Error: boom', startedAt: '2026-12-01T10:00:00Z', finishedAt: '2026-12-01T10:05:00Z' },
  });
});

test('a restarted instance that is not ready yet runs but is not ready, and keeps its last termination', () => {
  const lastEnd = { startedAt: t0, finishedAt: t1, exitCode: 1, how: 'exit code 1' };
  const state: HostedComponentState = { phase: 'starting', restarts: 1, firstStartedAt: t0, startedAt: t2, since: t2, lastEnd };
  const [c] = mirrorPodStatus(scheduler, state, node).containerStatuses!;
  assert.equal(c!.ready, false);
  assert.deepEqual(c!.state, { running: { startedAt: '2026-12-01T10:05:01Z' } });
  assert.equal(c!.lastState?.terminated?.exitCode, 1);
});

test('exit codes as a runtime reports them', () => {
  assert.equal(exitCodeOf('exit code 0'), 0);
  assert.equal(exitCodeOf('exit code 1'), 1);
  assert.equal(exitCodeOf('signal SIGKILL'), 137);
  assert.equal(exitCodeOf('signal SIGTERM'), 143);
  assert.equal(exitCodeOf('something else'), 1);
});
