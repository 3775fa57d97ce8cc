// Storage printers as upstream 1.32 (pkg/printers/internalversion): PersistentVolume (NAME CAPACITY ACCESS MODES
// RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE | wide: VOLUMEMODE),
// PersistentVolumeClaim (NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE | wide:
// VOLUMEMODE) and StorageClass (NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE, the
// default class named "x (default)").
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../object.ts';
import { ageColumn, col, nameColumn, wide } from './columns.ts';
import { translateTimestampSince } from './duration.ts';
import { view } from './format.ts';
import type { RowPrinter } from './table.ts';

const age = (obj: KubeObject, now: Date): string => translateTimestampSince(obj.metadata?.creationTimestamp, now);

const modeAbbrev: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

/** upstream's GetAccessModesAsString: each mode once, in this fixed order. */
export function accessModesString(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  return ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'].filter((m) => set.has(m)).map((m) => modeAbbrev[m]).join(',');
}

/** The class a PV or PVC names: the beta annotation wins, as upstream's GetPersistentVolume(Claim)Class. */
function storageClassOf(obj: { metadata?: { annotations?: Record<string, string> }; spec?: { storageClassName?: string } }): string {
  return obj.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? obj.spec?.storageClassName ?? '';
}

const volumeModeDescription = 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.';

export const persistentVolumePrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    ageColumn(),
    wide('VolumeMode', 'string', volumeModeDescription),
  ],
  cells: (obj, now) => {
    const pv = view<PersistentVolume>(obj);
    const ref = pv.spec?.claimRef;
    const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
    const phase = obj.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
    return [
      obj.metadata?.name ?? '',
      pv.spec?.capacity?.storage ?? '',
      accessModesString(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '',
      phase,
      claim,
      storageClassOf(pv),
      pv.spec?.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      age(obj, now),
      pv.spec?.volumeMode ?? '<unset>',
    ];
  },
};

export const persistentVolumeClaimPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn(),
    wide('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.'),
  ],
  cells: (obj, now) => {
    const pvc = view<PersistentVolumeClaim>(obj);
    const bound = Boolean(pvc.spec?.volumeName);
    const phase = obj.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
    return [
      obj.metadata?.name ?? '',
      phase,
      pvc.spec?.volumeName ?? '',
      bound ? (pvc.status?.capacity?.storage ?? '') : '',
      bound ? accessModesString(pvc.status?.accessModes) : '',
      storageClassOf(pvc),
      pvc.spec?.volumeAttributesClassName ?? '<unset>',
      age(obj, now),
      pvc.spec?.volumeMode ?? '<unset>',
    ];
  },
};

export const defaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
const betaDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

/** upstream's IsDefaultAnnotation: either annotation set to "true". */
export function isDefaultStorageClass(sc: { metadata?: { annotations?: Record<string, string> } }): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[defaultStorageClassAnnotation] === 'true' || a[betaDefaultStorageClassAnnotation] === 'true';
}

export const storageClassPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Provisioner', 'string', 'Indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'Indicates the type of the reclaim policy.'),
    col('VolumeBindingMode', 'string', 'Indicates when volume binding and dynamic provisioning should occur.'),
    col('AllowVolumeExpansion', 'string', 'Indicates whether the storage class allow volume expand.'),
    ageColumn(),
  ],
  cells: (obj, now) => {
    const sc = view<StorageClass>(obj);
    const name = obj.metadata?.name ?? '';
    return [
      isDefaultStorageClass(sc) ? `${name} (default)` : name,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      String(sc.allowVolumeExpansion ?? false),
      age(obj, now),
    ];
  },
};
