// Messages of the named API groups Skiff serves (apps, autoscaling, coordination.k8s.io, discovery.k8s.io,
// events.k8s.io, policy, authentication.k8s.io's TokenRequest) as proto2 text with upstream's field numbers.
const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const intstr = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const core = 'k8s.io.api.core.v1';
const header = (pkg: string): string => `
syntax = "proto2";
package ${pkg};
import "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto";
import "k8s.io/apimachinery/pkg/util/intstr/generated.proto";
import "k8s.io/api/core/v1/generated.proto";
`;

export const appsV1Proto = `${header('k8s.io.api.apps.v1')}
message Deployment { optional ${meta}.ObjectMeta metadata = 1; optional DeploymentSpec spec = 2; optional DeploymentStatus status = 3; }
message DeploymentSpec {
  optional int32 replicas = 1 [(ptr) = true];
  optional ${meta}.LabelSelector selector = 2;
  optional ${core}.PodTemplateSpec template = 3;
  optional DeploymentStrategy strategy = 4;
  optional int32 minReadySeconds = 5;
  optional int32 revisionHistoryLimit = 6 [(ptr) = true];
  optional bool paused = 7;
  optional int32 progressDeadlineSeconds = 9 [(ptr) = true];
}
message DeploymentStrategy { optional string type = 1; optional RollingUpdateDeployment rollingUpdate = 2; }
message RollingUpdateDeployment { optional ${intstr} maxUnavailable = 1 [(ptr) = true]; optional ${intstr} maxSurge = 2 [(ptr) = true]; }
message DeploymentStatus {
  optional int64 observedGeneration = 1;
  optional int32 replicas = 2;
  optional int32 updatedReplicas = 3;
  optional int32 readyReplicas = 7;
  optional int32 availableReplicas = 4;
  optional int32 unavailableReplicas = 5;
  optional int32 terminatingReplicas = 9 [(ptr) = true];
  repeated DeploymentCondition conditions = 6;
  optional int32 collisionCount = 8 [(ptr) = true];
}
message DeploymentCondition {
  optional string type = 1;
  optional string status = 2;
  optional ${meta}.Time lastUpdateTime = 6;
  optional ${meta}.Time lastTransitionTime = 7;
  optional string reason = 4;
  optional string message = 5;
}

message ReplicaSet { optional ${meta}.ObjectMeta metadata = 1; optional ReplicaSetSpec spec = 2; optional ReplicaSetStatus status = 3; }
message ReplicaSetSpec {
  optional int32 replicas = 1 [(ptr) = true];
  optional int32 minReadySeconds = 4;
  optional ${meta}.LabelSelector selector = 2;
  optional ${core}.PodTemplateSpec template = 3;
}
message ReplicaSetStatus {
  optional int32 replicas = 1;
  optional int32 fullyLabeledReplicas = 2;
  optional int32 readyReplicas = 4;
  optional int32 availableReplicas = 5;
  optional int32 terminatingReplicas = 7 [(ptr) = true];
  optional int64 observedGeneration = 3;
  repeated ReplicaSetCondition conditions = 6;
}
message ReplicaSetCondition {
  optional string type = 1;
  optional string status = 2;
  optional ${meta}.Time lastTransitionTime = 3;
  optional string reason = 4;
  optional string message = 5;
}
`;

export const autoscalingV1Proto = `${header('k8s.io.api.autoscaling.v1')}
message Scale { optional ${meta}.ObjectMeta metadata = 1; optional ScaleSpec spec = 2; optional ScaleStatus status = 3; }
message ScaleSpec { optional int32 replicas = 1; }
message ScaleStatus { optional int32 replicas = 1; optional string selector = 2; }
`;

export const coordinationV1Proto = `${header('k8s.io.api.coordination.v1')}
message Lease { optional ${meta}.ObjectMeta metadata = 1; optional LeaseSpec spec = 2; }
message LeaseSpec {
  optional string holderIdentity = 1 [(ptr) = true];
  optional int32 leaseDurationSeconds = 2 [(ptr) = true];
  optional ${meta}.MicroTime acquireTime = 3;
  optional ${meta}.MicroTime renewTime = 4;
  optional int32 leaseTransitions = 5 [(ptr) = true];
  optional string strategy = 6 [(ptr) = true];
  optional string preferredHolder = 7 [(ptr) = true];
}
`;

export const discoveryV1Proto = `${header('k8s.io.api.discovery.v1')}
message EndpointSlice {
  optional ${meta}.ObjectMeta metadata = 1;
  optional string addressType = 4;
  repeated Endpoint endpoints = 2;
  repeated EndpointPort ports = 3;
}
message Endpoint {
  repeated string addresses = 1;
  optional EndpointConditions conditions = 2;
  optional string hostname = 3 [(ptr) = true];
  optional ${core}.ObjectReference targetRef = 4;
  map<string, string> deprecatedTopology = 5;
  optional string nodeName = 6 [(ptr) = true];
  optional string zone = 7 [(ptr) = true];
  optional EndpointHints hints = 8;
}
message EndpointConditions {
  optional bool ready = 1 [(ptr) = true];
  optional bool serving = 2 [(ptr) = true];
  optional bool terminating = 3 [(ptr) = true];
}
message EndpointHints { repeated ForZone forZones = 1; repeated ForNode forNodes = 2; }
message ForZone { optional string name = 1; }
message ForNode { optional string name = 1; }
message EndpointPort {
  optional string name = 1 [(ptr) = true];
  optional string protocol = 2 [(ptr) = true];
  optional int32 port = 3 [(ptr) = true];
  optional string appProtocol = 4 [(ptr) = true];
}
`;

export const eventsV1Proto = `${header('k8s.io.api.events.v1')}
message Event {
  optional ${meta}.ObjectMeta metadata = 1;
  optional ${meta}.MicroTime eventTime = 2;
  optional EventSeries series = 3;
  optional string reportingController = 4;
  optional string reportingInstance = 5;
  optional string action = 6;
  optional string reason = 7;
  optional ${core}.ObjectReference regarding = 8;
  optional ${core}.ObjectReference related = 9;
  optional string note = 10;
  optional string type = 11;
  optional ${core}.EventSource deprecatedSource = 12;
  optional ${meta}.Time deprecatedFirstTimestamp = 13;
  optional ${meta}.Time deprecatedLastTimestamp = 14;
  optional int32 deprecatedCount = 15;
}
message EventSeries { optional int32 count = 1; optional ${meta}.MicroTime lastObservedTime = 2; }
`;

export const policyV1Proto = `${header('k8s.io.api.policy.v1')}
message Eviction { optional ${meta}.ObjectMeta metadata = 1; optional ${meta}.DeleteOptions deleteOptions = 2; }
`;

/** The body of serviceaccounts/<name>/token (kubectl create token sends it as protobuf). */
export const authenticationV1Proto = `${header('k8s.io.api.authentication.v1')}
message TokenRequest { optional ${meta}.ObjectMeta metadata = 1; optional TokenRequestSpec spec = 2; optional TokenRequestStatus status = 3; }
message TokenRequestSpec { repeated string audiences = 1; optional int64 expirationSeconds = 4; optional BoundObjectReference boundObjectRef = 3; }
message BoundObjectReference { optional string kind = 1; optional string apiVersion = 2; optional string name = 3; optional string uid = 4; }
message TokenRequestStatus { optional string token = 1; optional ${meta}.Time expirationTimestamp = 2; }
`;
