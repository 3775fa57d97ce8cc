// Upstream's StorageObjectInUseProtection admission plugin: every new PersistentVolumeClaim gets the
// kubernetes.io/pvc-protection finalizer and every new PersistentVolume kubernetes.io/pv-protection, so that
// deleting one that is still in use (a claim a running pod mounts, a volume still bound) only marks it
// Terminating; the pvc-protection and pv-protection controllers remove the finalizer once it is unused.
import type { KubeObject } from '../object.ts';

export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection';

function addFinalizer(obj: KubeObject, finalizer: string): void {
  const meta = (obj.metadata ??= {});
  const finalizers = meta.finalizers ?? [];
  if (!finalizers.includes(finalizer)) meta.finalizers = [...finalizers, finalizer];
}

export const admitPersistentVolumeClaim = (obj: KubeObject): void => addFinalizer(obj, pvcProtectionFinalizer);
export const admitPersistentVolume = (obj: KubeObject): void => addFinalizer(obj, pvProtectionFinalizer);
