// PersistentVolume, PersistentVolumeClaim (core/v1) and StorageClass (storage.k8s.io/v1) as proto2 text with
// upstream's field numbers. PersistentVolumeSource is embedded in Go, so its one set member (hostPath, nfs,
// local, csi) sits directly in the spec's JSON; sources Skiff has no use for are left out (skipped on decode).
const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const quantity = 'k8s.io.apimachinery.pkg.api.resource.Quantity';

export const coreStorageProto = `
syntax = "proto2";
package k8s.io.api.core.v1;
import "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto";
import "k8s.io/apimachinery/pkg/api/resource/generated.proto";

message PersistentVolume { optional ${meta}.ObjectMeta metadata = 1; optional PersistentVolumeSpec spec = 2; optional PersistentVolumeStatus status = 3; }
message PersistentVolumeSpec {
  map<string, ${quantity}> capacity = 1;
  optional PersistentVolumeSource persistentVolumeSource = 2 [(inline) = true];
  repeated string accessModes = 3;
  optional ObjectReference claimRef = 4;
  optional string persistentVolumeReclaimPolicy = 5;
  optional string storageClassName = 6;
  repeated string mountOptions = 7;
  optional string volumeMode = 8 [(ptr) = true];
  optional VolumeNodeAffinity nodeAffinity = 9;
  optional string volumeAttributesClassName = 10 [(ptr) = true];
}
message PersistentVolumeSource {
  optional HostPathVolumeSource hostPath = 3;
  optional NFSVolumeSource nfs = 5;
  optional LocalVolumeSource local = 20;
  optional CSIPersistentVolumeSource csi = 22;
}
message LocalVolumeSource { optional string path = 1; optional string fsType = 2 [(ptr) = true]; }
message SecretReference { optional string name = 1; optional string namespace = 2; }
message CSIPersistentVolumeSource {
  optional string driver = 1;
  optional string volumeHandle = 2;
  optional bool readOnly = 3;
  optional string fsType = 4;
  map<string, string> volumeAttributes = 5;
  optional SecretReference controllerPublishSecretRef = 6;
  optional SecretReference nodeStageSecretRef = 7;
  optional SecretReference nodePublishSecretRef = 8;
  optional SecretReference controllerExpandSecretRef = 9;
  optional SecretReference nodeExpandSecretRef = 10;
}
message VolumeNodeAffinity { optional NodeSelector required = 1; }
message PersistentVolumeStatus {
  optional string phase = 1;
  optional string message = 2;
  optional string reason = 3;
  optional ${meta}.Time lastPhaseTransitionTime = 4;
}

message PersistentVolumeClaim { optional ${meta}.ObjectMeta metadata = 1; optional PersistentVolumeClaimSpec spec = 2; optional PersistentVolumeClaimStatus status = 3; }
message PersistentVolumeClaimStatus {
  optional string phase = 1;
  repeated string accessModes = 2;
  map<string, ${quantity}> capacity = 3;
  repeated PersistentVolumeClaimCondition conditions = 4;
  map<string, ${quantity}> allocatedResources = 5;
  map<string, string> allocatedResourceStatuses = 7;
  optional string currentVolumeAttributesClassName = 8 [(ptr) = true];
  optional ModifyVolumeStatus modifyVolumeStatus = 9;
}
message PersistentVolumeClaimCondition {
  optional string type = 1;
  optional string status = 2;
  optional ${meta}.Time lastProbeTime = 3;
  optional ${meta}.Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}
message ModifyVolumeStatus { optional string targetVolumeAttributesClassName = 1; optional string status = 2; }
`;

export const storageV1Proto = `
syntax = "proto2";
package k8s.io.api.storage.v1;
import "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto";
import "k8s.io/api/core/v1/generated.proto";

message StorageClass {
  optional ${meta}.ObjectMeta metadata = 1;
  optional string provisioner = 2;
  map<string, string> parameters = 3;
  optional string reclaimPolicy = 4 [(ptr) = true];
  repeated string mountOptions = 5;
  optional bool allowVolumeExpansion = 6 [(ptr) = true];
  optional string volumeBindingMode = 7 [(ptr) = true];
  repeated TopologySelectorTerm allowedTopologies = 8;
}
// core/v1 TopologySelectorTerm, kept in this package as only StorageClass uses it.
message TopologySelectorTerm { repeated TopologySelectorLabelRequirement matchLabelExpressions = 1; }
message TopologySelectorLabelRequirement { optional string key = 1; repeated string values = 2; }
`;
