// Field defaults of the storage kinds, as upstream's SetDefaults_*: a PersistentVolume is Retain, Filesystem and
// starts Pending; a PersistentVolumeClaim (also each StatefulSet claim template) is Filesystem and Pending; a
// StorageClass reclaims with Delete and binds Immediate.
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus, PersistentVolumeStatus } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Defaulter } from '../strategy.ts';

const unset = (v: unknown): boolean => v === undefined || v === null || v === '';

export const defaultPersistentVolume: Defaulter = (obj) => {
  const pv = obj as unknown as PersistentVolume;
  const spec = (pv.spec ??= {});
  if (unset(spec.persistentVolumeReclaimPolicy)) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (unset(spec.volumeMode)) spec.volumeMode = 'Filesystem';
  // status is read-only in kubernetes-types; a new object's phase is still defaulted here as upstream does.
  const status = ((pv as { status?: PersistentVolumeStatus }).status ??= {});
  if (unset(status.phase)) status.phase = 'Pending';
};

/** SetObjectDefaults_PersistentVolumeClaim, also applied to the claim templates a StatefulSet embeds. */
export function defaultClaim(pvc: PersistentVolumeClaim): void {
  const spec = (pvc.spec ??= {});
  if (unset(spec.volumeMode)) spec.volumeMode = 'Filesystem';
  const status = ((pvc as { status?: PersistentVolumeClaimStatus }).status ??= {});
  if (unset(status.phase)) status.phase = 'Pending';
}

export const defaultPersistentVolumeClaim: Defaulter = (obj) => defaultClaim(obj as unknown as PersistentVolumeClaim);

export const defaultStorageClass: Defaulter = (obj) => {
  const sc = obj as unknown as StorageClass;
  if (unset(sc.reclaimPolicy)) sc.reclaimPolicy = 'Delete';
  if (unset(sc.volumeBindingMode)) sc.volumeBindingMode = 'Immediate';
};
