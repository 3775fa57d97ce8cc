// Debian's docker-registry (distribution 2.x) on 127.0.0.1 for pull-path tests: its storage and config under a dir
// the caller owns, a free port, and optionally htpasswd basic auth. The bcrypt htpasswd line comes from the
// system's crypt(3) through perl (perl-base is essential in Debian; libxcrypt does bcrypt), so no package is
// added for it. pushTestImage uploads the busybox test image over the distribution API.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTestImage } from '../../src/node/images/busybox.ts';
import { manifestMediaType } from '../../src/node/images/oci-archive.ts';
import { freePort } from './process.ts';
import { waitFor } from './wait.ts';

export const registryRunnable = existsSync('/usr/bin/docker-registry') && existsSync('/usr/bin/perl');

export interface TestRegistry {
  /** "127.0.0.1:PORT", the host part of image references. */
  host: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A bcrypt htpasswd line for user, from crypt(3) with a fresh salt (bcrypt's alphabet; last char from ".Oeu"). */
function htpasswdLine(user: string, password: string): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const salt = [...randomBytes(21)].map((b) => alphabet[b % 64]).join('') + '.Oeu'[randomBytes(1)[0]! % 4];
  const hash = execFileSync('/usr/bin/perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$10$${salt}`], { encoding: 'utf8' });
  assert.match(hash, /^\$2b\$10\$.{53}$/, 'crypt(3) did not produce a bcrypt hash');
  return `${user}:${hash}\n`;
}

export async function startRegistry(dir: string, auth?: { user: string; password: string }): Promise<TestRegistry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const conf = join(dir, 'registry.yml');
  let authConf = '';
  if (auth) {
    const file = join(dir, 'htpasswd');
    writeFileSync(file, htpasswdLine(auth.user, auth.password));
    authConf = `auth:\n  htpasswd:\n    realm: skiff-test\n    path: ${file}\n`;
  }
  writeFileSync(conf, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: ${host}\n${authConf}`);
  const child = spawn('/usr/bin/docker-registry', ['serve', conf], { stdio: 'ignore' });
  const url = `http://${host}`;
  const expect = auth ? 401 : 200;
  await waitFor('registry', async () => (await fetch(`${url}/v2/`)).status === expect);
  return {
    host, url, child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** Pushes the busybox test image to a registry as repo:tag (blob uploads, manifest PUT), with basic auth if given. */
export async function pushTestImage(registry: string, repo: string, tag: string, auth?: { user: string; password: string }): Promise<void> {
  const headers: Record<string, string> = auth ? { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` } : {};
  const img = buildTestImage();
  for (const b of [img.layer, img.config]) {
    const start = await fetch(`${registry}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
    assert.equal(start.status, 202);
    const loc = new URL(start.headers.get('location')!, registry);
    loc.searchParams.set('digest', b.digest);
    const put = await fetch(loc, { method: 'PUT', body: b.data, headers: { ...headers, 'content-type': 'application/octet-stream' } });
    assert.equal(put.status, 201);
  }
  const m = await fetch(`${registry}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: img.manifest.data, headers: { ...headers, 'content-type': manifestMediaType } });
  assert.equal(m.status, 201, await m.text());
}
