// The merges by themselves (without the decoding boundary in front, which refuses `__proto__`): keys that name
// prototype machinery are plain data in every merge, and nothing is ever assigned through Object.prototype.
import assert from 'node:assert/strict';
import { describe, it, afterEach } from 'node:test';
import { strategicMergePatch } from './strategic.ts';
import { applyJsonPatch } from './json-patch.ts';
import { merge, own, setOwn, type JsonObject } from './typed.ts';
import { rootType } from '../../../api/merge-keys.ts';

const hostile = (): JsonObject => JSON.parse(
  '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"metadata":{"__proto__":{"polluted":"yes"},"labels":{"__proto__":"x"}}}',
) as JsonObject;
const cm = (): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: 'b' } }, data: { a: 'b' } });

afterEach(() => {
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
  assert.deepEqual(Object.keys(Object.prototype), []);
});

describe('merges treat prototype keys as data', () => {
  it('own/setOwn never read or write through the prototype chain', () => {
    const o: JsonObject = {};
    assert.equal(own(o, '__proto__'), undefined);
    assert.equal(own(o, 'constructor'), undefined);
    setOwn(o, '__proto__', { polluted: 'yes' });
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.keys(o), ['__proto__']);
  });

  it('strategic merge', () => {
    const out = strategicMergePatch(cm(), hostile(), 'v1/ConfigMap');
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.equal(Object.getPrototypeOf(out.metadata), Object.prototype);
  });

  it('server-side apply merge', () => {
    const out = merge(cm(), hostile(), { typeName: rootType('v1/ConfigMap') }) as JsonObject;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(Object.hasOwn(out, '__proto__'));
  });

  it('JSON-patch paths through __proto__ and constructor are refused', () => {
    for (const path of ['/__proto__/polluted', '/constructor/prototype/polluted', '/metadata/__proto__/polluted']) {
      assert.throws(() => applyJsonPatch(cm(), JSON.stringify([{ op: 'add', path, value: 'yes' }])));
    }
  });
});
