// Importing image archives (OCI image layout or `docker save` tars) into the CRI image store, i.e. containerd's
// k8s.io namespace. For now this shells out to containerd's own `ctr images import` (which reads both formats and
// unpacks into the snapshotter the CRI uses); ensureImage builds and imports Skiff's busybox-based images when the
// runtime lacks them (the pause image on every node start).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CriClient } from '../cri/client.ts';

export interface ImportResult {
  /** Image references imported ("docker.io/skiff/busybox:1.35"). */
  names: string[];
  ms: number;
}

/** unix:///path/sock or /path/sock -> /path/sock (ctr's --address takes a path). */
export function socketPath(endpoint: string): string {
  return endpoint.replace(/^unix:\/\//, '');
}

export function importArchive(endpoint: string, file: string, ctr = 'ctr'): Promise<ImportResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(ctr, ['--address', socketPath(endpoint), '--namespace', 'k8s.io', 'images', 'import', file], { maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`importing ${file}: ${(stderr || err.message).trim()}`));
        // ctr prints "unpacking NAME (sha256:…)...done" per image
        const names = [...stdout.matchAll(/unpacking (\S+) \(sha256:[0-9a-f]+\)/g)].map((m) => m[1]);
        resolve({ names, ms: Date.now() - started });
      });
  });
}

export function describeSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/** `skiff image import` progress: one line before, one after, per file. */
export async function importWithProgress(endpoint: string, file: string, out: (line: string) => void): Promise<ImportResult> {
  if (!existsSync(file)) throw new Error(`image import: ${file}: no such file`);
  const socket = socketPath(endpoint);
  if (!existsSync(socket)) throw new Error(`image import: no container runtime at ${socket} (is the kubelet running? see --data-dir, --container-runtime-endpoint)`);
  out(`importing ${file} (${describeSize(statSync(file).size)}) into k8s.io ...`);
  const r = await importArchive(endpoint, file);
  out(`imported ${r.names.join(', ') || '(no named images)'} in ${r.ms} ms`);
  return r;
}

/** Imports the image built by build() unless the runtime already has `name`. Returns whether it imported. */
export async function ensureImage(cri: CriClient, endpoint: string, name: string, build: () => Buffer, workDir: string): Promise<boolean> {
  if (await cri.imageStatus({ image: name })) return false;
  mkdirSync(workDir, { recursive: true });
  const file = join(workDir, `${name.replace(/[^\w.-]+/g, '_')}.tar`);
  writeFileSync(file, build());
  await importArchive(endpoint, file);
  return true;
}
