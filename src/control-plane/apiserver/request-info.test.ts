import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.ts';

const q = (s = '') => new URLSearchParams(s);

test('namespaced resource paths', () => {
  assert.deepEqual(parseRequestInfo('GET', '/apis/apps/v1/namespaces/default/deployments/nginx/scale', q()), {
    kind: 'resource', verb: 'get', group: 'apps', version: 'v1', namespace: 'default', resource: 'deployments',
    name: 'nginx', subresource: 'scale', watch: false,
  });
  const list = parseRequestInfo('GET', '/api/v1/namespaces/kube-system/pods', q('watch=true'));
  assert.equal(list.kind, 'resource');
  if (list.kind === 'resource') assert.equal(list.verb, 'watch');
});

test('the namespace object and its subresources', () => {
  const ns = parseRequestInfo('PUT', '/api/v1/namespaces/foo/finalize', q());
  assert.equal(ns.kind, 'resource');
  if (ns.kind === 'resource') {
    assert.equal(ns.resource, 'namespaces');
    assert.equal(ns.name, 'foo');
    assert.equal(ns.namespace, '');
    assert.equal(ns.subresource, 'finalize');
  }
  const get = parseRequestInfo('GET', '/api/v1/namespaces/foo', q());
  if (get.kind === 'resource') assert.deepEqual([get.verb, get.resource, get.name], ['get', 'namespaces', 'foo']);
});

test('discovery and non-resource paths', () => {
  assert.deepEqual(parseRequestInfo('GET', '/apis/apps', q()), { kind: 'discovery', legacy: false, group: 'apps' });
  assert.deepEqual(parseRequestInfo('GET', '/version', q()), { kind: 'nonresource', path: '/version' });
  const dc = parseRequestInfo('DELETE', '/api/v1/namespaces/default/pods', q());
  if (dc.kind === 'resource') assert.equal(dc.verb, 'deletecollection');
  const legacyWatch = parseRequestInfo('GET', '/api/v1/watch/namespaces/default/pods', q());
  if (legacyWatch.kind === 'resource') assert.deepEqual([legacyWatch.verb, legacyWatch.namespace], ['watch', 'default']);
});

test('?watch is read as upstream reads booleans, and only makes a collection GET a watch', () => {
  const verb = (method: string, path: string, query: string) => {
    const r = parseRequestInfo(method, path, q(query));
    return r.kind === 'resource' ? r.verb : r.kind;
  };
  for (const v of ['true', 'True', '1', '']) assert.equal(verb('GET', '/api/v1/pods', `watch=${v}`), 'watch', v);
  for (const v of ['false', 'FALSE', '0']) assert.equal(verb('GET', '/api/v1/pods', `watch=${v}`), 'list', v);
  assert.equal(verb('GET', '/api/v1/namespaces/default/pods/p', 'watch=true'), 'get');
  assert.equal(verb('GET', '/api/v1/watch/namespaces/default/pods/p', ''), 'watch');
  // Another parameter that does not decode still leaves the verb to ?watch; the handler answers 400 for it.
  assert.equal(verb('GET', '/api/v1/pods', 'watch=True&limit=abc'), 'watch');
});
