import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, PodSandbox } from '../cri/types.ts';
import { Pleg } from './pleg.ts';

const labels = (name: string) => ({ 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.uid': `u-${name}` });
const sandbox = (id: string, name: string, state: PodSandbox['state'] = 'SANDBOX_READY') =>
  ({ id, state, labels: labels(name), metadata: { name, uid: `u-${name}`, namespace: 'ns', attempt: 0 }, createdAt: 1, annotations: {}, runtimeHandler: '' }) as PodSandbox;
const container = (id: string, name: string, state: Container['state']) =>
  ({ id, podSandboxId: 's', state, labels: labels(name), metadata: { name: 'c', attempt: 0 }, image: null, imageRef: '', createdAt: 1, annotations: {}, imageId: '' }) as Container;

test('the first relist reports every pod; later ones only pods whose sandboxes or containers changed or went', async () => {
  let sandboxes = [sandbox('s1', 'a'), sandbox('s2', 'b')];
  let containers = [container('c1', 'a', 'CONTAINER_RUNNING'), container('c2', 'b', 'CONTAINER_RUNNING'), { ...container('x', 'z', 'CONTAINER_RUNNING'), labels: {} }];
  const seen: string[] = [];
  const pleg = new Pleg({ listPodSandbox: async () => sandboxes, listContainers: async () => containers }, (k) => seen.push(k));
  await pleg.relist();
  assert.deepEqual(seen.sort(), ['ns/a', 'ns/b'], 'containers without the kubelet labels are not pods');
  seen.length = 0;
  await pleg.relist();
  assert.deepEqual(seen, []);
  containers = [container('c1', 'a', 'CONTAINER_EXITED'), container('c2', 'b', 'CONTAINER_RUNNING')];
  await pleg.relist();
  assert.deepEqual(seen, ['ns/a']);
  seen.length = 0;
  sandboxes = [sandbox('s1', 'a')];
  containers = [container('c1', 'a', 'CONTAINER_EXITED')];
  await pleg.relist();
  assert.deepEqual(seen, ['ns/b']);
});
