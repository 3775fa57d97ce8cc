// apps/v1 StatefulSet as proto2 text with upstream's field numbers (ControllerRevision is JSON-only here: its
// data is a RawExtension, which the wire mapping does not shape).
const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const intstr = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const core = 'k8s.io.api.core.v1';

export const appsStatefulSetProto = `
syntax = "proto2";
package k8s.io.api.apps.v1;
import "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto";
import "k8s.io/apimachinery/pkg/util/intstr/generated.proto";
import "k8s.io/api/core/v1/generated.proto";

message StatefulSet { optional ${meta}.ObjectMeta metadata = 1; optional StatefulSetSpec spec = 2; optional StatefulSetStatus status = 3; }
message StatefulSetSpec {
  optional int32 replicas = 1 [(ptr) = true];
  optional ${meta}.LabelSelector selector = 2;
  optional ${core}.PodTemplateSpec template = 3;
  repeated ${core}.PersistentVolumeClaim volumeClaimTemplates = 4;
  optional string serviceName = 5;
  optional string podManagementPolicy = 6;
  optional StatefulSetUpdateStrategy updateStrategy = 7;
  optional int32 revisionHistoryLimit = 8 [(ptr) = true];
  optional int32 minReadySeconds = 9;
  optional StatefulSetPersistentVolumeClaimRetentionPolicy persistentVolumeClaimRetentionPolicy = 10;
  optional StatefulSetOrdinals ordinals = 11;
}
message StatefulSetUpdateStrategy { optional string type = 1; optional RollingUpdateStatefulSetStrategy rollingUpdate = 2; }
message RollingUpdateStatefulSetStrategy { optional int32 partition = 1 [(ptr) = true]; optional ${intstr} maxUnavailable = 2 [(ptr) = true]; }
message StatefulSetPersistentVolumeClaimRetentionPolicy { optional string whenDeleted = 1; optional string whenScaled = 2; }
message StatefulSetOrdinals { optional int32 start = 1; }
message StatefulSetStatus {
  optional int64 observedGeneration = 1;
  optional int32 replicas = 2;
  optional int32 readyReplicas = 3;
  optional int32 currentReplicas = 4;
  optional int32 updatedReplicas = 5;
  optional string currentRevision = 6;
  optional string updateRevision = 7;
  optional int32 collisionCount = 9 [(ptr) = true];
  repeated StatefulSetCondition conditions = 10;
  optional int32 availableReplicas = 11;
}
message StatefulSetCondition {
  optional string type = 1;
  optional string status = 2;
  optional ${meta}.Time lastTransitionTime = 3;
  optional string reason = 4;
  optional string message = 5;
}
`;
