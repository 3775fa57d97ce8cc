import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.ts';
import { labelSelectorFromObject, parseLabelSelector, selectorFromSet } from './labels.ts';

function parseError(s: string): string {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(s)} to fail`);
}

test('equality and set-based requirements match like upstream', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app=web,tier=back', false],
    ['app=web, tier in (front)', true],
    ['n>4', true],
    ['n<5', false],
    ['missing>1', false],
    ['app in (in,notin)', false],
  ];
  for (const [sel, want] of cases) assert.equal(parseLabelSelector(sel).matches(labels), want, sel);
  assert.equal(parseLabelSelector('app').matches(undefined), false);
  assert.equal(parseLabelSelector('!app').matches(undefined), true);
});

test('empty values: "x=" and "x in ()" select the empty value', () => {
  assert.equal(parseLabelSelector('x=').matches({ x: '' }), true);
  assert.equal(parseLabelSelector('x in ()').matches({ x: '' }), true);
  assert.equal(parseLabelSelector('x in (,a)').matches({ x: '' }), true);
});

test('toString is canonical: sorted by key, set values sorted', () => {
  assert.equal(parseLabelSelector('z in (b,a),a!=2,!m,k').toString(), 'a!=2,k,!m,z in (a,b)');
  assert.equal(parseLabelSelector('x==y').toString(), 'x==y');
  assert.equal(parseLabelSelector('').toString(), '');
  assert.equal(parseLabelSelector('').empty, true);
});

test('syntax errors carry upstream messages', () => {
  assert.equal(parseError('x=a b'), "found 'b', expected: ',' or 'end of string'");
  assert.equal(parseError('=a'), "found '=', expected: !, identifier, or 'end of string'");
  assert.equal(parseError('x in a'), "unable to parse requirement: found 'a' expected: '('");
  assert.equal(parseError('x,'), "found '', expected: identifier after ','");
  assert.equal(parseError('x (a)'), "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(parseError('x in (a b)'), "unable to parse requirement: found 'b', expected: ',' or ')'");
  assert.equal(
    parseError('a@b'),
    "unable to parse requirement: <nil>: Invalid value: \"a@b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  );
  assert.equal(
    parseError('x=a@b'),
    "unable to parse requirement: values[0][x]: Invalid value: \"a@b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  );
  assert.equal(parseError('x>a'), "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer");
});

test('metav1.LabelSelector: null matches nothing, {} everything, expressions as upstream', () => {
  assert.equal(labelSelectorFromObject(null).matches({ a: 'b' }), false);
  assert.equal(labelSelectorFromObject(undefined).matches({}), false);
  assert.equal(labelSelectorFromObject({}).matches({ a: 'b' }), true);
  const sel = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['front', 'edge'] },
      { key: 'legacy', operator: 'DoesNotExist' },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'team', operator: 'Exists' },
    ],
  });
  assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x' }), true);
  assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x', legacy: '1' }), false);
  assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x', env: 'prod' }), false);
  assert.equal(sel.matches({ app: 'web', tier: 'edge' }), false);
  assert.equal(sel.toString(), 'app=web,env notin (prod),!legacy,team,tier in (edge,front)');
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), /"Bogus" is not a valid label selector operator/);
});

test('selectorFromSet matches exactly the set', () => {
  const sel = selectorFromSet({ b: '2', a: '1' });
  assert.equal(sel.toString(), 'a=1,b=2');
  assert.equal(sel.matches({ a: '1', b: '2', c: '3' }), true);
  assert.equal(sel.matches({ a: '1' }), false);
  assert.equal(selectorFromSet({}).matches(undefined), true);
});
