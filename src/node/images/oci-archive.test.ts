import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildOciArchive } from './oci-archive.ts';
import { writeTar } from './tar.ts';

/** Reads a ustar archive back: name -> { type, data, link }. */
function readTar(buf: Buffer): Map<string, { type: string; data: Buffer; link: string }> {
  const out = new Map<string, { type: string; data: Buffer; link: string }>();
  let off = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, n: number) => h.subarray(a, a + n).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(str(124, 12), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    assert.equal(parseInt(str(148, 8), 8), sum, 'header checksum');
    const prefix = str(345, 155);
    const name = (prefix ? prefix + '/' : '') + str(0, 100);
    out.set(name, { type: str(156, 1), data: buf.subarray(off + 512, off + 512 + size), link: str(157, 100) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

test('writeTar: files, dirs, symlinks and long names (ustar prefix) round-trip', () => {
  const long = 'a/'.repeat(60) + 'file.txt';
  const t = readTar(writeTar([
    { type: 'dir', name: 'bin/' },
    { type: 'file', name: 'bin/x', data: Buffer.from('hello'), mode: 0o755 },
    { type: 'symlink', name: 'bin/y', target: 'x' },
    { type: 'file', name: long, data: Buffer.alloc(600, 1) },
  ]));
  assert.equal(t.get('bin/')?.type, '5');
  assert.equal(t.get('bin/x')?.data.toString(), 'hello');
  assert.equal(t.get('bin/y')?.link, 'x');
  assert.equal(t.get(long)?.data.length, 600);
});

test('buildOciArchive: oci-layout, index naming the image, manifest -> config -> layer by digest', () => {
  const { archive, manifestDigest } = buildOciArchive({
    name: 'docker.io/skiff/t:1', layer: [{ type: 'file', name: 'hello', data: Buffer.from('hi') }], config: { Cmd: ['sh'] },
  });
  const t = readTar(archive);
  assert.deepEqual(JSON.parse(t.get('oci-layout')!.data.toString()), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(t.get('index.json')!.data.toString());
  assert.equal(index.manifests[0].digest, manifestDigest);
  assert.equal(index.manifests[0].annotations['io.containerd.image.name'], 'docker.io/skiff/t:1');
  assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], '1');
  const blob = (d: string) => t.get(`blobs/sha256/${d.slice(7)}`)!.data;
  const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const manifest = JSON.parse(blob(manifestDigest).toString());
  assert.equal(sha(blob(manifestDigest)), manifestDigest);
  const config = JSON.parse(blob(manifest.config.digest).toString());
  assert.deepEqual(config.config, { Cmd: ['sh'] });
  assert.equal(config.rootfs.diff_ids[0], manifest.layers[0].digest);
  assert.equal(readTar(blob(manifest.layers[0].digest)).get('hello')?.data.toString(), 'hi');
});
