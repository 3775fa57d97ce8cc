// One valid object per registered kind for the resttest suite (as upstream's registry tests keep a
// validNewX() beside each resource), plus the spec and status changes the isolation checks make. The suite
// fails for a registered kind without a fixture here, so a new kind is tested the day it is registered.
import type { KubeObject } from '../../src/api/object.ts';

export interface Fixture {
  /** A valid new object (metadata.name is set by the suite). */
  object(namespace: string): KubeObject;
  /** Changes something that metadata.generation tracks (where the kind tracks it). */
  specChange?(obj: KubeObject): void;
  /** A valid change to status (for kinds with a status subresource). */
  status?: Record<string, unknown>;
  /** Finalizers admission adds at create; a delete then leaves the object terminating until they are removed
   *  (by their controller, which the suite stands in for). */
  finalizers?: string[];
}

const labels = { app: 'resttest' };
const podTemplate = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
const condition = { type: 'ResttestReady', status: 'True', reason: 'Checked', message: 'by resttest', lastTransitionTime: '2026-01-01T00:00:00Z' };

export const fixtures: Record<string, Fixture> = {
  'v1/Namespace': { object: () => ({}), status: { phase: 'Active', conditions: [condition] } },
  'v1/Node': { object: () => ({ spec: {} }), status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok' }] } },
  'v1/Pod': { object: () => ({ spec: { containers: [{ name: 'c', image: 'nginx' }] } }), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
  'v1/Service': { object: () => ({ spec: { ports: [{ port: 80 }] } }), status: { conditions: [condition] } },
  'v1/Endpoints': { object: () => ({ subsets: [{ addresses: [{ ip: '10.42.0.9' }], ports: [{ port: 80 }] }] }) },
  'v1/ConfigMap': { object: () => ({ data: { a: '1', b: '2' } }) },
  'v1/Secret': { object: () => ({ data: { a: 'MQ==' } }) },
  'v1/ServiceAccount': { object: () => ({}) },
  'v1/Event': { object: (ns) => ({ involvedObject: { kind: 'Pod', name: 'web', namespace: ns }, reason: 'Started', message: 'm' }) },
  'apps/v1/Deployment': {
    object: () => ({ spec: { replicas: 1, selector: { matchLabels: labels }, template: podTemplate } }),
    specChange: (o) => void ((o.spec as { replicas: number }).replicas = 2),
    status: { replicas: 0, observedGeneration: 1 },
  },
  'apps/v1/ReplicaSet': {
    object: () => ({ spec: { replicas: 1, selector: { matchLabels: labels }, template: podTemplate } }),
    specChange: (o) => void ((o.spec as { replicas: number }).replicas = 2),
    status: { replicas: 0, observedGeneration: 1 },
  },
  'batch/v1/Job': {
    object: () => ({ spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } } } }),
    specChange: (o) => void ((o.spec as { activeDeadlineSeconds: number }).activeDeadlineSeconds = 600),
    status: { active: 1, ready: 0 },
  },
  'batch/v1/CronJob': {
    object: () => ({ spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } } } } } }),
    specChange: (o) => void ((o.spec as { schedule: string }).schedule = '*/10 * * * *'),
    status: { lastScheduleTime: '2026-01-01T00:00:00Z' },
  },
  'v1/PersistentVolume': {
    object: () => ({ spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/resttest' } } }),
    status: { phase: 'Available' },
    finalizers: ['kubernetes.io/pv-protection'],
  },
  'v1/PersistentVolumeClaim': {
    object: () => ({ spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }),
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } },
    finalizers: ['kubernetes.io/pvc-protection'],
  },
  'storage.k8s.io/v1/StorageClass': { object: () => ({ provisioner: 'example.com/resttest' }) },
  'apps/v1/StatefulSet': {
    object: () => ({ spec: { replicas: 1, serviceName: 'web', selector: { matchLabels: labels }, template: podTemplate } }),
    specChange: (o) => void ((o.spec as { replicas: number }).replicas = 2),
    status: { replicas: 0, observedGeneration: 1 },
  },
  'v1/ReplicationController': {
    object: () => ({ spec: { replicas: 1, selector: labels, template: podTemplate } }),
    specChange: (o) => void ((o.spec as { replicas: number }).replicas = 2),
    status: { replicas: 0, observedGeneration: 1 },
  },
  'apps/v1/DaemonSet': {
    object: () => ({ spec: { selector: { matchLabels: labels }, template: podTemplate } }),
    specChange: (o) => void ((o.spec as { minReadySeconds: number }).minReadySeconds = 5),
    status: { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 1, observedGeneration: 1 },
  },
  'apps/v1/ControllerRevision': { object: () => ({ data: { spec: { template: podTemplate } }, revision: 1 }) },
  'coordination.k8s.io/v1/Lease': { object: () => ({ spec: { holderIdentity: 'a', leaseDurationSeconds: 10 } }) },
  'discovery.k8s.io/v1/EndpointSlice': { object: () => ({ addressType: 'IPv4', endpoints: [{ addresses: ['10.42.0.9'] }], ports: [{ port: 80 }] }) },
  'events.k8s.io/v1/Event': {
    object: (ns) => ({
      eventTime: '2026-01-01T00:00:00.000000Z', type: 'Normal', reason: 'Scheduled', action: 'Binding', note: 'ok',
      reportingController: 'resttest', reportingInstance: 'resttest-1', regarding: { kind: 'Pod', name: 'web', namespace: ns },
    }),
  },
};
