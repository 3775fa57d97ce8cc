import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.ts';
import { decodeDeleteOptions, decodeObject } from './content.ts';

const ns = { apiVersion: 'v1', kind: 'Namespace' };
const cm = { apiVersion: 'v1', kind: 'ConfigMap' };
const fails = (fn: () => unknown, code: number, message: string) =>
  assert.throws(fn, (e: unknown) => e instanceof ApiError && e.code === code && e.status.message === message, message);

describe('decodeObject', () => {
  it('defaults apiVersion and kind from the URL and treats null as an empty object', () => {
    assert.deepEqual(decodeObject(Buffer.from('{"metadata":{"name":"a"}}'), 'json', cm), { metadata: { name: 'a' } });
    assert.deepEqual(decodeObject(Buffer.from('null'), 'json', cm), {});
  });

  it('answers an unreadable body with upstream\'s "unrecognized" message and a summary of its first bytes', () => {
    fails(() => decodeObject(Buffer.from('apiVersion: v1\nkind: Pod\n'), 'json', ns), 400,
      "the object provided is unrecognized (must be of type Namespace): couldn't get version/kind; json parse error: invalid character 'a' looking for beginning of value (61706956657273696f6e3a2076310a6b696e643a20506f640a)");
    fails(() => decodeObject(Buffer.from('{"kind":'), 'json', ns), 400,
      'the object provided is unrecognized (must be of type Namespace): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"kind":)');
    fails(() => decodeObject(Buffer.from('{"kind":1}'), 'json', ns), 400,
      'the object provided is unrecognized (must be of type Namespace): couldn\'t get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string ({"kind":1})');
  });

  it('refuses a body of another kind the way the conversion upstream fails', () => {
    fails(() => decodeObject(Buffer.from('{"apiVersion":"v1","kind":"Pod"}'), 'json', ns), 400,
      'Pod in version "v1" cannot be handled as a Namespace: converting (v1.Pod) to (core.Namespace): unknown conversion');
    fails(() => decodeObject(Buffer.from('{"apiVersion":"apps/v1","kind":"Deployment"}'), 'json', { apiVersion: 'apps/v1', kind: 'ReplicaSet' }), 400,
      'Deployment in version "v1" cannot be handled as a ReplicaSet: converting (v1.Deployment) to (apps.ReplicaSet): unknown conversion');
    fails(() => decodeObject(Buffer.from('{"apiVersion":"v1","kind":"Foo"}'), 'json', ns), 400,
      'Foo in version "v1" cannot be handled as a Namespace: no kind "Foo" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"');
  });

  it('runs the typed decode before anything else sees the object', () => {
    fails(() => decodeObject(Buffer.from('{"data":{"a":true}}'), 'json', cm), 400,
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal bool into Go struct field ConfigMap.data of type string');
    fails(() => decodeObject(Buffer.from('data:\n  a: [1]\n'), 'yaml', cm), 400,
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ConfigMap.data of type string');
  });

  it('refuses duplicate keys only under Strict', () => {
    const dup = Buffer.from('{"data":{"a":"1","a":"2"}}');
    assert.deepEqual(decodeObject(dup, 'json', cm), { data: { a: '2' } });
    fails(() => decodeObject(dup, 'json', cm, { strict: true }), 400, 'strict decoding error: duplicate field "a"');
  });
});

describe('decodeDeleteOptions', () => {
  it('is empty for an empty body and a 400 for a mistyped one', () => {
    assert.equal(decodeDeleteOptions(Buffer.alloc(0), 'json'), undefined);
    assert.deepEqual(decodeDeleteOptions(Buffer.from('{"gracePeriodSeconds":0}'), 'json'), { gracePeriodSeconds: 0 });
    fails(() => decodeDeleteOptions(Buffer.from('{"gracePeriodSeconds":"now"}'), 'json'), 400,
      'json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64');
  });
});
