// Validators per kind (upstream's per-resource strategies' Validate / ValidateUpdate). Each returns FieldErrors
// with upstream's paths and messages; the apiserver turns a non-empty list into ApiError.invalid (a 422).
import type { KindKey } from '../object.ts';
import type { Validator } from '../strategy.ts';
import { deploymentValidator, replicaSetValidator, scaleValidator } from './apps.ts';
import {
  configMapValidator, coreEventValidator, endpointsValidator, namespaceValidator, nodeValidator, secretValidator,
  serviceAccountValidator,
} from './core.ts';
import { endpointSliceValidator, leaseValidator, newEventValidator } from './groups.ts';
import { bindingValidator, podValidator } from './pod.ts';
import { serviceValidator } from './service.ts';
import { cronJobValidator, jobValidator } from './batch.ts';
import { persistentVolumeClaimValidator, persistentVolumeValidator, storageClassValidator } from './storage.ts';
import { statefulSetValidator } from './statefulset.ts';
import { controllerRevisionValidator, daemonSetValidator, replicationControllerValidator } from './workloads.ts';

export const validators: Record<KindKey, Validator> = {
  'v1/Pod': podValidator,
  'v1/Binding': bindingValidator,
  'v1/Service': serviceValidator,
  'v1/Namespace': namespaceValidator,
  'v1/Node': nodeValidator,
  'v1/ConfigMap': configMapValidator,
  'v1/Secret': secretValidator,
  'v1/ServiceAccount': serviceAccountValidator,
  'v1/Endpoints': endpointsValidator,
  'v1/Event': coreEventValidator,
  'apps/v1/Deployment': deploymentValidator,
  'apps/v1/ReplicaSet': replicaSetValidator,
  'v1/ReplicationController': replicationControllerValidator,
  'apps/v1/DaemonSet': daemonSetValidator,
  'apps/v1/ControllerRevision': controllerRevisionValidator,
  'autoscaling/v1/Scale': scaleValidator,
  'coordination.k8s.io/v1/Lease': leaseValidator,
  'discovery.k8s.io/v1/EndpointSlice': endpointSliceValidator,
  'events.k8s.io/v1/Event': newEventValidator,
  'batch/v1/Job': jobValidator,
  'batch/v1/CronJob': cronJobValidator,
  'v1/PersistentVolume': persistentVolumeValidator,
  'v1/PersistentVolumeClaim': persistentVolumeClaimValidator,
  'storage.k8s.io/v1/StorageClass': storageClassValidator,
  'apps/v1/StatefulSet': statefulSetValidator,
};

export { validateLabelSelector } from './apps.ts';
export { validatePodSpec, validateTolerations } from './podspec.ts';
export { validateObjectMeta, validateObjectMetaUpdate, validateImmutable, immutableMsg } from './objectmeta.ts';
export * from './names.ts';
