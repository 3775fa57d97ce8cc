import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, fieldErrorText } from '../errors.ts';
import {
  isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isLabelKey, isLabelValue, isValidPortName, nameIsDNSSubdomain,
} from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';

const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('DNS names with upstream messages', () => {
  assert.deepEqual(isDNS1123Subdomain('example.com'), []);
  assert.deepEqual(isDNS1123Subdomain('Foo'), [subdomainMsg]);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('-a'), [labelMsg]);
  assert.deepEqual(isDNS1035Label('1abc'), ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]);
  assert.deepEqual(nameIsDNSSubdomain('web-', true), [], 'generateName prefix may end in a dash');
});

test('label keys and values, config keys, port names', () => {
  assert.deepEqual(isLabelKey('app.kubernetes.io/name'), []);
  assert.deepEqual(isLabelKey('/x'), ['prefix part must be non-empty']);
  assert.deepEqual(isLabelKey('a/b/c'), ["a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]);
  assert.equal(isLabelKey('Bad_Prefix/x')[0].startsWith('prefix part a lowercase RFC 1123 subdomain'), true);
  assert.deepEqual(isLabelValue(''), []);
  assert.deepEqual(isLabelValue('a'.repeat(64)).slice(0, 1), ['must be no more than 63 characters']);
  assert.deepEqual(isConfigMapKey('..x'), ["must not start with '..'"]);
  assert.deepEqual(isConfigMapKey('a b'), ["a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('80'), ['must contain at least one letter (a-z)']);
});

test('object meta: name required, namespace rules, labels, annotations size', () => {
  const render = (errs: ReturnType<typeof validateObjectMeta>): string[] => errs.map(fieldErrorText);
  assert.deepEqual(render(validateObjectMeta({ namespace: 'default' }, true, nameIsDNSSubdomain)), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(render(validateObjectMeta({ name: 'x' }, true, nameIsDNSSubdomain)), ['metadata.namespace: Required value']);
  assert.deepEqual(render(validateObjectMeta({ name: 'x', namespace: 'd' }, false, nameIsDNSSubdomain)), ['metadata.namespace: Forbidden: not allowed on this type']);
  assert.deepEqual(render(validateObjectMeta({ name: 'x', namespace: 'd', labels: { 'a b': 'c' } }, true, nameIsDNSSubdomain)), [
    "metadata.labels: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  const big = { big: 'x'.repeat(256 * 1024) };
  assert.deepEqual(render(validateObjectMeta({ name: 'x', namespace: 'd', annotations: big }, true, nameIsDNSSubdomain)), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  assert.deepEqual(render(validateObjectMeta({ name: 'x', namespace: 'd', finalizers: ['custom'] }, true, nameIsDNSSubdomain)), [
    'metadata.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  const e = ApiError.invalid('Pod', '', 'Foo', validateObjectMeta({ name: 'Foo', namespace: 'default' }, true, nameIsDNSSubdomain));
  assert.equal(e.message, `Pod "Foo" is invalid: metadata.name: Invalid value: "Foo": ${subdomainMsg}`);
});

test('object meta update: name, namespace, uid, creationTimestamp immutable', () => {
  const old = { name: 'a', namespace: 'd', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' };
  assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { x: 'y' } }, old), []);
  assert.deepEqual(validateObjectMetaUpdate({ ...old, uid: 'u2', name: 'b' }, old).map(fieldErrorText), [
    'metadata.name: Invalid value: "b": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
  ]);
  const deleting = { ...old, deletionTimestamp: '2024-01-02T00:00:00Z', finalizers: ['a/b'] };
  assert.equal(validateObjectMetaUpdate({ ...deleting, finalizers: ['a/b', 'c/d'] }, deleting)[0].type, 'FieldValueForbidden');
  assert.deepEqual(validateObjectMetaUpdate({ ...deleting, finalizers: [] }, deleting), []);
});
