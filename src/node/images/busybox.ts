// Images made from the host's busybox-static (/bin/busybox), for a cluster without a reachable registry: the
// pause image (its process must keep running: a sandbox whose process exits makes CreateContainer fail) and a
// general-purpose busybox image for tests and demos. Built on demand into OCI archives; no binaries are committed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { TarEntry } from './tar.ts';
import { type ImageConfig, type OciImage, buildOciArchive, buildOciImage } from './oci-archive.ts';

export const busyboxPath = '/bin/busybox';
/** The sandbox ("pause") image every pod's sandbox runs: busybox sleeping forever. */
export const pauseImage = 'docker.io/skiff/pause:3.9-busybox';
/** A busybox image with sh, httpd, nc, sleep … and /www/index.html as its working directory. */
export const busyboxImage = 'docker.io/skiff/busybox:1.35';

const path = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function applets(): string[] {
  const out = execFileSync(busyboxPath, ['--list'], { encoding: 'utf8' });
  return out.split('\n').map((s) => s.trim()).filter((s) => s && s !== 'busybox' && /^[\w.[\]-]+$/.test(s));
}

/** The root filesystem: bin/busybox, a symlink per applet, /etc/passwd and group, /tmp, /www. */
export function busyboxLayer(): TarEntry[] {
  if (!existsSync(busyboxPath)) throw new Error(`${busyboxPath} not found: install busybox-static (apt-get install -y busybox-static)`);
  const entries: TarEntry[] = [
    { type: 'dir', name: 'bin/' },
    { type: 'file', name: 'bin/busybox', data: readFileSync(busyboxPath), mode: 0o755 },
    ...applets().map((a): TarEntry => ({ type: 'symlink', name: `bin/${a}`, target: 'busybox' })),
    { type: 'dir', name: 'etc/' },
    { type: 'file', name: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n') },
    { type: 'file', name: 'etc/group', data: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
    { type: 'dir', name: 'root/', mode: 0o700 },
    { type: 'dir', name: 'tmp/', mode: 0o1777 },
    { type: 'dir', name: 'www/' },
    { type: 'file', name: 'www/index.html', data: Buffer.from('<h1>skiff busybox</h1>\n') },
  ];
  return entries;
}

export function buildBusyboxArchive(name: string, config: ImageConfig): Buffer {
  return buildOciArchive({ name, layer: busyboxLayer(), config: { Env: [path], ...config } }).archive;
}

export function buildPauseArchive(name = pauseImage): Buffer {
  return buildBusyboxArchive(name, { Entrypoint: ['/bin/sleep', 'infinity'] });
}

const testImageConfig: ImageConfig = { Env: [path], Cmd: ['sh'], WorkingDir: '/www' };

export function buildTestImageArchive(name = busyboxImage): Buffer {
  return buildBusyboxArchive(name, testImageConfig);
}

/** The test image's blobs, e.g. to push to a registry. */
export function buildTestImage(): OciImage {
  return buildOciImage({ layer: busyboxLayer(), config: testImageConfig });
}
