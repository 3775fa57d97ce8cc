import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  difference, emptySet, fromFieldsV1, has, insert, intersection, keyElement, pathString, paths, recursiveDifference,
  toFieldsV1, union, valueElement,
} from './fieldpath.ts';

describe('field path sets', () => {
  it('round-trips FieldsV1, with "." for nodes that are members and parents', () => {
    const wire = {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {} } }, 'f:replicas': {} },
    };
    const s = fromFieldsV1(wire);
    assert.ok(has(s, ['f:metadata', 'f:labels']));
    assert.ok(has(s, ['f:metadata', 'f:labels', 'f:app']));
    assert.ok(!has(s, ['f:metadata']));
    assert.deepEqual(toFieldsV1(s), wire);
  });

  it('orders fields, then keys (numbers numerically), then values', () => {
    const s = emptySet();
    insert(s, ['f:ports', keyElement({ protocol: 'TCP', containerPort: 443 })]);
    insert(s, ['f:ports', keyElement({ containerPort: 80, protocol: 'TCP' })]);
    insert(s, ['f:ports', 'f:zz']);
    insert(s, ['f:finalizers', valueElement('b')]);
    insert(s, ['f:finalizers', valueElement('a')]);
    assert.deepEqual(JSON.stringify(toFieldsV1(s)),
      '{"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}},"f:ports":{"f:zz":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{},' +
      '"k:{\\"containerPort\\":443,\\"protocol\\":\\"TCP\\"}":{}}}');
  });

  it('set algebra', () => {
    const a = fromFieldsV1({ 'f:spec': { 'f:a': {}, 'f:b': {} }, 'f:x': {} });
    const b = fromFieldsV1({ 'f:spec': { 'f:b': {}, 'f:c': {} } });
    assert.deepEqual(toFieldsV1(union(a, b)), { 'f:spec': { 'f:a': {}, 'f:b': {}, 'f:c': {} }, 'f:x': {} });
    assert.deepEqual(toFieldsV1(intersection(a, b)), { 'f:spec': { 'f:b': {} } });
    assert.deepEqual(toFieldsV1(difference(a, b)), { 'f:spec': { 'f:a': {} }, 'f:x': {} });
    assert.deepEqual(toFieldsV1(recursiveDifference(a, fromFieldsV1({ 'f:spec': {} }))), { 'f:x': {} });
  });

  it('prints paths as upstream does in conflicts', () => {
    assert.equal(pathString(['f:spec', 'f:template', 'f:spec', 'f:containers', keyElement({ name: 'nginx' }), 'f:image']),
      '.spec.template.spec.containers[name="nginx"].image');
    assert.equal(pathString(['f:spec', 'f:ports', keyElement({ port: 80, protocol: 'TCP' })]), '.spec.ports[port=80,protocol="TCP"]');
    assert.equal(pathString(['f:metadata', 'f:finalizers', valueElement('x')]), '.metadata.finalizers[="x"]');
  });

  it('lists members before children', () => {
    const s = fromFieldsV1({ 'f:b': { 'f:c': {} }, 'f:a': {} });
    assert.deepEqual(paths(s), [['f:a'], ['f:b', 'f:c']]);
  });
});
