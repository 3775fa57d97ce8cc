import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { CredentialKeyring, keyMatches, repositoryOf } from './credential-keyring.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const json = (auths: Record<string, object>): Secret => ({
  type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
});

test('image names normalise as Docker does', () => {
  assert.equal(repositoryOf('busybox'), 'docker.io/library/busybox');
  assert.equal(repositoryOf('busybox:1.35'), 'docker.io/library/busybox');
  assert.equal(repositoryOf('skiff/busybox:1.35'), 'docker.io/skiff/busybox');
  assert.equal(repositoryOf('index.docker.io/skiff/x@sha256:00'), 'docker.io/skiff/x');
  assert.equal(repositoryOf('127.0.0.1:5000/team/app:2'), '127.0.0.1:5000/team/app');
  assert.equal(repositoryOf('localhost/app'), 'localhost/app');
});

test('keys match on port, host labels (with globs) and path prefix', () => {
  assert.ok(keyMatches('127.0.0.1:5000', '127.0.0.1:5000/team/app'));
  assert.ok(!keyMatches('127.0.0.1', '127.0.0.1:5000/team/app'));
  assert.ok(!keyMatches('127.0.0.1:5001', '127.0.0.1:5000/team/app'));
  assert.ok(keyMatches('*.example.com', 'reg.example.com/app'));
  assert.ok(!keyMatches('*.example.com', 'a.reg.example.com/app'));
  assert.ok(keyMatches('reg.example.com/team', 'reg.example.com/team/app'));
  assert.ok(!keyMatches('reg.example.com/other', 'reg.example.com/team/app'));
});

test('dockerconfigjson: auth decoded, scheme and /v1/ dropped, most specific key first', () => {
  const ring = new CredentialKeyring([
    json({
      'https://reg.example.com/v1/': { auth: b64('host:h-pw') },
      'reg.example.com/team': { username: 'team', password: 't-pw' },
    }),
  ]);
  assert.deepEqual(ring.lookup('reg.example.com/team/app:1'), [
    { username: 'team', password: 't-pw' },
    { username: 'host', password: 'h-pw', auth: b64('host:h-pw') },
  ]);
  assert.deepEqual(ring.lookup('reg.example.com/solo/app'), [{ username: 'host', password: 'h-pw', auth: b64('host:h-pw') }]);
  assert.deepEqual(ring.lookup('other.example.com/app'), []);
});

test('legacy dockercfg, Docker Hub default key, and secrets of other types ignored', () => {
  const ring = new CredentialKeyring([
    { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ 'https://index.docker.io/v1/': { username: 'hub', password: 'x' } })) } },
    { type: 'Opaque', data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'reg.example.com': { username: 'no' } } })) } },
    { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('not json') } },
  ]);
  assert.deepEqual(ring.lookup('busybox'), [{ username: 'hub', password: 'x' }]);
  assert.deepEqual(ring.lookup('docker.io/skiff/app:1'), [{ username: 'hub', password: 'x' }]);
  assert.deepEqual(ring.lookup('reg.example.com/app'), []);
});
