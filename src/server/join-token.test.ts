import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA } from '../pki/certs.ts';
import { caHash, ensureJoinSecret, formatJoinToken, JoinTokenError, parseJoinToken, sameSecret } from './join-token.ts';

test('join tokens: the K10 form carries the CA hash and the secret; a bare token is its own secret', async () => {
  const ca = await createCA('test-ca');
  const token = formatJoinToken(ca.certPem, 's3cret');
  assert.match(token, /^K10[0-9a-f]{64}::server:s3cret$/);
  assert.deepEqual(parseJoinToken(token), { caHash: caHash(ca.certPem), secret: 's3cret' });
  assert.deepEqual(parseJoinToken(' s3cret\n'), { secret: 's3cret' });
  const bad: [string, RegExp][] = [
    ['', /empty/],
    [`K10${'a'.repeat(64)}::server:`, /empty secret/],
    [`K10${'a'.repeat(63)}::server:x`, /CA hash is not 64 hex digits/],
    ['K10nothing', /malformed/],
    ['two words', /whitespace/],
  ];
  for (const [text, message] of bad) assert.throws(() => parseJoinToken(text), (e) => e instanceof JoinTokenError && message.test(e.message), text);
});

test('secrets compare whole: same length but one character off, a prefix, and the empty secret do not match', () => {
  assert.equal(sameSecret('abcdef', 'abcdef'), true);
  assert.equal(sameSecret('abcdeg', 'abcdef'), false);
  assert.equal(sameSecret('abcde', 'abcdef'), false);
  assert.equal(sameSecret('', ''), false);
});

const mode = (path: string): number => statSync(path).mode & 0o777;

test('the join secret is made once (mode 600), kept across restarts, and set by --token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-join-'));
  try {
    mkdirSync(join(dir, 'server'));
    const ca = await createCA('test-ca');
    const first = ensureJoinSecret(dir, ca.certPem);
    assert.match(first.secret, /^[0-9a-f]{64}$/);
    assert.deepEqual(first.notices, []);
    for (const file of [first.tokenFile, first.nodeTokenFile]) {
      assert.equal(readFileSync(file, 'utf8'), formatJoinToken(ca.certPem, first.secret) + '\n');
      assert.equal(mode(file), 0o600);
    }
    assert.equal(ensureJoinSecret(dir, ca.certPem).secret, first.secret);
    // a new CA changes the hash in front, not the secret
    const ca2 = await createCA('test-ca-2');
    assert.equal(ensureJoinSecret(dir, ca2.certPem).secret, first.secret);
    assert.equal(readFileSync(first.nodeTokenFile, 'utf8').trim(), formatJoinToken(ca2.certPem, first.secret));
    // --token, bare or whole, wins and is kept; an empty one is no token (k3s)
    assert.equal(ensureJoinSecret(dir, ca2.certPem, 'mine').secret, 'mine');
    assert.equal(ensureJoinSecret(dir, ca2.certPem).secret, 'mine');
    assert.equal(ensureJoinSecret(dir, ca2.certPem, formatJoinToken(ca2.certPem, 'whole')).secret, 'whole');
    assert.equal(ensureJoinSecret(dir, ca2.certPem, '').secret, 'whole');
    assert.throws(() => ensureJoinSecret(dir, ca2.certPem, formatJoinToken(ca.certPem, 'x')), /--token pins a CA .* not this data dir's cluster CA/);
    assert.throws(() => ensureJoinSecret(dir, ca2.certPem, `K10${'0'.repeat(64)}::server:`), /empty secret/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an older data dir's token, which was also the admin's bearer token, is retired: new secret, node-token rewritten, tokens.csv gone", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-join-old-'));
  try {
    const ca = await createCA('test-ca');
    const old = 'd'.repeat(48);
    mkdirSync(join(dir, 'server', 'cred'), { recursive: true });
    writeFileSync(join(dir, 'server', 'token'), old + '\n', { mode: 0o600 });
    writeFileSync(join(dir, 'server', 'node-token'), formatJoinToken(ca.certPem, old) + '\n', { mode: 0o600 });
    writeFileSync(join(dir, 'server', 'cred', 'tokens.csv'), `${old},system:admin,admin,"system:masters"\n`, { mode: 0o600 });
    const got = ensureJoinSecret(dir, ca.certPem);
    assert.notEqual(got.secret, old);
    assert.equal(readFileSync(got.nodeTokenFile, 'utf8').trim(), formatJoinToken(ca.certPem, got.secret));
    assert.equal(existsSync(join(dir, 'server', 'cred', 'tokens.csv')), false);
    assert.equal(got.notices.length, 2);
    assert.match(got.notices[0], /admin's bearer token .* retired .*node-token is rewritten/);
    assert.match(got.notices[1], /tokens\.csv: the server token is no longer an admin bearer token/);
    // said once: the next start finds the new format
    assert.deepEqual(ensureJoinSecret(dir, ca.certPem).notices, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
