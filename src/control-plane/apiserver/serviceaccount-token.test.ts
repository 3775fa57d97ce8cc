import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { KubeObject } from '../../api/object.ts';
import { ApiError } from '../../api/errors.ts';
import { ServiceAccountTokens } from './serviceaccount-token.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

function world() {
  const objects = new Map<string, KubeObject>([
    ['serviceaccounts/ns1/default', { metadata: { name: 'default', namespace: 'ns1', uid: 'sa-uid' } }],
    ['pods/ns1/web', { metadata: { name: 'web', namespace: 'ns1', uid: 'pod-uid' } }],
  ]);
  let now = new Date('2026-12-01T00:00:00Z');
  const tokens = (key = privateKey) => new ServiceAccountTokens({
    privateKey: key, lookup: async (r, ns, n) => objects.get(`${r}/${ns}/${n}`), now: () => now,
  });
  return { objects, tokens, step: (s: number) => (now = new Date(now.getTime() + s * 1000)) };
}

const request = (spec: Partial<TokenRequest['spec']>): KubeObject => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } as unknown as KubeObject);
const tokenOf = (r: KubeObject): string => (r as unknown as TokenRequest).status!.token;

test('a TokenRequest gives a token the API server takes as the service account, while it lasts', async () => {
  const w = world();
  const t = w.tokens();
  const sa = w.objects.get('serviceaccounts/ns1/default')!;
  const answer = (await t.issue(sa, request({ expirationSeconds: 600 }), false)) as unknown as TokenRequest;
  assert.deepEqual(answer.spec, { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 600 });
  assert.equal(answer.status!.expirationTimestamp, '2026-12-01T00:10:00.000Z');
  const claims = decodeJwt(answer.status!.token);
  assert.equal(claims.sub, 'system:serviceaccount:ns1:default');
  assert.equal(claims.iss, 'https://kubernetes.default.svc.cluster.local');
  assert.deepEqual(claims['kubernetes.io'], { namespace: 'ns1', serviceaccount: { name: 'default', uid: 'sa-uid' } });
  assert.equal(decodeProtectedHeader(answer.status!.token).alg, 'RS256');
  assert.deepEqual(await t.authenticate(answer.status!.token), {
    name: 'system:serviceaccount:ns1:default', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1'],
  });
  w.step(601);
  assert.equal(await t.authenticate(answer.status!.token), undefined, 'expired');
});

test('tokens of another key, another audience, or for an account or pod no longer there are refused', async () => {
  const w = world();
  const t = w.tokens();
  const sa = w.objects.get('serviceaccounts/ns1/default')!;
  assert.equal(await t.authenticate(tokenOf(await w.tokens(other).issue(sa, request({}), false))), undefined, 'another key');
  assert.equal(await t.authenticate(tokenOf(await t.issue(sa, request({ audiences: ['vault'] }), false))), undefined, 'another audience');
  assert.equal(await t.authenticate('not.a.jwt'), undefined);
  const bound = tokenOf(await t.issue(sa, request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'pod-uid' } }), false));
  assert.ok(await t.authenticate(bound));
  w.objects.set('pods/ns1/web', { metadata: { name: 'web', namespace: 'ns1', uid: 'new-uid' } });
  assert.equal(await t.authenticate(bound), undefined, 'the pod it was bound to is gone (same name, new uid)');
  const plain = tokenOf(await t.issue(sa, request({}), false));
  w.objects.set('serviceaccounts/ns1/default', { metadata: { name: 'default', namespace: 'ns1', uid: 'sa-uid-2' } });
  assert.equal(await t.authenticate(plain), undefined, 'the account was re-created');
});

test('a pod\'s 3607 s token lasts a year (reported as asked); bad requests are refused as upstream', async () => {
  const w = world();
  const t = w.tokens();
  const sa = w.objects.get('serviceaccounts/ns1/default')!;
  const answer = (await t.issue(sa, request({ expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', name: 'web' } }), false)) as unknown as TokenRequest;
  assert.equal(answer.status!.expirationTimestamp, '2026-12-01T01:00:07.000Z');
  const claims = decodeJwt(answer.status!.token);
  assert.equal(claims.exp! - claims.iat!, 365 * 24 * 3600);
  assert.deepEqual(claims['kubernetes.io'], { namespace: 'ns1', serviceaccount: { name: 'default', uid: 'sa-uid' }, pod: { name: 'web', uid: 'pod-uid' }, warnafter: claims.iat! + 3607 });
  w.step(7200);
  assert.ok(await t.authenticate(answer.status!.token));
  await assert.rejects(t.issue(sa, request({ expirationSeconds: 599 }), false), (e: unknown) => e instanceof ApiError && e.code === 400 && /less than 10 minutes/.test(e.message));
  await assert.rejects(t.issue(sa, request({ boundObjectRef: { kind: 'Pod', name: 'gone' } }), false), (e: unknown) => e instanceof ApiError && e.code === 404);
  await assert.rejects(t.issue(sa, request({ boundObjectRef: { kind: 'Pod', name: 'web', uid: 'x' } }), false), (e: unknown) => e instanceof ApiError && e.code === 409);
  assert.equal(tokenOf(await t.issue(sa, request({}), true)), '', 'dry run: no token');
});
