// Debian's docker-registry (distribution 2.x) on 127.0.0.1 for pull-path tests: its storage and config under a dir
// the caller owns, a free port, and optionally htpasswd basic auth. The bcrypt htpasswd line comes from the
// system's crypt(3) through perl (perl-base is essential in Debian; libxcrypt does bcrypt), so no package is
// added for it. pushTestImage uploads the busybox test image over the distribution API; startNodeRegistry does both
// for a test node (storage in the node's data dir) and writeRegistriesYaml gives that node its registries.yaml.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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

/**
 * A registry whose storage is <dataDir>/registry (so it goes with a test node's data dir), holding the busybox test
 * image as each "repo:tag" of images, pushed with auth if given. A failed push stops the registry before throwing.
 */
export async function startNodeRegistry(dataDir: string, images: string[], auth?: { user: string; password: string }): Promise<TestRegistry> {
  const dir = join(dataDir, 'registry');
  mkdirSync(dir);
  const registry = await startRegistry(dir, auth);
  try {
    for (const image of images) {
      const [repo, tag] = image.split(':');
      await pushTestImage(registry.url, repo!, tag!, auth);
    }
  } catch (err) {
    await registry.stop();
    throw err;
  }
  return registry;
}

/** Writes the node's registries.yaml (k3s's place: <dataDir>/agent/etc/registries.yaml); its path. */
export function writeRegistriesYaml(dataDir: string, text: string): string {
  const dir = join(dataDir, 'agent', 'etc');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'registries.yaml');
  writeFileSync(file, text);
  return file;
}
