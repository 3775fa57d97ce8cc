// ReplicationController, DaemonSet and ControllerRevision defaults and validation against upstream's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.ts';
import { defaultDaemonSet, defaultReplicationController } from '../defaults/workloads.ts';
import { controllerRevisionValidator, daemonSetValidator, replicationControllerValidator } from './workloads.ts';

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
const fields = (errs: { field: string; detail?: string }[]): string[] => errs.map((e) => `${e.field}${e.detail ? `: ${e.detail}` : ''}`);

test('RC defaults: selector and labels from the template, replicas 1', () => {
  const rc: KubeObject = { metadata: { name: 'x', namespace: 'd' }, spec: { template: structuredClone(template) } };
  defaultReplicationController(rc);
  assert.deepEqual((rc.spec as { selector: unknown }).selector, { app: 'x' });
  assert.deepEqual(rc.metadata?.labels, { app: 'x' });
  assert.equal((rc.spec as { replicas: number }).replicas, 1);
  assert.deepEqual(fields(replicationControllerValidator.create(rc)), []);
  const own: KubeObject = { metadata: { name: 'x', namespace: 'd', labels: { mine: 'y' } }, spec: { selector: { app: 'x' }, template: structuredClone(template) } };
  defaultReplicationController(own);
  assert.deepEqual(own.metadata?.labels, { mine: 'y' }, 'own labels are kept');
});

test('RC validation: equality selector required and contained in the template labels', () => {
  const rc = (spec: Record<string, unknown>): KubeObject => {
    const o: KubeObject = { metadata: { name: 'x', namespace: 'd' }, spec: { replicas: 1, template: structuredClone(template), ...spec } };
    defaultReplicationController(o);
    return o;
  };
  // a template without labels leaves nothing to default the selector from
  assert.deepEqual(fields(replicationControllerValidator.create(rc({ template: { metadata: {}, spec: template.spec } }))), ['spec.selector']);
  assert.deepEqual(fields(replicationControllerValidator.create(rc({ selector: { app: 'y' } }))), ['spec.template.metadata.labels: `selector` does not match template `labels`']);
  assert.deepEqual(fields(replicationControllerValidator.create(rc({ selector: { app: 'x' }, replicas: -1 }))), ['spec.replicas: must be greater than or equal to 0']);
});

test('DaemonSet defaults: RollingUpdate 1/0, 10 revisions; OnDelete gets no rollingUpdate', () => {
  const ds: KubeObject = { metadata: { name: 'x', namespace: 'd' }, spec: { selector: { matchLabels: { app: 'x' } }, template: structuredClone(template) } };
  defaultDaemonSet(ds);
  const spec = ds.spec as { updateStrategy: unknown; revisionHistoryLimit: number };
  assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.deepEqual(fields(daemonSetValidator.create(ds)), []);
  const onDelete: KubeObject = { metadata: { name: 'x', namespace: 'd' }, spec: { selector: { matchLabels: { app: 'x' } }, template: structuredClone(template), updateStrategy: { type: 'OnDelete' } } };
  defaultDaemonSet(onDelete);
  assert.deepEqual((onDelete.spec as { updateStrategy: unknown }).updateStrategy, { type: 'OnDelete' });
});

test('DaemonSet validation: selector, strategy, restartPolicy; selector immutable', () => {
  const ds = (spec: Record<string, unknown>): KubeObject => {
    const o: KubeObject = { metadata: { name: 'x', namespace: 'd' }, spec: { selector: { matchLabels: { app: 'x' } }, template: structuredClone(template), ...spec } };
    defaultDaemonSet(o);
    return o;
  };
  assert.deepEqual(fields(daemonSetValidator.create(ds({ selector: { matchLabels: { app: 'y' } } }))), ['spec.template.metadata.labels: `selector` does not match template `labels`']);
  assert.deepEqual(fields(daemonSetValidator.create(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }))),
    ['spec.updateStrategy.rollingUpdate.maxUnavailable: may not be 0 when `maxSurge` is 0']);
  assert.deepEqual(fields(daemonSetValidator.create(ds({ updateStrategy: { type: 'Recreate' } }))).map((f) => f.split(':')[0]), ['spec.updateStrategy.type']);
  const never = ds({});
  (never.spec as { template: { spec: { restartPolicy: string } } }).template.spec.restartPolicy = 'Never';
  assert.deepEqual(fields(daemonSetValidator.create(never)).map((f) => f.split(':')[0]), ['spec.template.spec.restartPolicy']);
  const old = { ...ds({}), metadata: { name: 'x', namespace: 'd', resourceVersion: '1' } };
  const changed = ds({ selector: { matchLabels: { app: 'x', more: 'y' } } });
  (changed.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels.more = 'y';
  changed.metadata = { ...old.metadata };
  assert.deepEqual(fields(daemonSetValidator.update(changed, old)), ['spec.selector: field is immutable']);
});

test('ControllerRevision: data required on create and immutable after', () => {
  const cr: KubeObject = { metadata: { name: 'x', namespace: 'd' }, data: { a: 1 }, revision: 1 };
  assert.deepEqual(fields(controllerRevisionValidator.create(cr)), []);
  assert.deepEqual(fields(controllerRevisionValidator.create({ metadata: cr.metadata, revision: 1 })), ['data']);
  assert.deepEqual(fields(controllerRevisionValidator.update({ ...cr, revision: 2 }, cr)), []);
  assert.deepEqual(fields(controllerRevisionValidator.update({ ...cr, data: { a: 2 } }, cr)), ['data: field is immutable']);
});
