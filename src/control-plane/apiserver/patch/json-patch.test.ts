import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { applyPatch } from './index.ts';

const cm: KubeObject = {
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'default', labels: { a: '1' } },
  data: { k: 'v', list: 'x' },
};
const dep: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } } },
};

function json(obj: KubeObject, patch: unknown): KubeObject {
  return applyPatch({ obj, patchType: 'json', patch: JSON.stringify(patch), kindKey: 'v1/ConfigMap' });
}

function rejectedWith(fn: () => unknown, cause: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 422);
    assert.equal(e.status.reason, 'Invalid');
    assert.equal(e.status.message, 'the server rejected our request due to an error in our request');
    assert.deepEqual(e.status.details?.causes, [{ reason: 'UnexpectedServerResponse', message: cause }]);
    return true;
  });
}

describe('JSON patch (RFC 6902)', () => {
  it('applies add, replace, remove, copy, move, test', () => {
    const out = json(cm, [
      { op: 'test', path: '/data/k', value: 'v' },
      { op: 'add', path: '/metadata/labels/b', value: '2' },
      { op: 'replace', path: '/data/k', value: 'w' },
      { op: 'remove', path: '/data/list' },
      { op: 'copy', from: '/data/k', path: '/data/k2' },
      { op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/c' },
    ]);
    assert.deepEqual(out.metadata?.labels, { b: '2', c: '1' });
    assert.deepEqual(out.data, { k: 'w', k2: 'w' });
  });

  it('does not mutate the input', () => {
    const before = structuredClone(cm);
    json(cm, [{ op: 'replace', path: '/data/k', value: 'changed' }]);
    assert.deepEqual(cm, before);
  });

  it('indexes into and appends to arrays', () => {
    const out = applyPatch({
      obj: dep, patchType: 'json', kindKey: 'apps/v1/Deployment',
      patch: JSON.stringify([
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'a:2' },
        { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'c', image: 'c' } },
        { op: 'remove', path: '/spec/template/spec/containers/1' },
      ]),
    });
    const containers = (out.spec as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers;
    assert.deepEqual(containers.map((c) => `${c.name}=${c.image}`), ['a=a:2', 'c=c']);
  });

  it('a failed test is 422 with the json-patch message as cause', () => {
    rejectedWith(() => json(cm, [{ op: 'test', path: '/data/k', value: 'nope' }]), 'testing value /data/k failed: test failed');
  });

  it('a test of a missing key fails, of a missing parent names the path', () => {
    rejectedWith(() => json(cm, [{ op: 'test', path: '/data/zz', value: 'x' }]), 'testing value /data/zz failed: test failed');
    rejectedWith(() => json(cm, [{ op: 'test', path: '/nope/zz', value: 'x' }]), 'test operation does not apply: is missing path: /nope/zz: missing value');
  });

  it('remove / replace of missing paths are 422', () => {
    rejectedWith(() => json(cm, [{ op: 'remove', path: '/data/zz' }]),
      "error in remove for path: '/data/zz': Unable to remove nonexistent key: zz: missing value");
    rejectedWith(() => json(cm, [{ op: 'remove', path: '/spec/x' }]),
      'remove operation does not apply: doc is missing path: "/spec/x": missing value');
    rejectedWith(() => json(cm, [{ op: 'replace', path: '/data/zz', value: 1 }]),
      'replace operation does not apply: doc is missing key: /data/zz: missing value');
    rejectedWith(() => json(cm, [{ op: 'add', path: '/spec/x/y', value: 1 }]),
      'add operation does not apply: doc is missing path: "/spec/x/y": missing value');
  });

  it('an unknown op is 422 "Unexpected kind"', () => {
    rejectedWith(() => json(cm, [{ op: 'spam', path: '/data/k' }]), 'Unexpected kind: spam');
  });

  it('a body that is not a JSON array of operations is 400', () => {
    for (const [body, message] of [
      ['{"op":"add"}', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
      ['[1]', 'json: cannot unmarshal number into Go value of type jsonpatch.Operation'],
      ['nope', "invalid character 'o' in literal null (expecting 'u')"],
    ]) {
      assert.throws(() => applyPatch({ obj: cm, patchType: 'json', patch: body, kindKey: 'v1/ConfigMap' }),
        (e: unknown) => e instanceof ApiError && e.code === 400 && e.status.message === message);
    }
  });

  it('more than 10000 operations is 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/data/k', value: 'v' }));
    assert.throws(() => json(cm, ops), (e: unknown) => e instanceof ApiError && e.code === 413 &&
      (e.status.message ?? '').endsWith('The allowed maximum operations in a JSON patch is 10000, got 10001'));
  });

  it('accepts a Buffer body', () => {
    const out = applyPatch({ obj: cm, patchType: 'json', patch: Buffer.from('[{"op":"add","path":"/data/n","value":"1"}]'), kindKey: 'v1/ConfigMap' });
    assert.equal((out.data as Record<string, string>).n, '1');
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  const merge = (obj: KubeObject, patch: unknown): KubeObject =>
    applyPatch({ obj, patchType: 'merge', patch: JSON.stringify(patch), kindKey: 'apps/v1/Deployment' });

  it('merges objects, null deletes, lists replace', () => {
    const out = merge(dep, { metadata: { labels: { x: 'y' } }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'z', image: 'z' }] } } } });
    assert.deepEqual(out.metadata, { name: 'd', labels: { x: 'y' } });
    assert.deepEqual(out.spec, { replicas: 3, template: { spec: { containers: [{ name: 'z', image: 'z' }] } } });
    const removed = merge(cm, { data: { k: null }, metadata: { labels: null } });
    assert.deepEqual(removed.data, { list: 'x' });
    assert.equal(removed.metadata?.labels, undefined);
  });

  it('kubectl scale sends {"spec":{"replicas":N}}', () => {
    assert.equal((merge(dep, { spec: { replicas: 4 } }).spec as { replicas: number }).replicas, 4);
  });

  it('nulls inside a newly added object are dropped', () => {
    const out = merge(cm, { extra: { a: null, b: 1 } });
    assert.deepEqual(out.extra, { b: 1 });
  });

  it('a non-object body is 400 Invalid JSON Patch', () => {
    for (const body of ['[1]', '"x"', '{']) {
      assert.throws(() => applyPatch({ obj: cm, patchType: 'merge', patch: body, kindKey: 'v1/ConfigMap' }),
        (e: unknown) => e instanceof ApiError && e.code === 400 && e.status.message === 'Invalid JSON Patch');
    }
  });
});
