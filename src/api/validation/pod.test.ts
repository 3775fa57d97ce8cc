import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, fieldErrorText } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { definitionFor } from '../resources.ts';
import { defaultsOf, validatorOf } from '../../../test/support/definitions.ts';

const v = validatorOf('v1/Pod');

function pod(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  const p: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ...meta }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } };
  defaultsOf('v1/Pod')(p);
  return p;
}
const texts = (o: KubeObject): string[] => v.create(o).map(fieldErrorText);

test('a defaulted minimal pod is valid', () => {
  assert.deepEqual(texts(pod({})), []);
});

test('containers: required, names, images, duplicates', () => {
  assert.deepEqual(texts(pod({ containers: [] })), ['spec.containers: Required value']);
  assert.deepEqual(texts(pod({ containers: [{ name: 'c' }] })), ['spec.containers[0].image: Required value']);
  assert.deepEqual(texts(pod({ containers: [{ name: 'c', image: 'a' }, { name: 'c', image: 'b' }] })), ['spec.containers[1].name: Duplicate value: "c"']);
  assert.deepEqual(texts(pod({ containers: [{ image: 'a' }] })), ['spec.containers[0].name: Required value']);
  assert.equal(texts(pod({ containers: [{ name: 'C', image: 'a' }] }))[0].startsWith('spec.containers[0].name: Invalid value: "C": a lowercase RFC 1123 label'), true);
  assert.deepEqual(texts(pod({ containers: [{ name: 'c', image: ' a' }] })), ['spec.containers[0].image: Invalid value: " a": must not have leading or trailing whitespace']);
});

test('ports, policies and resources', () => {
  assert.deepEqual(texts(pod({ containers: [{ name: 'c', image: 'a', ports: [{ containerPort: 70000 }] }] })), [
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(texts(pod({ restartPolicy: 'Sometimes' })), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']);
  assert.deepEqual(texts(pod({ dnsPolicy: 'Weird' })), ['spec.dnsPolicy: Unsupported value: "Weird": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']);
  assert.deepEqual(texts(pod({ containers: [{ name: 'c', image: 'a', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] })), [
    'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
  ]);
  assert.deepEqual(texts(pod({ containers: [{ name: 'c', image: 'a', resources: { requests: { memory: '512Mi' }, limits: { memory: '1Gi' } } }] })), []);
  assert.deepEqual(texts(pod({ containers: [{ name: 'c', image: 'a', resources: { requests: { cpu: '1500m' }, limits: { cpu: '1.5' } } }] })), []);
  assert.deepEqual(texts(pod({ containers: [{ name: 'c', image: 'a', volumeMounts: [{ name: 'v', mountPath: '/x' }] }], volumes: [{ name: 'v' }] })), []);
  assert.deepEqual(texts(pod({ tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] })), [
    "spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
  ]);
});

test('the rendered 422 message looks like upstream', () => {
  const p = pod({ containers: [] }, { name: 'web' });
  const e = ApiError.invalid('Pod', '', 'web', v.create(p));
  assert.equal(e.code, 422);
  assert.equal(e.message, 'Pod "web" is invalid: spec.containers: Required value');
  assert.deepEqual(e.status.details?.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }]);
});

test('update: images, activeDeadlineSeconds and added tolerations may change; nothing else', () => {
  const old = pod({ activeDeadlineSeconds: 100 }, { uid: 'u' });
  const imageOnly = structuredClone(old);
  ((imageOnly.spec as { containers: { image: string }[] }).containers[0]).image = 'nginx:2';
  (imageOnly.spec as Record<string, unknown>).activeDeadlineSeconds = 50;
  (imageOnly.spec as Record<string, unknown>).tolerations = [{ key: 'x', operator: 'Exists' }];
  imageOnly.metadata = { ...imageOnly.metadata, labels: { a: 'b' } };
  assert.deepEqual(v.update(imageOnly, old), []);

  const longer = structuredClone(old);
  (longer.spec as Record<string, unknown>).activeDeadlineSeconds = 200;
  assert.deepEqual(v.update(longer, old).map(fieldErrorText), ['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value']);

  const moved = structuredClone(old);
  (moved.spec as Record<string, unknown>).restartPolicy = 'Never';
  const errs = v.update(moved, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'spec');
  assert.equal(errs[0].type, 'FieldValueForbidden');
  assert.ok(fieldErrorText(errs[0]).startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'));
  assert.match(errs[0].detail ?? '', /spec\.restartPolicy: "Always"/);

  const fewer = structuredClone(old);
  (fewer.spec as Record<string, unknown>).containers = [];
  assert.ok(v.update(fewer, old).some((e) => fieldErrorText(e) === 'spec.containers: Forbidden: pod updates may not add or remove containers'));

  const withTol = pod({ tolerations: [{ key: 'x', operator: 'Exists' }] });
  const dropped = structuredClone(withTol);
  (dropped.spec as Record<string, unknown>).tolerations = [];
  assert.ok(v.update(dropped, withTol).some((e) => fieldErrorText(e) === 'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'));
});

test('binding: target name required, kind Node or empty', () => {
  const b = { create: definitionFor('v1/Pod')!.subresources.binding!.validate };
  assert.deepEqual(b.create({ metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } }), []);
  assert.deepEqual(b.create({ metadata: { name: 'p' }, target: {} }).map(fieldErrorText), ['target.name: Required value']);
  assert.deepEqual(b.create({ metadata: { name: 'p' }, target: { kind: 'Pod', name: 'x' } }).map(fieldErrorText), ['target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"']);
});

test('scheduling gates may be removed on update but not added', async () => {
  const { podValidator } = await import('./pod.ts');
  const base = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'g', namespace: 'default', uid: 'u', creationTimestamp: '2024-01-01T00:00:00Z', resourceVersion: '1' },
    spec: { containers: [{ name: 'c', image: 'nginx', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulingGates: [{ name: 'a' }, { name: 'b' }] },
  };
  const removed = structuredClone(base);
  removed.spec.schedulingGates = [{ name: 'b' }];
  assert.deepEqual(podValidator.update(removed, base), []);
  const addedGate = structuredClone(base);
  addedGate.spec.schedulingGates = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
  const errs = podValidator.update(addedGate, base);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'spec.schedulingGates');
});
