// PersistentVolumeClaim (core/v1, `pvc`): a request for storage; the binder sets spec.volumeName and the status
// (phase Bound, capacity, accessModes). A new claim starts Pending.
// A new claim gets the pvc-protection finalizer (admission, defaults/storage-protection.ts).
import { defaultPersistentVolumeClaim } from '../defaults/storage.ts';
import { persistentVolumeClaimPrinter } from '../printers/storage.ts';
import { persistentVolumeClaimValidator } from '../validation/storage.ts';
import { defineResource } from './define.ts';
import { admitPersistentVolumeClaim } from '../defaults/storage-protection.ts';

export const persistentVolumeClaims = defineResource({
  group: '', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'],
  printer: persistentVolumeClaimPrinter,
  strategy: { validator: persistentVolumeClaimValidator, defaults: defaultPersistentVolumeClaim, admit: admitPersistentVolumeClaim, initialStatus: () => ({ phase: 'Pending' }) },
  status: true,
});
