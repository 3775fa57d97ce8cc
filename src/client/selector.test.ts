import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, labelSelectorMatcher, parseLabelSelector } from './selector.ts';

test('string selectors: equality, sets, existence', () => {
  const m = parseLabelSelector('app=web, tier in (front, back),!legacy,env!=prod,track');
  assert.equal(m({ app: 'web', tier: 'front', track: 'x' }), true);
  assert.equal(m({ app: 'web', tier: 'front', track: 'x', env: 'prod' }), false);
  assert.equal(m({ app: 'web', tier: 'front', track: 'x', legacy: '' }), false);
  assert.equal(m({ app: 'web', tier: 'mid', track: 'x' }), false);
  assert.equal(m({ app: 'web', tier: 'back' }), false);
  assert.equal(parseLabelSelector('')(undefined), true);
  assert.equal(parseLabelSelector('a notin (x)')({}), true);
  assert.equal(parseLabelSelector('a==1')({ a: '1' }), true);
  assert.throws(() => parseLabelSelector('a in x'));
});

test('LabelSelector objects: nil matches nothing, empty matches everything', () => {
  assert.equal(labelSelectorMatcher(undefined)({ a: 'b' }), false);
  assert.equal(labelSelectorMatcher({})({ a: 'b' }), true);
  const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }, { key: 'old', operator: 'DoesNotExist' }] };
  const m = labelSelectorMatcher(sel);
  assert.equal(m({ app: 'web', tier: 'a' }), true);
  assert.equal(m({ app: 'web', tier: 'a', old: '1' }), false);
  // Upstream's String() orders requirements by key.
  assert.equal(formatLabelSelector(sel), 'app=web,!old,tier in (a,b)');
  assert.equal(parseLabelSelector(formatLabelSelector(sel))({ app: 'web', tier: 'b' }), true);
  assert.throws(() => labelSelectorMatcher({ matchExpressions: [{ key: 'a', operator: 'Gt' }] }));
});
