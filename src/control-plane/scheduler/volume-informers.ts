// The claim, volume and StorageClass caches the VolumeBinding filter reads, from the scheduler's informer
// factory; any change of them gives pods VolumeBinding rejected another try (upstream registers PVC, PV and
// StorageClass add/update events for that plugin).
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { type InformerFactory, resourceRef } from '../../client/index.ts';
import { type VolumeLister, volumeBindingName } from './plugins/volume-binding.ts';

export const volumeEvent: ReadonlySet<string> = new Set([volumeBindingName]);

export function watchVolumes(factory: InformerFactory, changed: () => void): { lister: VolumeLister; synced: Promise<void>[] } {
  const claims = factory.informerFor<PersistentVolumeClaim>(resourceRef('v1', 'persistentvolumeclaims'));
  const volumes = factory.informerFor<PersistentVolume>(resourceRef('v1', 'persistentvolumes', false));
  const classes = factory.informerFor<StorageClass>(resourceRef('storage.k8s.io/v1', 'storageclasses', false));
  for (const inf of [claims, volumes, classes] as { addEventHandler(h: { onAdd(): void; onUpdate(): void }): void }[]) {
    inf.addEventHandler({ onAdd: changed, onUpdate: changed });
  }
  return {
    lister: {
      claim: (namespace, name) => claims.lister.get(namespace, name),
      volume: (name) => volumes.lister.get(undefined, name),
      storageClass: (name) => classes.lister.get(undefined, name),
      volumes: () => volumes.lister.list(),
    },
    synced: [claims.synced, volumes.synced, classes.synced],
  };
}
