// Builds an OCI image archive (image-layout tar: oci-layout, index.json, blobs/sha256/*) from one uncompressed
// layer, the way `ctr images import` and other OCI tools read it. index.json names the image with the
// io.containerd.image.name annotation so containerd imports it under that reference.
import { createHash } from 'node:crypto';
import { type TarEntry, writeTar } from './tar.ts';

export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
}

export interface OciImageSpec {
  /** Full reference, e.g. "docker.io/skiff/busybox:1.35". */
  name: string;
  layer: TarEntry[];
  config: ImageConfig;
}

export interface Blob {
  digest: string;
  size: number;
  data: Buffer;
}

export function blob(data: Buffer): Blob {
  return { digest: `sha256:${createHash('sha256').update(data).digest('hex')}`, size: data.length, data };
}

/** Node's arch name -> the OCI/GOARCH one. */
export function ociArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

export interface OciImage {
  layer: Blob;
  config: Blob;
  manifest: Blob;
}

export const manifestMediaType = 'application/vnd.oci.image.manifest.v1+json';

/** The image's three blobs: an uncompressed layer, its config, and the manifest naming both by digest. */
export function buildOciImage(spec: Omit<OciImageSpec, 'name'>): OciImage {
  const layer = blob(writeTar(spec.layer));
  const arch = ociArch();
  const created = '1970-01-01T00:00:00Z';
  const config = blob(Buffer.from(JSON.stringify({
    created,
    architecture: arch,
    os: 'linux',
    config: spec.config,
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
    history: [{ created, created_by: 'skiff image builder' }],
  })));
  const manifest = blob(Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.digest, size: layer.size }],
  })));
  return { layer, config, manifest };
}

export function buildOciArchive(spec: OciImageSpec): { archive: Buffer; manifestDigest: string; configDigest: string } {
  const { layer, config, manifest } = buildOciImage(spec);
  const arch = ociArch();
  const tag = spec.name.includes(':') && !spec.name.slice(spec.name.lastIndexOf(':')).includes('/') ? spec.name.slice(spec.name.lastIndexOf(':') + 1) : 'latest';
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: manifest.digest,
      size: manifest.size,
      platform: { architecture: arch, os: 'linux' },
      annotations: { 'io.containerd.image.name': spec.name, 'org.opencontainers.image.ref.name': tag },
    }],
  };
  const blobEntries: TarEntry[] = [layer, config, manifest].map((b) => ({ type: 'file', name: `blobs/sha256/${b.digest.slice(7)}`, data: b.data }));
  const archive = writeTar([
    { type: 'file', name: 'oci-layout', data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { type: 'file', name: 'index.json', data: Buffer.from(JSON.stringify(index)) },
    { type: 'dir', name: 'blobs/' },
    { type: 'dir', name: 'blobs/sha256/' },
    ...blobEntries,
  ]);
  return { archive, manifestDigest: manifest.digest, configDigest: config.digest };
}
