// StorageClass (storage.k8s.io/v1, cluster-scoped, `sc`): names a provisioner and how its volumes are bound and
// reclaimed. No status; provisioner, parameters and policies are fixed once created.
import { defaultStorageClass } from '../defaults/storage.ts';
import { storageClassPrinter } from '../printers/storage.ts';
import { storageClassValidator } from '../validation/storage.ts';
import { defineResource } from './define.ts';

export const storageClasses = defineResource({
  group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', resource: 'storageclasses', namespaced: false, shortNames: ['sc'],
  printer: storageClassPrinter,
  strategy: { validator: storageClassValidator, defaults: defaultStorageClass },
});
