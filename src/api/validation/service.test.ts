import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, fieldErrorText } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { defaultsOf, validatorOf } from '../../../test/support/definitions.ts';

const v = validatorOf('v1/Service');

function svc(spec: Record<string, unknown>, name = 'web'): KubeObject {
  const s: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: 'u' }, spec: { ports: [{ port: 80 }], selector: { app: 'web' }, ...spec } };
  defaultsOf('v1/Service')(s);
  return s;
}
const texts = (o: KubeObject): string[] => v.create(o).map(fieldErrorText);

test('defaulted services of each type are valid', () => {
  assert.deepEqual(texts(svc({})), []);
  assert.deepEqual(texts(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })), []);
  assert.deepEqual(texts(svc({ type: 'LoadBalancer' })), []);
  assert.deepEqual(texts(svc({ clusterIP: 'None', ports: [] })), [], 'headless services need no ports');
  assert.deepEqual(texts(svc({ clusterIP: '10.43.0.10' })), []);
});

test('service names are DNS-1035 labels', () => {
  const e = ApiError.invalid('Service', '', '1abc', v.create(svc({}, '1abc')));
  assert.equal(e.message, 'Service "1abc" is invalid: metadata.name: Invalid value: "1abc": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')');
});

test('ports: required, range, names required and unique when several', () => {
  assert.deepEqual(texts(svc({ ports: [] })), ['spec.ports: Required value']);
  // targetPort defaults to port, so upstream reports both.
  assert.deepEqual(texts(svc({ ports: [{ port: 0 }] })), [
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(texts(svc({ ports: [{ port: 80 }, { port: 81 }] })), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  assert.deepEqual(texts(svc({ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] })), ['spec.ports[1].name: Duplicate value: "a"']);
  assert.deepEqual(texts(svc({ ports: [{ port: 80, protocol: 'ICMP' }] })), ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']);
  assert.deepEqual(texts(svc({ ports: [{ port: 80, nodePort: 30000 }] })), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
});

test('type, clusterIP and ExternalName rules', () => {
  assert.deepEqual(texts(svc({ type: 'Magic' })), ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']);
  assert.deepEqual(texts(svc({ clusterIP: '10.43.0.300' })), ['spec.clusterIPs[0]: Invalid value: "10.43.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  assert.deepEqual(texts(svc({ type: 'NodePort', clusterIP: 'None' })), ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]);
  const ext: KubeObject = { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName' } };
  defaultsOf('v1/Service')(ext);
  assert.deepEqual(texts(ext), ['spec.externalName: Required value']);
});

test('update: the primary cluster IP may not change once set', () => {
  const old = svc({ clusterIP: '10.43.0.20' });
  assert.deepEqual(v.update(svc({ clusterIP: '10.43.0.20', ports: [{ port: 81 }] }), old), []);
  assert.deepEqual(v.update(svc({}), old), [], 'an omitted clusterIP is the registry\'s to carry over');
  const e = ApiError.invalid('Service', '', 'web', v.update(svc({ clusterIP: 'None' }), old));
  assert.equal(e.message, 'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ["None"]: may not change once set');
});
