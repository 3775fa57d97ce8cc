import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.ts';
import { buildTable, IncludeObjectError, parseIncludeObject, printers } from './index.ts';

const now = new Date('2024-05-01T12:00:00Z');
const pods: KubeObject[] = [
  {
    metadata: { name: 'a', namespace: 'default', uid: 'u1', resourceVersion: '7', labels: { app: 'x' }, creationTimestamp: '2024-05-01T11:59:00Z' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
    status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
  },
];

test('buildTable: meta.k8s.io/v1 Table with column definitions, cells, conditions and PartialObjectMetadata', () => {
  const t = buildTable(printers['v1/Pod'], pods, { now, includeObject: 'Metadata', kind: 'Pod', apiVersion: 'v1', resourceVersion: '42' });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '42' });
  assert.deepEqual(Object.keys(t.columnDefinitions![0]).sort(), ['description', 'format', 'name', 'priority', 'type']);
  assert.deepEqual(t.columnDefinitions!.map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  assert.equal(t.rows.length, 1);
  assert.deepEqual(t.rows[0].cells, ['a', '0/1', 'Completed', '0', '60s', '<none>', '<none>', '<none>', '<none>']);
  assert.deepEqual(t.rows[0].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  assert.deepEqual(t.rows[0].object, { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: pods[0].metadata });
});

test('buildTable: includeObject None/Object/default, noHeaders, v1beta1, list metadata', () => {
  const none = buildTable(printers['v1/Pod'], pods, { now, includeObject: 'None', kind: 'Pod', apiVersion: 'v1' });
  assert.equal(none.rows[0].object, null);
  assert.deepEqual(none.metadata, {});
  const full = buildTable(printers['v1/Pod'], pods, { now, includeObject: 'Object', kind: 'Pod', apiVersion: 'v1' });
  assert.deepEqual(full.rows[0].object, { ...pods[0], apiVersion: 'v1', kind: 'Pod' });
  const dflt = buildTable(printers['v1/Pod'], pods, { now, kind: 'Pod', apiVersion: 'v1', noHeaders: true, tableApiVersion: 'meta.k8s.io/v1beta1', continue: 'abc', remainingItemCount: 3 });
  assert.equal(dflt.columnDefinitions, null);
  assert.equal(dflt.apiVersion, 'meta.k8s.io/v1beta1');
  assert.deepEqual(dflt.rows[0].object, { apiVersion: 'meta.k8s.io/v1beta1', kind: 'PartialObjectMetadata', metadata: pods[0].metadata });
  assert.deepEqual(dflt.metadata, { continue: 'abc', remainingItemCount: 3 });
  const empty = buildTable(printers['v1/Pod'], [], { now, includeObject: 'Metadata', kind: 'Pod', apiVersion: 'v1', resourceVersion: '1' });
  assert.deepEqual(empty.rows, []);
  // JSON round trip keeps every column field and the explicit null object.
  assert.match(JSON.stringify(none), /"object":null/);
  assert.match(JSON.stringify(none), /"format":"","description":"The aggregate readiness/);
});

test('includeObject values upstream rejects', () => {
  assert.equal(parseIncludeObject(undefined), 'Metadata');
  assert.equal(parseIncludeObject(''), 'Metadata');
  assert.throws(() => parseIncludeObject('All'), IncludeObjectError);
  assert.throws(() => buildTable(printers['v1/Pod'], pods, { now, includeObject: 'x' as 'None', kind: 'Pod', apiVersion: 'v1' }),
    /unrecognized includeObject value: "x"/);
});
