import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { desiredSubsets, truncateSubsets } from './endpoints.ts';
import { formatTriggerTime } from './endpoints-pods.ts';
import { subsetsUpToDate } from './endpoints-repack.ts';
import { reverseKeys } from '../../../test/support/key-order.ts';

const svc = (extra: Partial<Service['spec']> = {}): Service => ({
  metadata: { name: 's', namespace: 'ns' },
  spec: { selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }], ...extra },
});
const pod = (name: string, ip: string, ready: boolean, port?: number, extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'a' }, ...extra },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: port ? [{ name: 'web', containerPort: port }] : [] }] },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('subsets group addresses by resolved ports; unready pods go to notReadyAddresses; unresolved ports skip the pod', () => {
  const subsets = desiredSubsets(svc(), [
    pod('a', '10.0.0.2', true, 8080), pod('b', '10.0.0.10', true, 8080), pod('c', '10.0.0.3', false, 9090),
    pod('d', '10.0.0.4', true), { ...pod('e', '10.0.0.5', true, 8080), metadata: { name: 'e', namespace: 'ns', labels: { app: 'b' } } },
  ]);
  assert.deepEqual(subsets.map((s) => ({ a: s.addresses?.map((x) => x.ip), n: s.notReadyAddresses?.map((x) => x.ip), p: s.ports })), [
    { a: ['10.0.0.10', '10.0.0.2'], n: undefined, p: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    { a: undefined, n: ['10.0.0.3'], p: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
  ]);
  assert.deepEqual(subsets[0].addresses![1].targetRef, { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' });
  const published = desiredSubsets(svc({ publishNotReadyAddresses: true }), [pod('c', '10.0.0.3', false, 9090)]);
  assert.deepEqual(published[0].addresses?.map((x) => x.ip), ['10.0.0.3']);
});

test('trigger time is Go RFC3339Nano', () => {
  assert.equal(formatTriggerTime(Date.UTC(2024, 0, 2, 3, 4, 5, 120)), '2024-01-02T03:04:05.12Z');
  assert.equal(formatTriggerTime(Date.UTC(2024, 0, 2, 3, 4, 5, 0)), '2024-01-02T03:04:05Z');
});

test('over 1000 addresses are truncated, ready ones kept first', () => {
  const subsets = [
    { addresses: Array.from({ length: 900 }, (_, i) => ({ ip: `r${i}` })), notReadyAddresses: Array.from({ length: 300 }, (_, i) => ({ ip: `n${i}` })) },
  ];
  assert.equal(truncateSubsets(subsets), true);
  assert.equal(subsets[0].addresses.length, 900);
  assert.equal(subsets[0].notReadyAddresses.length, 100);
  assert.equal(truncateSubsets([{ addresses: [{ ip: 'x' }] }]), false);
});

test('a service without ports lists pods only when headless', () => {
  const p = pod('a', '10.0.0.2', true, 8080);
  assert.deepEqual(desiredSubsets(svc({ ports: [] }), [p]), []);
  const headless = desiredSubsets(svc({ ports: [], clusterIP: 'None' }), [p]);
  assert.deepEqual(headless.map((s) => [s.addresses?.map((a) => a.ip), s.ports]), [[['10.0.0.2'], undefined]]);
});

test('stored subsets that differ only in key order, list order or targetRef resourceVersion are up to date', () => {
  const wanted = desiredSubsets(svc(), [pod('a', '10.0.0.2', true, 8080), pod('b', '10.0.0.10', true, 8080), pod('c', '10.0.0.3', false, 9090)]);
  const stored = reverseKeys(wanted).reverse().map((s) => ({ ...s, addresses: s.addresses && [...s.addresses].reverse() }));
  stored[1].addresses![0].targetRef!.resourceVersion = '42';
  assert.notEqual(JSON.stringify(stored), JSON.stringify(wanted), 'the test changes the serialization');
  assert.equal(subsetsUpToDate(stored, wanted), true);
  assert.equal(subsetsUpToDate(stored, desiredSubsets(svc(), [pod('a', '10.0.0.2', true, 8080)])), false);
  assert.equal(subsetsUpToDate([{ ...stored[0], ports: [{ ...stored[0].ports![0], port: 1 }] }, stored[1]], wanted), false);
});
