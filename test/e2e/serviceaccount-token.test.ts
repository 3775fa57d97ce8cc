// Service account tokens through real kubectl: `kubectl create token` (a TokenRequest, sent as protobuf) returns a
// JWT the API server then takes as system:serviceaccount:<ns>:<name> from a client holding nothing but the token and
// the CA; a token one character off, or of an account deleted since, is refused (401, kubectl's "Unauthorized"),
// and so is a request shorter than upstream's 10 minutes. Runs an API server in this process (no root needed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;

before(async () => {
  s = await startTestServer();
});

after(async () => {
  await s?.stop();
});

/** kubectl with only the server URL, the cluster CA and a bearer token (no client certificate). */
const asToken = (token: string, args: string[]) => s.kubectl([
  '--kubeconfig', '/dev/null', '--server', s.url, '--certificate-authority', join(s.dataDir, 'server', 'tls', 'server-ca.crt'), '--token', token, ...args,
]);

test('kubectl create token gives a token the API server takes as the account, until the account is gone', async () => {
  assert.equal((await s.kubectl(['create', 'serviceaccount', 'robot'])).code, 0);
  const made = await s.kubectl(['create', 'token', 'robot', '--duration=20m']);
  assert.equal(made.code, 0, made.stderr);
  const token = made.stdout.trim();
  assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  const listed = await asToken(token, ['get', 'serviceaccounts', '-o', 'name']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^serviceaccount\/robot$/m);
  // one character of the signature changed (not the last, whose low bits base64url may not use)
  const at = token.length - 20;
  const wrong = await asToken(`${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`, ['get', 'serviceaccounts']);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /Unauthorized/);
  const short = await s.kubectl(['create', 'token', 'robot', '--duration=5m']);
  assert.notEqual(short.code, 0);
  assert.match(short.stderr, /may not specify a duration less than 10 minutes/);
  assert.equal((await s.kubectl(['delete', 'serviceaccount', 'robot'])).code, 0);
  const gone = await asToken(token, ['get', 'serviceaccounts']);
  assert.notEqual(gone.code, 0, 'the token of a deleted account is refused');
  assert.match(gone.stderr, /Unauthorized/);
});
