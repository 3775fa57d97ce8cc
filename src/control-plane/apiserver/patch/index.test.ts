import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../api/errors.ts';
import { parseApplyPatch, patchTypeOf, serverSideApply, updateManagedFields } from './index.ts';
import type { KubeObject } from '../../../api/object.ts';

describe('patch front door', () => {
  it('maps PATCH content types', () => {
    assert.equal(patchTypeOf('application/json-patch+json'), 'json');
    assert.equal(patchTypeOf('application/merge-patch+json; charset=utf-8'), 'merge');
    assert.equal(patchTypeOf('application/strategic-merge-patch+json'), 'strategic');
    assert.equal(patchTypeOf('application/apply-patch+yaml'), 'apply');
    assert.equal(patchTypeOf('application/json'), undefined);
  });

  it('parses apply bodies as YAML or JSON', () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n';
    assert.deepEqual(parseApplyPatch(yaml), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
    assert.deepEqual(parseApplyPatch(Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}')),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  });

  it('rejects apply bodies that are not a mapping with 400', () => {
    for (const body of ['- a\n- b\n', 'a: [', '']) {
      assert.throws(() => parseApplyPatch(body),
        (e: unknown) => e instanceof ApiError && e.code === 400 && (e.status.message ?? '').startsWith('error decoding YAML: '));
    }
  });

  it('names a subresource manager in conflicts', () => {
    const live: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1 } };
    updateManagedFields({ old: undefined, updated: live, manager: 'kubectl-create', operation: 'Update', now: new Date(0) });
    const scaled = structuredClone(live);
    (scaled.spec as { replicas: number }).replicas = 5;
    updateManagedFields({ old: live, updated: scaled, manager: 'kubectl', operation: 'Update', subresource: 'scale', now: new Date(0) });
    assert.throws(
      () => serverSideApply({ live: scaled, applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2 } },
        manager: 'kubectl', force: false, kindKey: 'apps/v1/Deployment', now: new Date(0) }),
      (e: unknown) => e instanceof ApiError && e.status.message ===
        'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
    );
  });
});
