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
  'coordination.k8s.io/v1/Lease': { object: () => ({ spec: { holderIdentity: 'a', leaseDurationSeconds: 10 } }) },
  'discovery.k8s.io/v1/EndpointSlice': { object: () => ({ addressType: 'IPv4', endpoints: [{ addresses: ['10.42.0.9'] }], ports: [{ port: 80 }] }) },
  'events.k8s.io/v1/Event': {
    object: (ns) => ({
      eventTime: '2026-01-01T00:00:00.000000Z', type: 'Normal', reason: 'Scheduled', action: 'Binding', note: 'ok',
      reportingController: 'resttest', reportingInstance: 'resttest-1', regarding: { kind: 'Pod', name: 'web', namespace: ns },
    }),
  },
};
