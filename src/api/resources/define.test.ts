import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineResource } from './define.ts';
import { definitions, definitionFor } from '../resources.ts';
import { kindKey } from '../object.ts';

const widget = defineResource({
  group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', namespaced: true,
  strategy: { generation: true, initialStatus: () => ({ ready: false }) },
  status: true,
  subresources: { log: { type: 'connect', methods: ['GET'], optionsKind: 'WidgetLogOptions', discoveryKind: 'Widget' } },
});

test('a small definition gets upstream defaults: status reset on create, kept on update, generation on spec', () => {
  const obj = { metadata: { name: 'w' }, spec: { a: 1, b: { x: 1, y: 2 } }, status: { ready: true } };
  widget.strategy.prepareForCreate(obj);
  assert.deepEqual(obj.status, { ready: false });
  assert.equal((obj.metadata as { generation?: number }).generation, 1);
  const old = { metadata: { name: 'w', generation: 1 }, spec: { a: 1, b: { x: 1, y: 2 } }, status: { ready: true } };
  const reordered = { metadata: { name: 'w', generation: 1 }, spec: { b: { y: 2, x: 1 }, a: 1 }, status: { ready: false } };
  widget.strategy.prepareForUpdate(reordered, old);
  assert.deepEqual(reordered.status, { ready: true }, 'the main endpoint keeps status');
  assert.equal(reordered.metadata.generation, 1, 'key order is not a spec change');
  const changed = { metadata: { name: 'w', generation: 1 }, spec: { a: 2, b: { x: 1, y: 2 } } };
  widget.strategy.prepareForUpdate(changed, old);
  assert.equal(changed.metadata.generation, 2);
});

test('the status endpoint takes status only', () => {
  const status = widget.subresources.status!;
  const old = { metadata: { name: 'w', labels: { a: '1' } }, spec: { a: 1 }, status: { ready: false } };
  const next = status.prepareForUpdate({ metadata: { name: 'w', labels: { a: '2' } }, spec: { a: 9 }, status: { ready: true } }, old);
  assert.deepEqual(next, { metadata: { name: 'w', labels: { a: '1' } }, spec: { a: 1 }, status: { ready: true } });
});

test('ResourceInfo is derived from the definition, connect subresources included', () => {
  assert.deepEqual(widget.info.subresources, { status: true, scale: undefined, binding: undefined, eviction: undefined, finalize: undefined, connect: [{ name: 'log', kind: 'Widget', verbs: ['get'] }] });
  assert.equal(widget.info.listKind, 'WidgetList');
  assert.deepEqual(widget.info.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
});

test('the registry table has one definition per kind and resolves every kind key', () => {
  const keys = definitions.map((d) => kindKey(d.info.group, d.info.version, d.info.kind));
  assert.equal(new Set(keys).size, keys.length);
  for (const k of keys) assert.ok(definitionFor(k));
});

test('a Deployment counts annotation changes as generation changes, a ReplicaSet does not', async () => {
  const { deployments, replicaSets } = await import('./apps.ts');
  const old = { metadata: { name: 'd', generation: 3, annotations: { a: '1' } }, spec: { replicas: 1 } };
  for (const [def, want] of [[deployments, 4], [replicaSets, 3]] as const) {
    const next = { metadata: { name: 'd', generation: 3, annotations: { a: '2' } }, spec: { replicas: 1 } };
    def.strategy.prepareForUpdate(next, old);
    assert.equal(next.metadata.generation, want, def.info.kind);
  }
});
