import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { validatorOf } from '../../../test/support/definitions.ts';

const texts = (errs: { type: string; field: string }[]): string[] => errs.map((e) => fieldErrorText(e as Parameters<typeof fieldErrorText>[0]));
const meta = (name = 'x', namespace: string | null = 'default'): KubeObject['metadata'] => (namespace ? { name, namespace, uid: 'u' } : { name, uid: 'u' });

test('namespace: DNS label name, cluster scoped, finalizers, status phase', () => {
  const v = validatorOf('v1/Namespace');
  assert.deepEqual(v.create({ metadata: meta('kube-system', null), spec: { finalizers: ['kubernetes'] } }), []);
  assert.deepEqual(texts(v.create({ metadata: meta('a.b', null) })), ['metadata.name: Invalid value: "a.b": must not contain dots']);
  assert.deepEqual(texts(v.create({ metadata: meta('a', 'default') })), ['metadata.namespace: Forbidden: not allowed on this type']);
  const ns = { metadata: meta('a', null), status: { phase: 'Terminating' } };
  assert.deepEqual(texts(v.updateStatus(ns, ns)), ["status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"]);
});

test('node: name, taints, podCIDRs change', () => {
  const v = validatorOf('v1/Node');
  const node = { metadata: meta('node-a', null), spec: { podCIDRs: ['10.42.0.0/24'], taints: [{ key: 'k', effect: 'NoSchedule' }] } };
  assert.deepEqual(v.create(node), []);
  assert.deepEqual(texts(v.create({ metadata: meta('n', null), spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } })), [
    'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
  assert.deepEqual(texts(v.create({ metadata: meta('n', null), spec: { podCIDRs: ['10.42.0.0/33'] } })), ['spec.podCIDRs[0]: Invalid value: "10.42.0.0/33": must be a valid CIDR']);
  const moved = { ...node, spec: { ...node.spec, podCIDRs: ['10.42.1.0/24'] } };
  assert.deepEqual(texts(v.update(moved, node)), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
  assert.deepEqual(v.update({ ...node, spec: { ...node.spec, unschedulable: true } }, node), []);
});

test('configmap and secret: keys, size, immutability, type rules', () => {
  const cm = validatorOf('v1/ConfigMap');
  assert.deepEqual(cm.create({ metadata: meta(), data: { 'app.properties': 'x' } }), []);
  assert.deepEqual(texts(cm.create({ metadata: meta(), data: { 'a/b': 'x' } })), [
    "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
  assert.deepEqual(texts(cm.create({ metadata: meta(), data: { a: 'x'.repeat(1024 * 1024 + 1) } })), [': Too long: may not be more than 1048576 bytes']);
  const frozen = { metadata: meta(), immutable: true, data: { a: '1' } };
  assert.deepEqual(texts(cm.update({ ...frozen, data: { a: '2' } }, frozen)), ['data: Forbidden: field is immutable when `immutable` is set']);

  const sv = validatorOf('v1/Secret');
  assert.deepEqual(sv.create({ metadata: meta(), type: 'Opaque', data: { k: 'dg==' } }), []);
  assert.deepEqual(texts(sv.create({ metadata: meta(), type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } })), ['data[tls.key]: Required value']);
  const s = { metadata: meta(), type: 'Opaque', data: {} };
  assert.deepEqual(texts(sv.update({ ...s, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } }, s)), [
    'type: Invalid value: "kubernetes.io/tls": field is immutable',
  ]);
});

test('service accounts, endpoints and core events', () => {
  assert.deepEqual(validatorOf('v1/ServiceAccount').create({ metadata: meta('default') }), []);
  const ev = validatorOf('v1/Endpoints');
  assert.deepEqual(ev.create({ metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.42.0.5' }], ports: [{ port: 80, protocol: 'TCP' }] }] }), []);
  assert.deepEqual(texts(ev.create({ metadata: meta('web'), subsets: [{ ports: [{ port: 80, protocol: 'TCP' }] }] })), ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`']);
  assert.deepEqual(texts(ev.create({ metadata: meta('web'), subsets: [{ addresses: [{ ip: 'nope' }] }] })), ['subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address']);
  const e = validatorOf('v1/Event');
  assert.deepEqual(e.create({ metadata: meta('web.1'), involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Started' }), []);
  assert.deepEqual(texts(e.create({ metadata: meta('web.1'), involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' } })), [
    'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
  ]);
});
