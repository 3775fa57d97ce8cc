// What each kind's Go zero value looks like once converted to JSON (non-pointer structs present as {}, required
// lists as null). Upstream compares a create against this zero object and applies a first server-side apply onto
// it, so which nodes "appear" on create (and get a "." in managedFields) depends on it: `spec` never does,
// `metadata.labels` does.
import type { KindKey } from '../../../api/object.ts';
import type { JsonObject } from './typed.ts';

const podTemplate = (): JsonObject => ({ metadata: {}, spec: { containers: null } });

const zeroObjects: Record<KindKey, () => JsonObject> = {
  'v1/Pod': () => ({ metadata: {}, spec: { containers: null }, status: {} }),
  'v1/Service': () => ({ metadata: {}, spec: {}, status: { loadBalancer: {} } }),
  'v1/Node': () => ({
    metadata: {}, spec: {}, status: { daemonEndpoints: { kubeletEndpoint: { Port: 0 } }, nodeInfo: {} },
  }),
  'v1/Namespace': () => ({ metadata: {}, spec: {}, status: {} }),
  'v1/Event': () => ({
    metadata: {}, involvedObject: {}, source: {}, firstTimestamp: null, lastTimestamp: null, eventTime: null,
    reportingComponent: '', reportingInstance: '',
  }),
  'apps/v1/Deployment': () => ({
    metadata: {}, spec: { selector: null, template: podTemplate(), strategy: {} }, status: {},
  }),
  'apps/v1/ReplicaSet': () => ({ metadata: {}, spec: { selector: null, template: podTemplate() }, status: {} }),
  'coordination.k8s.io/v1/Lease': () => ({ metadata: {}, spec: {} }),
  'apps/v1/StatefulSet': () => ({
    metadata: {}, spec: { selector: null, template: podTemplate(), updateStrategy: {} }, status: { replicas: 0, availableReplicas: 0 },
  }),
  'apps/v1/DaemonSet': () => ({
    metadata: {}, spec: { selector: null, template: podTemplate(), updateStrategy: {} },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  }),
  'v1/ReplicationController': () => ({ metadata: {}, spec: {}, status: { replicas: 0 } }),
  'v1/PodTemplate': () => ({ metadata: {}, template: podTemplate() }),
  'batch/v1/Job': () => ({ metadata: {}, spec: { template: podTemplate() }, status: {} }),
  'batch/v1/CronJob': () => ({
    metadata: {}, spec: { schedule: '', jobTemplate: { metadata: {}, spec: { template: podTemplate() } } }, status: {},
  }),
  'discovery.k8s.io/v1/EndpointSlice': () => ({ metadata: {}, addressType: '', endpoints: null }),
  'events.k8s.io/v1/Event': () => ({
    metadata: {}, eventTime: null, regarding: {}, deprecatedSource: {}, deprecatedFirstTimestamp: null,
    deprecatedLastTimestamp: null,
  }),
};

/** A fresh zero object for the kind (just `metadata: {}` for kinds not listed). */
export function zeroObject(kind: KindKey): JsonObject {
  return zeroObjects[kind]?.() ?? { metadata: {} };
}
