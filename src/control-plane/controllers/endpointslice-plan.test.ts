import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { desiredGroups, planSlices } from './endpointslice-plan.ts';
import { sameContent } from './endpointslice.ts';
import { reverseKeys } from '../../../test/support/key-order.ts';

const svc: Service = { metadata: { name: 's', namespace: 'ns' }, spec: { selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } };
const pod = (n: number, extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name: `p${String(n).padStart(3, '0')}`, namespace: 'ns', uid: `u${n}`, labels: { app: 'a' }, ...extra },
  spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
  status: { phase: 'Running', podIP: `10.1.${n >> 8}.${n & 255}`, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pods = (n: number): Pod[] => Array.from({ length: n }, (_, i) => pod(i));
const asSlices = (plan: ReturnType<typeof planSlices>): EndpointSlice[] =>
  [...plan.keep.map((k) => ({ ...k.slice, endpoints: k.content.endpoints, ports: k.content.ports })),
    ...plan.create.map((c, i) => ({ metadata: { name: `new-${i}` }, addressType: 'IPv4', endpoints: c.endpoints, ports: c.ports }))];

test('terminating pods stay in slices as not ready, serving as before', () => {
  const [g] = desiredGroups(svc, [pod(1, { deletionTimestamp: '2020-01-01T00:00:00Z' })]).values();
  assert.deepEqual(g.endpoints[0].conditions, { ready: false, serving: true, terminating: true });
  assert.deepEqual(g.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
});

test('at most 100 endpoints per slice; no endpoints leaves one empty placeholder', () => {
  const plan = planSlices([], desiredGroups(svc, pods(250)));
  assert.deepEqual(plan.create.map((c) => c.endpoints.length), [100, 100, 50]);
  assert.deepEqual(planSlices([], desiredGroups(svc, [])), { keep: [], create: [{ ports: [], endpoints: [] }], remove: [] });
});

test('endpoints stay where they are: a new pod fills a slice with room, a gone pod leaves a hole, empty slices go', () => {
  let current = asSlices(planSlices([], desiredGroups(svc, pods(150))));
  // p010 leaves, p150 arrives: only the two affected slices change, nothing moves between slices
  const next = [...pods(151).filter((p) => p.metadata!.name !== 'p010')];
  const plan = planSlices(current, desiredGroups(svc, next));
  assert.equal(plan.create.length, 0);
  assert.equal(plan.remove.length, 0);
  const first = plan.keep.find((k) => k.slice.metadata?.name === 'new-0')!;
  assert.equal(first.content.endpoints.length, 100, 'the hole is filled by the newcomer');
  assert.deepEqual(first.content.endpoints.slice(0, 10).map((e) => e.targetRef?.name), current[0].endpoints.slice(0, 10).map((e) => e.targetRef?.name));
  const second = plan.keep.find((k) => k.slice.metadata?.name === 'new-1')!;
  assert.deepEqual(second.content.endpoints.map((e) => e.targetRef?.name), current[1].endpoints.map((e) => e.targetRef?.name));

  // everything goes: one slice is kept as the empty placeholder, the other removed
  current = asSlices(plan);
  const gone = planSlices(current, desiredGroups(svc, []));
  assert.equal(gone.keep.length, 1);
  assert.deepEqual(gone.keep[0].content, { ports: [], endpoints: [] });
  assert.equal(gone.remove.length, 1);
});

test('a slice whose content differs from the plan only in key order is kept and needs no write', () => {
  const labels = { 'kubernetes.io/service-name': 's', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };
  const [created] = planSlices([], desiredGroups(svc, pods(3))).create;
  // stored in reverse endpoint order: only a slice recognised as holding this port set keeps its order
  const stored: EndpointSlice = reverseKeys({ metadata: { name: 'old', labels }, addressType: 'IPv4', endpoints: [...created.endpoints].reverse(), ports: created.ports });
  assert.notEqual(JSON.stringify(stored.ports), JSON.stringify(created.ports), 'the test changes the serialization');
  const plan = planSlices([stored], desiredGroups(svc, pods(3)));
  assert.deepEqual([plan.create.length, plan.remove.length, plan.keep.length], [0, 0, 1]);
  assert.deepEqual(plan.keep[0].content.endpoints.map((e) => e.targetRef?.name), ['p002', 'p001', 'p000'], 'the port set is recognised');
  assert.equal(sameContent(stored, plan.keep[0].content, labels), true);
  assert.equal(sameContent(stored, planSlices([stored], desiredGroups(svc, pods(2))).keep[0].content, labels), false);
  assert.equal(sameContent(stored, plan.keep[0].content, { ...labels, extra: 'x' }), false);
});
