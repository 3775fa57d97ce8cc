// Validation of PersistentVolume, PersistentVolumeClaim (core/v1) and StorageClass (storage.k8s.io/v1): the
// essentials of upstream's ValidatePersistentVolume(Claim)/ValidateStorageClass — access modes, a storage
// capacity or request, exactly one volume source, known policies — and their update rules (a claim's spec is
// fixed once created except its requests and, while unset, volumeName and storageClassName; a class's behaviour
// never changes).
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { Validator } from '../strategy.ts';
import { validateLabelSelector } from './apps.ts';
import { nameIsDNSSubdomain, nameIsPathSegment } from './names.ts';
import { jsonEqual, validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';
import { parseQuantity, quantityFormatMsg } from './quantity.ts';

const accessModes = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
const volumeModes = ['Block', 'Filesystem'];

function validateAccessModes(modes: string[] | undefined, path: string, required: string): FieldError[] {
  if (!modes?.length) return [fieldErrors.required(path, required)];
  const errs = modes.filter((m) => !accessModes.includes(m)).map((m) => fieldErrors.notSupported(path, m, accessModes));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    errs.push(fieldErrors.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

function validateStorageQuantity(v: string | undefined, path: string): FieldError[] {
  if (v === undefined) return [fieldErrors.required(path)];
  const q = parseQuantity(v);
  if (q === undefined) return [fieldErrors.invalid(path, v, quantityFormatMsg)];
  return q > 0n ? [] : [fieldErrors.invalid(path, v, 'must be greater than zero')];
}

function validateVolumeMode(mode: string | undefined, path: string): FieldError[] {
  return mode && !volumeModes.includes(mode) ? [fieldErrors.notSupported(path, mode, volumeModes)] : [];
}

// Keys of PersistentVolumeSpec that are volume sources (exactly one is allowed).
const pvSources = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc',
  'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
];

function validatePersistentVolume(obj: KubeObject): FieldError[] {
  const pv = obj as unknown as PersistentVolume;
  const spec = pv.spec ?? {};
  const errs = validateObjectMeta(pv.metadata, false, nameIsPathSegment);
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', 'must specify at least 1 access mode'));
  const capacity = spec.capacity ?? {};
  if (Object.keys(capacity).length === 0) errs.push(fieldErrors.required('spec.capacity'));
  else if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(fieldErrors.notSupported('spec.capacity', capacity, ['storage']));
  else errs.push(...validateStorageQuantity(capacity.storage, 'spec.capacity[storage]'));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !['Delete', 'Recycle', 'Retain'].includes(policy)) {
    errs.push(fieldErrors.notSupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']));
  }
  const sources = pvSources.filter((k) => (spec as Record<string, unknown>)[k] != null);
  if (sources.length === 0) errs.push(fieldErrors.required('spec', 'must specify a volume type'));
  if (sources.length > 1) errs.push(fieldErrors.forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath && !spec.hostPath.path) errs.push(fieldErrors.required('spec.hostPath.path'));
  if (spec.local && !spec.local.path) errs.push(fieldErrors.required('spec.local.path'));
  if (spec.local && !spec.nodeAffinity) errs.push(fieldErrors.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  if (spec.nodeAffinity && !spec.nodeAffinity.required) errs.push(fieldErrors.required('spec.nodeAffinity.required', 'must have at least one node selector term'));
  return errs;
}

function validatePersistentVolumeUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = (obj as unknown as PersistentVolume).spec ?? {};
  const oldSpec = (old as unknown as PersistentVolume).spec ?? {};
  const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validatePersistentVolume(obj).filter((e) => !e.field.startsWith('metadata.'))];
  const source = (s: typeof spec): unknown => Object.fromEntries(pvSources.map((k) => [k, (s as Record<string, unknown>)[k]]));
  if (!jsonEqual(source(spec), source(oldSpec))) errs.push(fieldErrors.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  errs.push(...validateImmutable(spec.volumeMode, oldSpec.volumeMode, 'volumeMode'));
  if (oldSpec.nodeAffinity) errs.push(...validateImmutable(spec.nodeAffinity, oldSpec.nodeAffinity, 'nodeAffinity'));
  return errs;
}

/** ValidatePersistentVolumeClaimSpec, shared with StatefulSet claim templates. */
export function validateClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, `${path}.accessModes`, 'at least 1 access mode is required');
  errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  errs.push(...validateStorageQuantity(s.resources?.requests?.storage, `${path}.resources[storage]`));
  errs.push(...validateVolumeMode(s.volumeMode, `${path}.volumeMode`));
  if (s.storageClassName) {
    for (const m of nameIsDNSSubdomain(s.storageClassName, false)) errs.push(fieldErrors.invalid(`${path}.storageClassName`, s.storageClassName, m));
  }
  return errs;
}

