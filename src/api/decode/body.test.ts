import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, nestingDepth, parseJson, parseYaml } from './body.ts';

const json = (text: string) => parseJson(Buffer.from(text, 'utf8'));
const refused = (fn: () => unknown, includes: string) =>
  assert.throws(fn, (e: unknown) => e instanceof DecodeError && e.message.includes(includes), includes);

describe('parseJson', () => {
  it('refuses __proto__ keys and constructor.prototype at any depth, keeps plain constructor/prototype keys', () => {
    refused(() => json('{"__proto__":{"x":1}}'), '__proto__');
    refused(() => json('{"a":[{"b":{"\\u005f_proto__":{}}}]}'), '__proto__');
    refused(() => json('{"a":{"constructor":{"prototype":{"x":1}}}}'), 'constructor.prototype');
    assert.deepEqual(json('{"constructor":"c","prototype":"p"}'), { constructor: 'c', prototype: 'p' });
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it("answers malformed and too-deep bodies in Go's words", () => {
    refused(() => json('{"a":'), 'unexpected end of JSON input');
    refused(() => json(`${'['.repeat(5000)}${']'.repeat(5000)}`), 'exceeded max depth');
  });
});

describe('parseYaml', () => {
  it('decodes YAML 1.1 with merge keys', () => {
    assert.deepEqual(parseYaml('b: &b {x: 1}\nm:\n  <<: *b\n  z: yes\n  y: 1\n'), { b: { x: 1 }, m: { x: 1, z: true, true: 1 } }); // 1.1: y is a boolean, as in go-yaml v2
  });

  it('refuses alias bombs, unknown tags, non-finite numbers, prototype keys and deep nesting', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    refused(() => parseYaml(lines.join('\n')), 'excessive aliasing');
    refused(() => parseYaml('a: !!js/function x'), 'unknown tag !!js/function');
    refused(() => parseYaml('a: !local x'), 'unknown tag !local');
    refused(() => parseYaml('a: .inf'), 'unsupported value: +Inf');
    refused(() => parseYaml('__proto__: {x: 1}'), '__proto__');
    refused(() => parseYaml(`a: ${'['.repeat(1500)}${']'.repeat(1500)}`), 'exceeded max depth');
  });

  it('refuses duplicate keys only when decoding strictly', () => {
    assert.deepEqual(parseYaml('a: 1\na: 2\n'), { a: 2 });
    refused(() => parseYaml('a: 1\nb:\n  c: 1\n  c: 2\n', { duplicates: true }), 'yaml: unmarshal errors:\n  line 4: key "c" already set in map');
  });
});

describe('nestingDepth', () => {
  it('counts without recursion and stops past the limit', () => {
    assert.equal(nestingDepth({ a: [{ b: 1 }] }), 3);
    assert.equal(nestingDepth('x'), 0);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.ok(nestingDepth(deep, 10) > 10);
  });
});
