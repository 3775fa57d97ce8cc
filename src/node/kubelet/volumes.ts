// Pod volumes on the node (upstream's volume manager, for the in-tree kinds a single node can serve): emptyDir,
// hostPath, configMap, secret, downwardAPI and projected (configMap/secret/downwardAPI/serviceAccountToken
// sources) are laid out under <pods-dir>/<uid>/volumes/<plugin>/<name>, and each volumeMount becomes a CRI bind
// mount (configMap, secret, downwardAPI and projected always read-only, as upstream). A persistentVolumeClaim is
// followed to its bound PersistentVolume (read from the API) and that volume's hostPath or local directory is
// bind-mounted itself (read-only when the pod's claim reference says so). A missing non-optional source, or a
// claim that is missing, unbound or being deleted, is a VolumeError (FailedMount upstream, retried); the pod's
// directory goes when the pod does.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { Container, KeyToPath, PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { Mount } from '../cri/types.ts';
import { type EnvSources, type PodRuntimeFacts, fieldPathValue } from './env.ts';

export class VolumeError extends Error {
  constructor(readonly volume: string, message: string) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${message}`);
    this.name = 'VolumeError';
  }
}

/** A volume the kubelet cannot even start to mount (upstream's desired-state populator: a claim not usable yet). */
export class UnmountedVolumeError extends VolumeError {
  constructor(volume: string, reason: string) {
    super(volume, reason);
    this.message = `Unable to attach or mount volumes: unmounted volumes=[${volume}], unattached volumes=[${volume}]: ${reason}`;
  }
}

export interface VolumeSources extends EnvSources {
  /** A service account token for the pod (TokenRequest); undefined when none can be had. */
  serviceAccountToken?(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<string | undefined>;
  /** The claim and the volume behind a persistentVolumeClaim volume; undefined when they do not exist. */
  persistentVolumeClaim?(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume?(name: string): Promise<PersistentVolume | undefined>;
}

export interface PreparedVolume {
  hostPath: string;
  readOnly: boolean;
}

const plugin: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir', configMap: 'kubernetes.io~configmap', secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api', projected: 'kubernetes.io~projected',
};

/** Files of a volume as path -> (content, mode). */
type Files = Map<string, { data: Buffer; mode: number }>;

function pick(data: Record<string, Buffer>, items: KeyToPath[] | undefined, mode: number, volume: string, what: string, optional: boolean, out: Files): void {
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) out.set(k, { data: v, mode });
    return;
  }
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeError(volume, `${what === 'secret' ? 'secret references non-existent secret key' : 'configmap references non-existent config key'}: ${it.key}`);
    }
    out.set(it.path, { data: v, mode: it.mode ?? mode });
  }
}

async function sourceFiles(pod: Pod, v: Volume, src: VolumeSources, facts: PodRuntimeFacts): Promise<Files> {
  const ns = pod.metadata?.namespace ?? 'default';
  const files: Files = new Map();
  const addConfigMap = async (name: string, items: KeyToPath[] | undefined, mode: number, optional: boolean): Promise<void> => {
    const cm = await src.configMap(ns, name);
    if (!cm) {
      if (optional) return;
      throw new VolumeError(v.name, `configmap "${name}" not found`);
    }
    const data: Record<string, Buffer> = {};
    for (const [k, val] of Object.entries(cm.data ?? {})) data[k] = Buffer.from(val);
    for (const [k, val] of Object.entries(cm.binaryData ?? {})) data[k] = Buffer.from(val, 'base64');
    pick(data, items, mode, v.name, 'configmap', optional, files);
  };
  const addSecret = async (name: string, items: KeyToPath[] | undefined, mode: number, optional: boolean): Promise<void> => {
    const s = await src.secret(ns, name);
    if (!s) {
      if (optional) return;
      throw new VolumeError(v.name, `secret "${name}" not found`);
    }
    const data: Record<string, Buffer> = {};
    for (const [k, val] of Object.entries(s.data ?? {})) data[k] = Buffer.from(val, 'base64');
    for (const [k, val] of Object.entries(s.stringData ?? {})) data[k] = Buffer.from(val);
    pick(data, items, mode, v.name, 'secret', optional, files);
  };
  const addDownward = (items: NonNullable<Volume['downwardAPI']>['items'], mode: number): void => {
    for (const it of items ?? []) {
      const value = it.fieldRef ? fieldPathValue(pod, it.fieldRef.fieldPath, facts) : '';
      files.set(it.path, { data: Buffer.from(value), mode: it.mode ?? mode });
    }
  };
  if (v.configMap) await addConfigMap(v.configMap.name ?? '', v.configMap.items, v.configMap.defaultMode ?? 0o644, v.configMap.optional ?? false);
  if (v.secret) await addSecret(v.secret.secretName ?? '', v.secret.items, v.secret.defaultMode ?? 0o644, v.secret.optional ?? false);
  if (v.downwardAPI) addDownward(v.downwardAPI.items, v.downwardAPI.defaultMode ?? 0o644);
  if (v.projected) {
    const mode = v.projected.defaultMode ?? 0o644;
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) await addConfigMap(s.configMap.name ?? '', s.configMap.items, mode, s.configMap.optional ?? false);
      if (s.secret) await addSecret(s.secret.name ?? '', s.secret.items, mode, s.secret.optional ?? false);
      if (s.downwardAPI) addDownward(s.downwardAPI.items, mode);
      if (s.serviceAccountToken) {
        const token = await src.serviceAccountToken?.(pod, s.serviceAccountToken.audience, s.serviceAccountToken.expirationSeconds ?? 3600);
        if (token) files.set(s.serviceAccountToken.path, { data: Buffer.from(token), mode });
      }
    }
  }
  return files;
}

function hostPathVolume(name: string, hp: NonNullable<Volume['hostPath']>): string {
  const path = hp.path;
  const type = hp.type ?? '';
  if (type === 'DirectoryOrCreate' && !existsSync(path)) mkdirSync(path, { recursive: true, mode: 0o755 });
  if (type === 'FileOrCreate' && !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, 'a', 0o644));
  }
  if (type === 'Directory' && !(existsSync(path) && statSync(path).isDirectory())) throw new VolumeError(name, `hostPath type check failed: ${path} is not a directory`);
  if (type === 'File' && !(existsSync(path) && statSync(path).isFile())) throw new VolumeError(name, `hostPath type check failed: ${path} is not a file`);
  return path;
}

/**
 * The host directory of a persistentVolumeClaim volume, as upstream's populator resolves it: the claim must exist,
 * not be terminating (no new pod may start on it) and be Bound; its volume must name the claim (by uid) in its
 * claimRef. Only the node-local sources (hostPath, local) can be mounted here.
 */
async function claimedVolume(pod: Pod, v: Volume, src: VolumeSources): Promise<PreparedVolume> {
  const ref = v.persistentVolumeClaim!;
  const ns = pod.metadata?.namespace ?? 'default';
  const what = `error processing PVC ${ns}/${ref.claimName}`;
  if (!src.persistentVolumeClaim || !src.persistentVolume) throw new UnmountedVolumeError(v.name, `${what}: no API to read claims from`);
  const claim = await src.persistentVolumeClaim(ns, ref.claimName);
  if (!claim) throw new UnmountedVolumeError(v.name, `${what}: failed to fetch PVC from API server: persistentvolumeclaims "${ref.claimName}" not found`);
  if (claim.metadata?.deletionTimestamp) throw new UnmountedVolumeError(v.name, `${what}: PVC is being deleted`);
  const pvName = claim.spec?.volumeName;
  if (claim.status?.phase !== 'Bound' || !pvName) throw new UnmountedVolumeError(v.name, `${what}: PVC is not bound`);
  const pv = await src.persistentVolume(pvName);
  if (!pv) throw new UnmountedVolumeError(v.name, `${what}: failed to fetch PV ${pvName} from API server: persistentvolumes "${pvName}" not found`);
  if (pv.spec?.claimRef?.uid !== claim.metadata?.uid) {
    throw new UnmountedVolumeError(v.name, `${what}: found PV object ${pvName} but it has a ClaimRef that is bound to the wrong UID`);
  }
  const readOnly = ref.readOnly === true;
  if (pv.spec?.hostPath) return { hostPath: hostPathVolume(pvName, pv.spec.hostPath), readOnly };
  if (pv.spec?.local) {
    const path = pv.spec.local.path;
    if (!(existsSync(path) && statSync(path).isDirectory())) throw new VolumeError(pvName, `path "${path}" does not exist`);
    return { hostPath: path, readOnly };
  }
  throw new VolumeError(pvName, 'only hostPath and local persistent volumes can be mounted on this node');
}

export function podDir(podsDir: string, pod: Pod): string {
  return join(podsDir, pod.metadata?.uid ?? 'unknown');
}

/** Lays out every volume of the pod; returns them by name. Re-running rewrites the files (picks up changes). */
export async function prepareVolumes(pod: Pod, podsDir: string, src: VolumeSources, facts: PodRuntimeFacts): Promise<Map<string, PreparedVolume>> {
  const out = new Map<string, PreparedVolume>();
  for (const v of pod.spec?.volumes ?? []) {
    if (v.hostPath) {
      out.set(v.name, { hostPath: hostPathVolume(v.name, v.hostPath), readOnly: false });
      continue;
    }
    if (v.persistentVolumeClaim) {
      out.set(v.name, await claimedVolume(pod, v, src));
      continue;
    }
    const kind = (['emptyDir', 'configMap', 'secret', 'downwardAPI', 'projected'] as const).find((k) => v[k] !== undefined);
    if (!kind) continue; // network and cloud volumes are not served by this node
    const dir = join(podDir(podsDir, pod), 'volumes', plugin[kind], v.name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (kind !== 'emptyDir') {
      for (const [rel, f] of await sourceFiles(pod, v, src, facts)) {
        const target = normalize(join(dir, rel));
        if (!target.startsWith(`${dir}/`)) throw new VolumeError(v.name, `invalid path ${rel}`);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, f.data, { mode: f.mode });
      }
    }
    out.set(v.name, { hostPath: dir, readOnly: kind !== 'emptyDir' });
  }
  return out;
}

/** The container's volumeMounts as CRI mounts (subPath resolved inside the volume, created if missing). */
export function containerMounts(c: Container, volumes: ReadonlyMap<string, PreparedVolume>): Mount[] {
  const mounts: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) continue;
    let hostPath = v.hostPath;
    if (m.subPath) {
      hostPath = normalize(join(v.hostPath, m.subPath));
      if (!hostPath.startsWith(`${v.hostPath}/`)) throw new VolumeError(m.name, `subPath ${m.subPath} escapes the volume`);
      if (!existsSync(hostPath)) mkdirSync(hostPath, { recursive: true });
    }
    mounts.push({ containerPath: m.mountPath, hostPath, readonly: v.readOnly || m.readOnly === true });
  }
  return mounts;
}

export function removePodDir(podsDir: string, uid: string): void {
  rmSync(join(podsDir, uid), { recursive: true, force: true });
}
