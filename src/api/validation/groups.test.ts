import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../errors.ts';
import { validatorOf } from '../../../test/support/definitions.ts';

const meta = { name: 'x', namespace: 'default', uid: 'u' };

test('lease: durations', () => {
  const v = validatorOf('coordination.k8s.io/v1/Lease');
  assert.deepEqual(v.create({ metadata: meta, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } }), []);
  assert.deepEqual(v.create({ metadata: meta, spec: { leaseDurationSeconds: 0 } }).map(fieldErrorText), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
});

test('endpointslice: address type, addresses, ports, immutable addressType', () => {
  const v = validatorOf('discovery.k8s.io/v1/EndpointSlice');
  const es = { metadata: meta, addressType: 'IPv4', endpoints: [{ addresses: ['10.42.0.5'] }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] };
  assert.deepEqual(v.create(es), []);
  assert.deepEqual(v.create({ ...es, endpoints: [{ addresses: ['fe80::1'] }] }).map(fieldErrorText), ['endpoints[0].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address']);
  assert.deepEqual(v.create({ ...es, endpoints: [{ addresses: [] }] }).map(fieldErrorText), ['endpoints[0].addresses: Required value: must contain at least 1 address']);
  assert.deepEqual(v.create({ ...es, addressType: 'IPX' }).map(fieldErrorText), ['addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"']);
  assert.deepEqual(v.update({ ...es, addressType: 'IPv6', endpoints: [] }, es).map(fieldErrorText), ['addressType: Invalid value: "IPv6": field is immutable']);
});

test('events.k8s.io events: required fields and immutability', () => {
  const v = validatorOf('events.k8s.io/v1/Event');
  const ev = {
    metadata: meta, eventTime: '2024-01-01T00:00:00.000000Z', type: 'Normal', reason: 'Scheduled', action: 'Binding',
    reportingController: 'default-scheduler', reportingInstance: 'default-scheduler-node-a',
    regarding: { kind: 'Pod', name: 'web', namespace: 'default' }, note: 'ok',
  };
  assert.deepEqual(v.create(ev), []);
  assert.deepEqual(v.create({ ...ev, action: '', type: 'Odd' }).map(fieldErrorText), ['type: Invalid value: "": has invalid value: Odd', 'action: Required value']);
  assert.deepEqual(v.update({ ...ev, note: 'changed' }, ev).map(fieldErrorText), ['note: Invalid value: "changed": field is immutable']);
  assert.deepEqual(v.update({ ...ev, series: { count: 2, lastObservedTime: '2024-01-01T00:01:00.000000Z' } }, ev), []);
});
