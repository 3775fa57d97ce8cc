import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goJsonSyntaxError, maxNestingDepth } from './go-json.ts';

const check = (text: string, opts?: { duplicates?: boolean }) => goJsonSyntaxError(Buffer.from(text, 'utf8'), opts);

describe('goJsonSyntaxError', () => {
  it('accepts well-formed JSON', () => {
    for (const ok of ['{}', '[]', ' {"a":[1,-2.5e+3,true,false,null,"\\u00e9\\n"]} ', '0', '"x"', '{"a":{"a":1},"b":{"a":2}}']) {
      assert.equal(check(ok), undefined, ok);
    }
  });

  it("words each failure as Go's encoding/json scanner does", () => {
    const cases: [string, string][] = [
      ['', 'unexpected end of JSON input'],
      ['apiVersion: v1', "invalid character 'a' looking for beginning of value"],
      ['{"a" 1}', "invalid character '1' after object key"],
      ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
      ['[1 2]', "invalid character '2' after array element"],
      ['{1:2}', "invalid character '1' looking for beginning of object key string"],
      ['"\u0001"', "invalid character '\\x01' in string literal"],
      ['01', "invalid character '1' after top-level value"],
      ['nope', "invalid character 'o' in literal null (expecting 'u')"],
      ['tru', 'unexpected end of JSON input'],
      ['1.x', "invalid character 'x' after decimal point in numeric literal"],
      ['-x', "invalid character 'x' in numeric literal"],
      ['1ex', "invalid character 'x' in exponent of numeric literal"],
      ['"\\q"', "invalid character 'q' in string escape code"],
      ['[1,]', "invalid character ']' looking for beginning of value"],
      ['{"a":1', 'unexpected end of JSON input'],
    ];
    for (const [text, want] of cases) assert.equal(check(text), want, text);
  });

  it('caps nesting at maxNestingDepth', () => {
    const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.equal(check(nest(maxNestingDepth)), undefined);
    assert.equal(check(nest(maxNestingDepth + 1)), "invalid character '[' exceeded max depth");
    assert.equal(check(`${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`), "invalid character '{' exceeded max depth");
  });

  it('reports duplicate keys only when asked', () => {
    assert.equal(check('{"a":1,"a":2}'), undefined);
    assert.equal(check('{"a":1,"a":2}', { duplicates: true }), 'json: duplicate field "a"');
    assert.equal(check('{"a":{"a":1},"b":{"a":2}}', { duplicates: true }), undefined);
  });
});