function validatePersistentVolumeClaim(obj: KubeObject): FieldError[] {
  const pvc = obj as unknown as PersistentVolumeClaim;
  return [...validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain), ...validateClaimSpec(pvc.spec, 'spec')];
}

/** A claim's spec without what may change after creation (requests; volumeName once, by the binder). */
function fixedClaimSpec(spec: PersistentVolumeClaimSpec | undefined, old: PersistentVolumeClaimSpec | undefined): unknown {
  const { resources, volumeName, volumeAttributesClassName: _v, storageClassName, ...rest } = spec ?? {};
  return {
    ...rest,
    limits: resources?.limits,
    volumeName: old?.volumeName ? volumeName : undefined,
    // a claim without a class may be given one once (upstream's retroactive default StorageClass assignment)
    storageClassName: old?.storageClassName === undefined ? undefined : storageClassName,
  };
}

function validatePersistentVolumeClaimUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = (obj as unknown as PersistentVolumeClaim).spec;
  const oldSpec = (old as unknown as PersistentVolumeClaim).spec;
  const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validatePersistentVolumeClaim(obj).filter((e) => !e.field.startsWith('metadata.'))];
  if (!jsonEqual(fixedClaimSpec(spec, oldSpec), fixedClaimSpec(oldSpec, oldSpec))) {
    errs.push(fieldErrors.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  return errs;
}

const reclaimPolicies = ['Delete', 'Retain'];
const bindingModes = ['Immediate', 'WaitForFirstConsumer'];

function validateStorageClass(obj: KubeObject): FieldError[] {
  const sc = obj as unknown as StorageClass;
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain);
  if (!sc.provisioner) errs.push(fieldErrors.required('provisioner'));
  else if (sc.provisioner.length > 63) errs.push(fieldErrors.tooLong('provisioner', 63));
  if (sc.reclaimPolicy && !reclaimPolicies.includes(sc.reclaimPolicy)) errs.push(fieldErrors.notSupported('reclaimPolicy', sc.reclaimPolicy, reclaimPolicies));
  if (sc.volumeBindingMode && !bindingModes.includes(sc.volumeBindingMode)) {
    errs.push(fieldErrors.notSupported('volumeBindingMode', sc.volumeBindingMode, bindingModes));
  }
  return errs;
}

function validateStorageClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const sc = obj as unknown as StorageClass;
  const was = old as unknown as StorageClass;
  const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateStorageClass(obj).filter((e) => !e.field.startsWith('metadata.'))];
  if (!jsonEqual(sc.parameters ?? {}, was.parameters ?? {})) errs.push(fieldErrors.forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== was.provisioner) errs.push(fieldErrors.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== was.reclaimPolicy) errs.push(fieldErrors.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...validateImmutable(sc.volumeBindingMode, was.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}

export const persistentVolumeValidator: Validator = {
  create: validatePersistentVolume,
  update: validatePersistentVolumeUpdate,
  updateStatus: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
};

export const persistentVolumeClaimValidator: Validator = {
  create: validatePersistentVolumeClaim,
  update: validatePersistentVolumeClaimUpdate,
  updateStatus: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
};

export const storageClassValidator: Validator = { create: validateStorageClass, update: validateStorageClassUpdate };
