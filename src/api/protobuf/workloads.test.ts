// Round trips of the workload kinds added in schema/workloads.ts, with a RawExtension (ControllerRevision.data)
// whose JSON form is the embedded JSON itself, and the RC's label-map selector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.ts';
import { decodeK8sProtobuf, encodeK8sProtobuf } from './index.ts';

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
const cases: KubeObject[] = [
  {
    apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'd' },
    spec: { replicas: 0, selector: { app: 'x' }, template }, status: { replicas: 2, readyReplicas: 1, observedGeneration: 3 },
  },
  {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'd' },
    spec: { selector: { matchLabels: { app: 'x' } }, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } }, revisionHistoryLimit: 10 },
    status: { currentNumberScheduled: 3, desiredNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 1, numberAvailable: 2, numberUnavailable: 1, observedGeneration: 2 },
  },
  {
    apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'ds-abc', namespace: 'd' },
    data: { spec: { template: { ...template, $patch: 'replace' } } }, revision: 4,
  },
];

test('ReplicationController, DaemonSet and ControllerRevision survive protobuf round trips', () => {
  for (const obj of cases) assert.deepEqual(decodeK8sProtobuf(encodeK8sProtobuf(obj)), obj, `${obj.kind}`);
});
