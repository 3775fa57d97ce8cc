// The secret agents join with, apart from any API credential (k3s's server token). It lives in
// <data-dir>/server/token as k3s writes it, `K10<sha256 of the CA bundle>::server:<secret>` (mode 600, kept across
// restarts), and <data-dir>/server/node-token holds the same line for `skiff agent --token`. `--token` sets it (a
// bare secret or a whole K10 token). It authenticates only the join endpoint (node-join.ts): the API server never
// takes it as a bearer token; the admin's credential is the kubeconfig's client certificate.
//
// Data dirs from before the split kept a bare secret in server/token that was also the admin's bearer token, and
// every worker got it inside the node token. Such a secret is retired: a new one is made, node-token is rewritten
// and the server says so (running agents keep their certificates; `skiff agent` needs the new token to start).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a join token carries: the CA hash it pins (K10 form only) and the secret. */
export interface JoinToken {
  caHash?: string;
  secret: string;
}

/** A token that cannot be a join token at all, with what is wrong with it. */
export class JoinTokenError extends Error {}

const k10 = /^K10([^:]*)::([^:]*):([^]*)$/;

/** Parses `K10<hash>::<user>:<secret>` (k3s's full token) or a bare secret; refuses malformed and empty ones. */
export function parseJoinToken(token: string): JoinToken {
  const text = token.trim();
  if (!text) throw new JoinTokenError('the join token is empty');
  if (!text.startsWith('K10')) {
    if (/\s/.test(text)) throw new JoinTokenError('the join token contains whitespace');
    return { secret: text };
  }
  const m = k10.exec(text);
  if (!m) throw new JoinTokenError('the join token is malformed: expected K10<sha256 of the CA>::server:<secret>');
  const [, hash, , secret] = m;
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new JoinTokenError('the join token is malformed: its CA hash is not 64 hex digits');
  if (!secret) throw new JoinTokenError('the join token has an empty secret');
  if (/\s/.test(secret)) throw new JoinTokenError('the join token contains whitespace');
  return { caHash: hash, secret };
}

export function caHash(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

/** k3s's full token: the agent can pin the CA it is served before trusting it. */
export function formatJoinToken(caPem: string, secret: string): string {
  return `K10${caHash(caPem)}::server:${secret}`;
}

/**
 * Whether a presented secret is the join secret, in time independent of where they differ and of their lengths
 * (both are hashed to 32 bytes first, so a length mismatch is not answered faster either).
 */
export function sameSecret(presented: string, secret: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b) && secret.length > 0;
}

export interface JoinSecret {
  secret: string;
  /** <data-dir>/server/token and <data-dir>/server/node-token, both the full K10 token. */
  tokenFile: string;
  nodeTokenFile: string;
  /** What changed in an old data dir, to be told to the operator. */
  notices: string[];
}

/** A fresh secret: 32 random bytes as hex, as k3s makes its server token. */
export function newJoinSecret(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Loads or makes the join secret for this data dir (`flag` is --token, which wins) and writes server/token and
 * server/node-token for the current CA. Throws a JoinTokenError for a --token that is malformed or pins another CA.
 */
export function ensureJoinSecret(dataDir: string, caPem: string, flag?: string): JoinSecret {
  const dir = join(dataDir, 'server');
  const tokenFile = join(dir, 'token');
  const nodeTokenFile = join(dir, 'node-token');
  const notices: string[] = [];
  let secret: string | undefined;
  if (flag) { // as in k3s, an empty --token is no token: the stored (or a new) one is used
    const given = parseJoinToken(flag);
    if (given.caHash && given.caHash !== caHash(caPem)) {
      throw new JoinTokenError(`--token pins a CA (sha256 ${given.caHash}) that is not this data dir's cluster CA (${caHash(caPem)})`);
    }
    secret = given.secret;
  } else if (existsSync(tokenFile)) {
    const stored = readFileSync(tokenFile, 'utf8').trim();
    if (stored.startsWith('K10')) {
      secret = parseJoinToken(stored).secret; // a CA made anew only changes the hash in front of it
    } else if (stored) {
      notices.push(`${tokenFile} held a token from an older Skiff that was also the cluster admin's bearer token and went to every worker in the node token: it is retired (it no longer authenticates anywhere); a new join secret is in ${tokenFile} and ${nodeTokenFile} is rewritten with it — skiff agent trades the token at every start: give agents the new node token before they restart`);
    }
  }
  secret ??= newJoinSecret();
  // the bearer-token file older servers gave the API server: its only entry was that admin token
  const legacyTokens = join(dir, 'cred', 'tokens.csv');
  if (existsSync(legacyTokens)) {
    rmSync(legacyTokens, { force: true });
    notices.push(`removed ${legacyTokens}: the server token is no longer an admin bearer token (use the admin kubeconfig)`);
  }
  const line = formatJoinToken(caPem, secret) + '\n';
  for (const file of [tokenFile, nodeTokenFile]) {
    writeFileSync(file, line, { mode: 0o600 });
    chmodSync(file, 0o600); // the mode above applies only to a file made now
  }
  return { secret, tokenFile, nodeTokenFile, notices };
}
