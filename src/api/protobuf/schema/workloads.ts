// Messages for ReplicationController (core/v1) and DaemonSet/ControllerRevision (apps/v1) as proto2 text with
// upstream's field numbers (k8s.io/api generated.proto). Parsed into the same Root as the other schema texts, so
// they share PodTemplateSpec, LabelSelector and the meta types.
const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const intstr = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const core = 'k8s.io.api.core.v1';
const imports = `
import "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto";
import "k8s.io/apimachinery/pkg/runtime/generated.proto";
import "k8s.io/apimachinery/pkg/util/intstr/generated.proto";
import "k8s.io/api/core/v1/generated.proto";
`;

export const coreReplicationControllerProto = `
syntax = "proto2";
package k8s.io.api.core.v1;
${imports}
message ReplicationController {
  optional ${meta}.ObjectMeta metadata = 1;
  optional ReplicationControllerSpec spec = 2;
  optional ReplicationControllerStatus status = 3;
}
message ReplicationControllerSpec {
  optional int32 replicas = 1 [(ptr) = true];
  optional int32 minReadySeconds = 4;
  map<string, string> selector = 2;
  optional PodTemplateSpec template = 3;
}
message ReplicationControllerStatus {
  optional int32 replicas = 1;
  optional int32 fullyLabeledReplicas = 2;
  optional int32 readyReplicas = 4;
  optional int32 availableReplicas = 5;
  optional int64 observedGeneration = 3;
  repeated ReplicationControllerCondition conditions = 6;
}
message ReplicationControllerCondition {
  optional string type = 1;
  optional string status = 2;
  optional ${meta}.Time lastTransitionTime = 3;
  optional string reason = 4;
  optional string message = 5;
}
`;

export const appsDaemonSetProto = `
syntax = "proto2";
package k8s.io.api.apps.v1;
${imports}
message DaemonSet { optional ${meta}.ObjectMeta metadata = 1; optional DaemonSetSpec spec = 2; optional DaemonSetStatus status = 3; }
message DaemonSetSpec {
  optional ${meta}.LabelSelector selector = 1;
  optional ${core}.PodTemplateSpec template = 2;
  optional DaemonSetUpdateStrategy updateStrategy = 3;
  optional int32 minReadySeconds = 4;
  optional int32 revisionHistoryLimit = 6 [(ptr) = true];
}
message DaemonSetUpdateStrategy { optional string type = 1; optional RollingUpdateDaemonSet rollingUpdate = 2; }
message RollingUpdateDaemonSet { optional ${intstr} maxUnavailable = 1 [(ptr) = true]; optional ${intstr} maxSurge = 2 [(ptr) = true]; }
message DaemonSetStatus {
  optional int32 currentNumberScheduled = 1;
  optional int32 numberMisscheduled = 2;
  optional int32 desiredNumberScheduled = 3;
  optional int32 numberReady = 4;
  optional int64 observedGeneration = 5;
  optional int32 updatedNumberScheduled = 6;
  optional int32 numberAvailable = 7;
  optional int32 numberUnavailable = 8;
  optional int32 collisionCount = 9 [(ptr) = true];
  repeated DaemonSetCondition conditions = 10;
}
message DaemonSetCondition {
  optional string type = 1;
  optional string status = 2;
  optional ${meta}.Time lastTransitionTime = 3;
  optional string reason = 4;
  optional string message = 5;
}
message ControllerRevision {
  optional ${meta}.ObjectMeta metadata = 1;
  optional k8s.io.apimachinery.pkg.runtime.RawExtension data = 2;
  optional int64 revision = 3;
}
`;
