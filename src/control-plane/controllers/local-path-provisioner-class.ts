// The local-path provisioner's names and its default StorageClass (k3s ships `local-path` with
// rancher.io/local-path the same way): volumes are hostPath directories under parameters.nodePath on the node
// the first consumer was scheduled to, bound WaitForFirstConsumer, deleted with their claim.
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../../api/object.ts';

export const localPathProvisioner = 'skiff.io/local-path';
export const localPathClassName = 'local-path';
export const defaultClassAnnotation = 'storageclass.kubernetes.io/is-default-class';

export function localPathStorageClass(nodePath: string): KubeObject {
  const sc: StorageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: localPathClassName, annotations: { [defaultClassAnnotation]: 'true' } },
    provisioner: localPathProvisioner,
    parameters: { nodePath },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
  return sc as unknown as KubeObject;
}
