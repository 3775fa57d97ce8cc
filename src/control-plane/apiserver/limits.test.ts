import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.ts';
import { InFlightLimiter, isLongRunning, isMutating, RequestTracker, WatchQuota } from './limits.ts';

const info = (method: string, path: string) => parseRequestInfo(method, new URL(path, 'https://x').pathname, new URL(path, 'https://x').searchParams);
const user = { name: 'alice', groups: ['system:authenticated'] };
const admin = { name: 'root', groups: ['system:masters', 'system:authenticated'] };

test('long-running requests are watches, proxies and the streaming subresources', () => {
  assert.equal(isLongRunning(info('GET', '/api/v1/pods?watch=true')), true);
  assert.equal(isLongRunning(info('GET', '/api/v1/watch/namespaces/a/pods')), true);
  assert.equal(isLongRunning(info('GET', '/api/v1/namespaces/a/pods/p/log')), true);
  assert.equal(isLongRunning(info('POST', '/api/v1/namespaces/a/pods/p/exec')), true);
  assert.equal(isLongRunning(info('GET', '/api/v1/namespaces/a/pods/p')), false);
  assert.equal(isLongRunning(info('GET', '/api/v1/pods')), false);
  assert.equal(isLongRunning(info('GET', '/version')), false);
});

test('mutating means any verb but get, list and watch; non-resource requests go by their method', () => {
  assert.equal(isMutating(info('GET', '/api/v1/pods'), 'GET'), false);
  assert.equal(isMutating(info('POST', '/api/v1/namespaces/a/pods'), 'POST'), true);
  assert.equal(isMutating(info('PATCH', '/api/v1/namespaces/a/pods/p'), 'PATCH'), true);
  assert.equal(isMutating(info('DELETE', '/api/v1/namespaces/a/pods'), 'DELETE'), true);
  assert.equal(isMutating(info('GET', '/healthz'), 'GET'), false);
  assert.equal(isMutating(info('POST', '/healthz'), 'POST'), true);
});

test('each budget fills on its own; releasing frees a slot once; masters and watches pass a full budget', () => {
  const l = new InFlightLimiter({ maxRequestsInflight: 2, maxMutatingRequestsInflight: 1 });
  const get = info('GET', '/api/v1/pods');
  const post = info('POST', '/api/v1/namespaces/a/pods');
  const r1 = l.admit(get, 'GET', user);
  const r2 = l.admit(get, 'GET', user);
  assert.ok(r1 && r2);
  assert.equal(l.admit(get, 'GET', user), undefined);
  const w = l.admit(post, 'POST', user);
  assert.ok(w);
  assert.equal(l.admit(post, 'POST', user), undefined);
  assert.ok(l.admit(post, 'POST', admin), 'system:masters always gets an answer');
  assert.ok(l.admit(info('GET', '/api/v1/pods?watch=1'), 'GET', user), 'watches are not counted');
  r1();
  r1();
  assert.deepEqual(l.inUse, { readOnly: 1, mutating: 1 });
  assert.ok(l.admit(get, 'GET', user));
  assert.equal(l.admit(get, 'GET', user), undefined);
});

test('a limit of 0 means no limit', () => {
  const l = new InFlightLimiter({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 0 });
  for (let i = 0; i < 1000; i++) assert.ok(l.admit(info('POST', '/api/v1/namespaces/a/pods'), 'POST', user));
});

test('the watch quota counts per user, frees on release and forgets users without watches', () => {
  const q = new WatchQuota(2);
  const a1 = q.acquire('alice');
  const a2 = q.acquire('alice');
  assert.ok(a1 && a2);
  assert.equal(q.acquire('alice'), undefined);
  assert.ok(q.acquire('bob'));
  a1();
  a1();
  assert.equal(q.count('alice'), 1);
  a2();
  assert.equal(q.count('alice'), 0);
  const status = q.error().status;
  assert.equal(status.code, 429);
  assert.equal(status.reason, 'TooManyRequests');
  assert.equal(status.details?.retryAfterSeconds, 1);
});

test('the request tracker resolves idle() when the last request ends, or at the bound', async () => {
  const t = new RequestTracker();
  await t.idle(10_000); // nothing in flight: at once
  t.begin();
  t.begin();
  const idle = t.idle(10_000);
  t.end();
  assert.equal(t.inFlight, 1);
  t.end();
  await idle;
  t.begin();
  const started = Date.now();
  await t.idle(50);
  assert.ok(Date.now() - started >= 45, 'bounded wait ends at its bound');
  t.end();
});
