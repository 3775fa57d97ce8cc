// batch/v1 messages (Job, CronJob and what they embed) as proto2 text with upstream's field numbers
// (k8s.io/api/batch/v1/generated.proto). (ptr) marks Go pointer fields, whose zero value is a real value.
const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const core = 'k8s.io.api.core.v1';

export const batchV1Proto = `
syntax = "proto2";
package k8s.io.api.batch.v1;
import "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto";
import "k8s.io/api/core/v1/generated.proto";

message Job { optional ${meta}.ObjectMeta metadata = 1; optional JobSpec spec = 2; optional JobStatus status = 3; }
message JobSpec {
  optional int32 parallelism = 1 [(ptr) = true];
  optional int32 completions = 2 [(ptr) = true];
  optional int64 activeDeadlineSeconds = 3 [(ptr) = true];
  optional PodFailurePolicy podFailurePolicy = 11;
  optional SuccessPolicy successPolicy = 16;
  optional int32 backoffLimit = 7 [(ptr) = true];
  optional int32 backoffLimitPerIndex = 12 [(ptr) = true];
  optional int32 maxFailedIndexes = 13 [(ptr) = true];
  optional ${meta}.LabelSelector selector = 4;
  optional bool manualSelector = 5 [(ptr) = true];
  optional ${core}.PodTemplateSpec template = 6;
  optional int32 ttlSecondsAfterFinished = 8 [(ptr) = true];
  optional string completionMode = 9 [(ptr) = true];
  optional bool suspend = 10 [(ptr) = true];
  optional string podReplacementPolicy = 14 [(ptr) = true];
  optional string managedBy = 15 [(ptr) = true];
}
message JobStatus {
  repeated JobCondition conditions = 1;
  optional ${meta}.Time startTime = 2;
  optional ${meta}.Time completionTime = 3;
  optional int32 active = 4;
  optional int32 succeeded = 5;
  optional int32 failed = 6;
  optional int32 terminating = 11 [(ptr) = true];
  optional string completedIndexes = 7;
  optional string failedIndexes = 10 [(ptr) = true];
  optional UncountedTerminatedPods uncountedTerminatedPods = 8;
  optional int32 ready = 9 [(ptr) = true];
}
message JobCondition {
  optional string type = 1;
  optional string status = 2;
  optional ${meta}.Time lastProbeTime = 3;
  optional ${meta}.Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}
message JobTemplateSpec { optional ${meta}.ObjectMeta metadata = 1; optional JobSpec spec = 2; }
message PodFailurePolicy { repeated PodFailurePolicyRule rules = 1; }
message PodFailurePolicyRule {
  optional string name = 4 [(ptr) = true];
  optional string action = 1;
  optional PodFailurePolicyOnExitCodesRequirement onExitCodes = 2;
  repeated PodFailurePolicyOnPodConditionsPattern onPodConditions = 3;
}
message PodFailurePolicyOnExitCodesRequirement {
  optional string containerName = 1 [(ptr) = true];
  optional string operator = 2;
  repeated int32 values = 3;
}
message PodFailurePolicyOnPodConditionsPattern { optional string type = 1; optional string status = 2; }
message SuccessPolicy { repeated SuccessPolicyRule rules = 1; }
message SuccessPolicyRule { optional string succeededIndexes = 1 [(ptr) = true]; optional int32 succeededCount = 2 [(ptr) = true]; }
message UncountedTerminatedPods { repeated string succeeded = 1; repeated string failed = 2; }

message CronJob { optional ${meta}.ObjectMeta metadata = 1; optional CronJobSpec spec = 2; optional CronJobStatus status = 3; }
message CronJobSpec {
  optional string schedule = 1;
  optional string timeZone = 8 [(ptr) = true];
  optional int64 startingDeadlineSeconds = 2 [(ptr) = true];
  optional string concurrencyPolicy = 3;
  optional bool suspend = 4 [(ptr) = true];
  optional JobTemplateSpec jobTemplate = 5;
  optional int32 successfulJobsHistoryLimit = 6 [(ptr) = true];
  optional int32 failedJobsHistoryLimit = 7 [(ptr) = true];
}
message CronJobStatus {
  repeated ${core}.ObjectReference active = 1;
  optional ${meta}.Time lastScheduleTime = 4;
  optional ${meta}.Time lastSuccessfulTime = 5;
}
`;
