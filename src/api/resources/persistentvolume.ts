// PersistentVolume (core/v1, cluster-scoped, `pv`): a piece of storage the binder (controllers/persistentvolume*)
// pairs with a claim. A new volume's status is Pending with the time of that phase, as upstream's strategy sets it.
// A new volume gets the pv-protection finalizer (admission, defaults/storage-protection.ts).
import { defaultPersistentVolume } from '../defaults/storage.ts';
import { persistentVolumePrinter } from '../printers/storage.ts';
import { persistentVolumeValidator } from '../validation/storage.ts';
import { defineResource } from './define.ts';
import { admitPersistentVolume } from '../defaults/storage-protection.ts';

const nowSeconds = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export const persistentVolumes = defineResource({
  group: '', version: 'v1', kind: 'PersistentVolume', resource: 'persistentvolumes', namespaced: false, shortNames: ['pv'],
  printer: persistentVolumePrinter,
  strategy: {
    validator: persistentVolumeValidator,
    defaults: defaultPersistentVolume,
    admit: admitPersistentVolume,
    initialStatus: () => ({ phase: 'Pending', lastPhaseTransitionTime: nowSeconds() }),
  },
  status: true,
});
