// Query parameters read as upstream's url.Values conversion reads them: booleans, integers, first-of-repeated,
// dryRun lists, DeleteOptions from the body or the query, and the 400/422 answers to bad values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.ts';
import { boolParam, deleteOptionsOf, dryRunOf, fieldValidationOf, forceOf, intParam, listOptionsOf, optionalBoolParam } from './query.ts';

const q = (s: string) => new URLSearchParams(s);

function rejects(fn: () => unknown, code: number, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.status.message, message);
    return true;
  });
}

test('booleans: false only when absent, "0" or "false" in any case', () => {
  for (const v of ['true', 'True', 'TRUE', '1', '', 'yes', 'anything']) assert.equal(boolParam(q(`watch=${v}`), 'watch'), true, v);
  assert.equal(boolParam(q('watch'), 'watch'), true, 'a bare key is an empty value');
  for (const v of ['false', 'False', 'FALSE', '0']) assert.equal(boolParam(q(`watch=${v}`), 'watch'), false, v);
  assert.equal(boolParam(q(''), 'watch'), false);
  assert.equal(optionalBoolParam(q(''), 'sendInitialEvents'), undefined);
  assert.equal(optionalBoolParam(q('sendInitialEvents=False'), 'sendInitialEvents'), false);
  // Repeated: the first value decides.
  assert.equal(boolParam(q('watch=false&watch=true'), 'watch'), false);
  assert.equal(boolParam(q('watch=1&watch=0'), 'watch'), true);
});

test('integers: strconv.ParseInt base 10, first value, strconv messages on a 400', () => {
  assert.equal(intParam(q('limit=500'), 'limit'), 500);
  assert.equal(intParam(q('limit=%2B7'), 'limit'), 7);
  assert.equal(intParam(q('limit=-3'), 'limit'), -3);
  assert.equal(intParam(q('limit=2&limit=abc'), 'limit'), 2);
  assert.equal(intParam(q(''), 'limit'), undefined);
  rejects(() => intParam(q('limit=abc'), 'limit'), 400, 'strconv.ParseInt: parsing "abc": invalid syntax');
  rejects(() => intParam(q('limit='), 'limit'), 400, 'strconv.ParseInt: parsing "": invalid syntax');
  rejects(() => intParam(q('limit=1.5'), 'limit'), 400, 'strconv.ParseInt: parsing "1.5": invalid syntax');
  rejects(() => intParam(q('limit=0x10'), 'limit'), 400, 'strconv.ParseInt: parsing "0x10": invalid syntax');
  rejects(() => intParam(q('timeoutSeconds=9223372036854775808'), 'timeoutSeconds'), 400,
    'strconv.ParseInt: parsing "9223372036854775808": value out of range');
});

test('ListOptions in one read', () => {
  assert.deepEqual(listOptionsOf(q('watch=True&allowWatchBookmarks=1&timeoutSeconds=30&resourceVersion=5&resourceVersion=9&limit=10&continue=c')), {
    watch: true, allowWatchBookmarks: true, sendInitialEvents: undefined, resourceVersion: '5', resourceVersionMatch: undefined,
    timeoutSeconds: 30, limit: 10, continue: 'c',
  });
  assert.deepEqual(listOptionsOf(q('')), {
    watch: false, allowWatchBookmarks: false, sendInitialEvents: undefined, resourceVersion: undefined, resourceVersionMatch: undefined,
    timeoutSeconds: undefined, limit: undefined, continue: undefined,
  });
  rejects(() => listOptionsOf(q('watch=1&timeoutSeconds=soon')), 400, 'strconv.ParseInt: parsing "soon": invalid syntax');
});

test('dryRun is a list whose every value must be All', () => {
  assert.equal(dryRunOf(q('')), false);
  assert.equal(dryRunOf(q('dryRun=All')), true);
  assert.equal(dryRunOf(q('dryRun=All&dryRun=All')), true);
  rejects(() => dryRunOf(q('dryRun=All&dryRun=Some'), 'UpdateOptions'), 422,
    'UpdateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"All", "Some"}: supported values: "All"');
  rejects(() => dryRunOf(q('dryRun='), 'CreateOptions'), 422,
    'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{""}: supported values: "All"');
});

test('fieldValidation: a directive, empty means Warn, anything else a 422', () => {
  assert.equal(fieldValidationOf(q('')), 'Warn');
  assert.equal(fieldValidationOf(q('fieldValidation=')), 'Warn');
  assert.equal(fieldValidationOf(q('fieldValidation=Strict&fieldValidation=Ignore')), 'Strict');
  rejects(() => fieldValidationOf(q('fieldValidation=strict'), 'PatchOptions'), 422,
    'PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"');
});

test('force only for server-side apply', () => {
  assert.equal(forceOf(q('force=True'), true), true);
  assert.equal(forceOf(q('force=false'), false), false);
  rejects(() => forceOf(q('force=1'), false), 422, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
});

test('DeleteOptions come from the body, or from the query only when there is no body', () => {
  assert.deepEqual(deleteOptionsOf(q('gracePeriodSeconds=0&orphanDependents=False&dryRun=All'), undefined),
    { gracePeriodSeconds: 0, orphanDependents: false, dryRun: ['All'] });
  assert.deepEqual(deleteOptionsOf(q('gracePeriodSeconds=0&propagationPolicy=Orphan'), { propagationPolicy: 'Foreground' }),
    { propagationPolicy: 'Foreground' });
  assert.deepEqual(deleteOptionsOf(q('gracePeriodSeconds=-5'), undefined), { gracePeriodSeconds: 1 });
  assert.deepEqual(deleteOptionsOf(q(''), { apiVersion: 'apps/v1', kind: 'DeleteOptions', dryRun: ['All'] }),
    { apiVersion: 'apps/v1', kind: 'DeleteOptions', dryRun: ['All'] });
  rejects(() => deleteOptionsOf(q('dryRun=All'), { apiVersion: 'apps/v1', kind: 'Deployment' }), 400,
    'no kind "Deployment" is registered for version "apps/v1"');
  rejects(() => deleteOptionsOf(q('gracePeriodSeconds=soon'), undefined), 400, 'strconv.ParseInt: parsing "soon": invalid syntax');
  rejects(() => deleteOptionsOf(q('propagationPolicy=Sideways'), undefined), 422,
    'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"');
  rejects(() => deleteOptionsOf(q(''), { orphanDependents: true, propagationPolicy: 'Orphan', dryRun: ['Nope'] }), 422,
    'DeleteOptions.meta.k8s.io "" is invalid: [propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set, ' +
    'dryRun: Unsupported value: []string{"Nope"}: supported values: "All"]');
});
