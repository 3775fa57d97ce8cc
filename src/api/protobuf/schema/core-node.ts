// core/v1 Node as proto2 text (upstream field numbers), the parts a kubelet reports and the scheduler reads.
const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const quantity = 'k8s.io.apimachinery.pkg.api.resource.Quantity';

export const coreNodeProto = `
syntax = "proto2";
package k8s.io.api.core.v1;
import "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto";
import "k8s.io/apimachinery/pkg/api/resource/generated.proto";

message Node { optional ${meta}.ObjectMeta metadata = 1; optional NodeSpec spec = 2; optional NodeStatus status = 3; }
message NodeSpec {
  optional string podCIDR = 1;
  repeated string podCIDRs = 7;
  optional string providerID = 3;
  optional bool unschedulable = 4;
  repeated Taint taints = 5;
  optional string externalID = 2;
}
message Taint { optional string key = 1; optional string value = 2; optional string effect = 3; optional ${meta}.Time timeAdded = 4; }
message NodeStatus {
  map<string, ${quantity}> capacity = 1;
  map<string, ${quantity}> allocatable = 2;
  optional string phase = 3;
  repeated NodeCondition conditions = 4;
  repeated NodeAddress addresses = 5;
  optional NodeDaemonEndpoints daemonEndpoints = 6;
  optional NodeSystemInfo nodeInfo = 7;
  repeated ContainerImage images = 8;
  repeated string volumesInUse = 9;
  repeated AttachedVolume volumesAttached = 10;
  repeated NodeRuntimeHandler runtimeHandlers = 12;
  optional NodeFeatures features = 13;
}
message NodeCondition {
  optional string type = 1;
  optional string status = 2;
  optional ${meta}.Time lastHeartbeatTime = 3;
  optional ${meta}.Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}
message NodeAddress { optional string type = 1; optional string address = 2; }
message NodeDaemonEndpoints { optional DaemonEndpoint kubeletEndpoint = 1; }
message DaemonEndpoint { optional int32 Port = 1; }
message NodeSystemInfo {
  optional string machineID = 1;
  optional string systemUUID = 2;
  optional string bootID = 3;
  optional string kernelVersion = 4;
  optional string osImage = 5;
  optional string containerRuntimeVersion = 6;
  optional string kubeletVersion = 7;
  optional string kubeProxyVersion = 8;
  optional string operatingSystem = 9;
  optional string architecture = 10;
  optional NodeSwapStatus swap = 11;
}
message NodeSwapStatus { optional int64 capacity = 1 [(ptr) = true]; }
message ContainerImage { repeated string names = 1; optional int64 sizeBytes = 2; }
message AttachedVolume { optional string name = 1; optional string devicePath = 2; }
message NodeRuntimeHandler { optional string name = 1; optional NodeRuntimeHandlerFeatures features = 2; }
message NodeRuntimeHandlerFeatures { optional bool recursiveReadOnlyMounts = 1 [(ptr) = true]; optional bool userNamespaces = 2 [(ptr) = true]; }
message NodeFeatures { optional bool supplementalGroupsPolicy = 1 [(ptr) = true]; }
`;
