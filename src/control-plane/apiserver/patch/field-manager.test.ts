// Field management as upstream records it: managedFields of ordinary writes, and server-side apply (merge,
// ownership, conflicts, force, pruning). Expected fieldsV1 shapes are those a real API server shows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { serverSideApply, updateManagedFields, type FieldsV1 } from './index.ts';

const t0 = new Date('2026-01-02T03:04:05.678Z');
const t1 = new Date('2026-01-02T03:05:00.000Z');
const t2 = new Date('2026-01-02T03:06:00.000Z');

/** What `kubectl create deployment nginx --image=nginx --port=80` stores after defaulting. */
function createdDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', uid: 'u', resourceVersion: '1', generation: 1,
      creationTimestamp: '2026-01-02T03:04:05Z', labels: { app: 'nginx' } },
    spec: {
      replicas: 1, progressDeadlineSeconds: 600, revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{
            name: 'nginx', image: 'nginx', imagePullPolicy: 'Always', resources: {},
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
          }],
          dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
    },
    status: {},
  };
}

function created(): KubeObject {
  const obj = createdDeployment();
  updateManagedFields({ old: undefined, updated: obj, manager: 'kubectl-create', operation: 'Update', now: t0 });
  return obj;
}

function entry(obj: KubeObject, manager: string, subresource?: string): ManagedFieldsEntry {
  const found = obj.metadata?.managedFields?.find((e) => e.manager === manager && (e.subresource ?? '') === (subresource ?? ''));
  assert.ok(found, `no managedFields entry for ${manager}`);
  return found;
}

const spec = (o: KubeObject): Record<string, unknown> => o.spec as Record<string, unknown>;

describe('updateManagedFields', () => {
  it('a create records every field under the manager, shaped like upstream', () => {
    const obj = created();
    assert.equal(obj.metadata?.managedFields?.length, 1);
    assert.deepEqual(entry(obj, 'kubectl-create'), {
      manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: '2026-01-02T03:04:05Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:progressDeadlineSeconds': {}, 'f:replicas': {}, 'f:revisionHistoryLimit': {}, 'f:selector': {},
          'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
          'f:template': {
            'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {},
                  'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
                  'f:resources': {}, 'f:terminationMessagePath': {}, 'f:terminationMessagePolicy': {},
                },
              },
              'f:dnsPolicy': {}, 'f:restartPolicy': {}, 'f:schedulerName': {}, 'f:securityContext': {},
              'f:terminationGracePeriodSeconds': {},
            },
          },
        },
      },
    });
  });

  it('an update moves changed fields to the new manager and leaves the rest', () => {
    const old = created();
    const next = structuredClone(old);
    (spec(next).template as { spec: { containers: { image: string }[] } }).spec.containers[0].image = 'nginx:1.25';
    next.metadata!.labels = { app: 'nginx', tier: 'web' };
    updateManagedFields({ old, updated: next, manager: 'kubectl-edit', operation: 'Update', now: t1 });
    const edit = entry(next, 'kubectl-edit');
    assert.equal(edit.time, '2026-01-02T03:05:00Z');
    assert.deepEqual(edit.fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:tier': {} } },
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {} } } } } },
    });
    const create = entry(next, 'kubectl-create');
    assert.equal(create.time, '2026-01-02T03:04:05Z');
    const containers = (create.fieldsV1 as FieldsV1)['f:spec']['f:template']['f:spec']['f:containers'];
    assert.equal(containers['k:{"name":"nginx"}']['f:image'], undefined);
    assert.deepEqual(containers['k:{"name":"nginx"}']['f:name'], {});
    assert.deepEqual(next.metadata?.managedFields?.map((e) => e.manager), ['kubectl-create', 'kubectl-edit']);
  });

  it('a write that changes nothing leaves managedFields alone', () => {
    const old = created();
    const next = structuredClone(old);
    next.metadata!.resourceVersion = '2';
    updateManagedFields({ old, updated: next, manager: 'other', operation: 'Update', now: t1 });
    assert.deepEqual(next.metadata?.managedFields, old.metadata?.managedFields);
  });

  it('kubectl scale through /scale gives a subresource entry owning spec.replicas', () => {
    const old = created();
    const next = structuredClone(old);
    spec(next).replicas = 4;
    updateManagedFields({ old, updated: next, manager: 'kubectl', operation: 'Update', subresource: 'scale', now: t1 });
    assert.deepEqual(entry(next, 'kubectl', 'scale'), {
      manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '2026-01-02T03:05:00Z', fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } }, subresource: 'scale',
    });
    assert.equal((entry(next, 'kubectl-create').fieldsV1 as FieldsV1)['f:spec']['f:replicas'], undefined);
  });

  it('a status write owns status only; main-resource writers never own status', () => {
    const old = created();
    const next = structuredClone(old);
    next.status = { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] };
    updateManagedFields({ old, updated: next, manager: 'kube-controller-manager', operation: 'Update', subresource: 'status', now: t1 });
    assert.deepEqual(entry(next, 'kube-controller-manager', 'status').fieldsV1, {
      'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:replicas': {} },
    });
    const again = structuredClone(next);
    again.status = { replicas: 2 };
    updateManagedFields({ old: next, updated: again, manager: 'someone', operation: 'Update', now: t2 });
    assert.equal(again.metadata?.managedFields?.find((e) => e.manager === 'someone'), undefined);
  });

  it('managedFields sent with an update replace the recorded ones; absent ones are kept from the live object', () => {
    const old = created();
    const cleared = structuredClone(old);
    delete cleared.metadata!.managedFields;
    updateManagedFields({ old, updated: cleared, manager: 'x', operation: 'Update', now: t1 });
    assert.deepEqual(cleared.metadata?.managedFields, old.metadata?.managedFields);
    const rewritten = structuredClone(old);
    rewritten.metadata!.managedFields = [{ manager: 'mine', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
    updateManagedFields({ old, updated: rewritten, manager: 'x', operation: 'Update', now: t1 });
    assert.deepEqual(rewritten.metadata?.managedFields?.map((e) => e.manager), ['mine']);
  });

  it('derives the kind from the object, and ConfigMap data keys are owned one by one', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } };
    updateManagedFields({ old: undefined, updated: cm, manager: 'kubectl-create', operation: 'Update', now: t0 });
    assert.deepEqual(cm.metadata?.managedFields?.[0].fieldsV1, { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } });
  });
});

const applied = (specPart: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', ...meta }, spec: specPart,
});

function ssa(live: KubeObject | undefined, config: KubeObject, manager = 'kubectl', force = false, now = t1): KubeObject {
  return serverSideApply({ live, applied: config, manager, force, kindKey: 'apps/v1/Deployment', now });
}

const conflictOf = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    return e;
  }
  assert.fail('expected a conflict');
};

describe('serverSideApply', () => {
  const template = { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.24' }] } };

  it('creates from nothing and records an Apply entry for exactly the applied fields', () => {
    const out = ssa(undefined, applied({ replicas: 2, selector: { matchLabels: { app: 'nginx' } }, template }, { labels: { app: 'nginx' } }));
    assert.equal(spec(out).replicas, 2);
    assert.deepEqual(out.metadata?.labels, { app: 'nginx' });
    assert.deepEqual(out.metadata?.managedFields, [{
      manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-01-02T03:05:00Z', fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {}, 'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
          },
        },
      },
    }]);
  });

  it('changing a field another manager owns is a 409 naming the manager and field; force takes it', () => {
    const live = structuredClone(created());
    live.metadata!.managedFields![0].manager = 'kubectl-client-side-apply';
    const err = conflictOf(() => ssa(live, applied({ replicas: 3 })));
    assert.equal(err.code, 409);
    assert.equal(err.status.reason, 'Conflict');
    assert.equal(err.status.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    assert.deepEqual(err.status.details?.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
    ]);
    const forced = ssa(live, applied({ replicas: 3 }), 'kubectl', true);
    assert.equal(spec(forced).replicas, 3);
    assert.deepEqual(entry(forced, 'kubectl').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal((entry(forced, 'kubectl-client-side-apply').fieldsV1 as FieldsV1)['f:spec']['f:replicas'], undefined);
    assert.deepEqual(forced.metadata?.managedFields?.map((e) => e.operation), ['Apply', 'Update']);
  });

  it('applying the value another manager already set shares ownership without conflict', () => {
    const out = ssa(created(), applied({ replicas: 1 }));
    assert.deepEqual(entry(out, 'kubectl').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.deepEqual((entry(out, 'kubectl-create').fieldsV1 as FieldsV1)['f:spec']['f:replicas'], {});
  });

  it('two appliers: conflicts list each field, grouped by manager', () => {
    const first = ssa(undefined, applied({ replicas: 1, paused: false, minReadySeconds: 5 }), 'alice');
    const err = conflictOf(() => ssa(first, applied({ replicas: 2, paused: true }), 'bob'));
    assert.equal(err.status.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.paused\n- .spec.replicas');
    assert.equal(err.status.details?.causes?.length, 2);
    const one = conflictOf(() => ssa(first, applied({ minReadySeconds: 9 }), 'bob'));
    assert.equal(one.status.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.minReadySeconds');
  });

  it('keyed lists merge item by item between appliers, each owning its own item', () => {
    const a = ssa(undefined, applied({ template: { spec: { containers: [{ name: 'a', image: 'a' }] } } }), 'alice');
    const b = ssa(a, applied({ template: { spec: { containers: [{ name: 'b', image: 'b' }] } } }), 'bob');
    const containers = (spec(b).template as { spec: { containers: { name: string }[] } }).spec.containers;
    assert.deepEqual(containers.map((c) => c.name), ['a', 'b']);
    const bob = (entry(b, 'bob').fieldsV1 as FieldsV1)['f:spec']['f:template']['f:spec']['f:containers'];
    assert.deepEqual(Object.keys(bob), ['k:{"name":"b"}']);
  });

  it('fields the applier stops applying are removed unless someone else owns them', () => {
    const first = ssa(undefined, applied({ replicas: 1, template }, { labels: { a: '1', b: '2' } }));
    const second = ssa(first, applied({ replicas: 1, template }, { labels: { a: '1' } }), 'kubectl', false, t2);
    assert.deepEqual(second.metadata?.labels, { a: '1' });
    assert.equal(entry(second, 'kubectl').time, '2026-01-02T03:06:00Z');
    // Another manager that owns label b keeps it alive.
    const shared = ssa(first, applied({}, { labels: { b: '2' } }), 'other');
    const third = ssa(shared, applied({ replicas: 1, template }, { labels: { a: '1' } }));
    assert.deepEqual(third.metadata?.labels, { a: '1', b: '2' });
  });

  it('dropping a container the applier owned removes it; fields set by updaters are not the applier\'s to prune', () => {
    const two = ssa(undefined, applied({ template: { spec: { containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }] } } }));
    const one = ssa(two, applied({ template: { spec: { containers: [{ name: 'a', image: 'a' }] } } }));
    assert.deepEqual((spec(one).template as { spec: unknown }).spec, { containers: [{ name: 'a', image: 'a' }] });
    const defaulted = structuredClone(one);
    spec(defaulted).revisionHistoryLimit = 10;
    updateManagedFields({ old: one, updated: defaulted, manager: 'kubectl-edit', operation: 'Update', now: t1 });
    const again = ssa(defaulted, applied({ template: { spec: { containers: [{ name: 'a', image: 'a' }] } } }));
    assert.equal(spec(again).revisionHistoryLimit, 10);
  });

  it('a no-op apply returns the live object with the same managedFields time', () => {
    const first = ssa(undefined, applied({ replicas: 2 }));
    const again = ssa(first, applied({ replicas: 2 }), 'kubectl', false, t2);
    assert.deepEqual(again, first);
  });

  it('an object never tracked before gets a before-first-apply owner', () => {
    const live = createdDeployment();
    const out = ssa(live, applied({ replicas: 1 }));
    assert.ok(out.metadata?.managedFields?.some((e) => e.manager === 'before-first-apply' && e.operation === 'Update'));
  });

  it('rejects managedFields in the body, a wrong apiVersion, and list items without their key', () => {
    assert.throws(() => ssa(undefined, applied({}, { managedFields: [] })),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.status.message === 'metadata.managedFields must be nil');
    assert.throws(() => ssa(undefined, { ...applied({}), apiVersion: 'apps/v1beta1' }),
      (e: unknown) => e instanceof ApiError && e.code === 400 &&
        e.status.message === 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1');
    assert.throws(() => ssa(undefined, applied({ template: { spec: { containers: [{ image: 'x' }] } } })),
      (e: unknown) => e instanceof ApiError && e.code === 400 && (e.status.message ?? '').includes('omits key field "name"'));
  });

  it('ports without protocol key on the TCP default', () => {
    const out = ssa(undefined, applied({ template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] } } }));
    const c = (entry(out, 'kubectl').fieldsV1 as FieldsV1)['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"a"}'];
    assert.deepEqual(Object.keys(c['f:ports']), ['k:{"containerPort":80,"protocol":"TCP"}']);
  });

  it('does not mutate its inputs', () => {
    const live = created();
    const before = structuredClone(live);
    const config = applied({ replicas: 7 });
    const configBefore = structuredClone(config);
    ssa(live, config, 'kubectl', true);
    assert.deepEqual(live, before);
    assert.deepEqual(config, configBefore);
  });
});

describe('update manager cap', () => {
  it('keeps at most 10 Update entries, folding the oldest into ancient-changes', () => {
    let obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} };
    for (let i = 0; i < 12; i++) {
      const next = structuredClone(obj);
      (next.data as Record<string, string>)[`k${i}`] = 'v';
      updateManagedFields({ old: i === 0 ? undefined : obj, updated: next, manager: `m${i}`, operation: 'Update', now: new Date(t0.getTime() + i * 1000) });
      obj = next;
    }
    const managers = obj.metadata?.managedFields?.map((e) => e.manager) ?? [];
    assert.equal(managers.length, 10);
    assert.ok(managers.includes('ancient-changes'));
    assert.ok(!managers.includes('m0') && !managers.includes('m1') && !managers.includes('m2'));
    const ancient = entry(obj, 'ancient-changes');
    assert.deepEqual(ancient.fieldsV1, { 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
    assert.equal(ancient.time, '2026-01-02T03:04:07Z');
  });
});

describe('updateManagedFields on content the schema cannot key', () => {
  it('drops managedFields instead of failing the write (validation reports the problem)', () => {
    const obj = createdDeployment();
    (spec(obj).template as { spec: { containers: Record<string, unknown>[] } }).spec.containers = [{ image: 'x' }];
    obj.metadata!.managedFields = [{ manager: 'm', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
    updateManagedFields({ old: undefined, updated: obj, manager: 'kubectl-create', operation: 'Update', now: t0 });
    assert.equal(obj.metadata?.managedFields, undefined);
  });
});

describe('client-side to server-side apply migration (manager "kubectl")', () => {
  const lastApplied = (replicas: number): string =>
    JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', annotations: {} }, spec: { replicas } });
  function clientSideApplied(): KubeObject {
    const obj = createdDeployment();
    obj.metadata!.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(1) };
    updateManagedFields({ old: undefined, updated: obj, manager: 'kubectl-client-side-apply', operation: 'Update', now: t0 });
    return obj;
  }

  it('fields still as last applied client-side are taken over without a conflict, and the annotation follows', () => {
    const out = ssa(clientSideApplied(), applied({ replicas: 2 }));
    assert.equal(spec(out).replicas, 2);
    assert.deepEqual(entry(out, 'kubectl').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(out.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'],
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx"},"spec":{"replicas":2}}\n');
  });

  it('fields changed since the last client-side apply still conflict', () => {
    const live = clientSideApplied();
    const scaled = structuredClone(live);
    spec(scaled).replicas = 5;
    updateManagedFields({ old: live, updated: scaled, manager: 'kubectl', operation: 'Update', subresource: 'scale', now: t1 });
    assert.throws(() => ssa(scaled, applied({ replicas: 2 })), (e: unknown) => e instanceof ApiError && e.code === 409);
  });

  it('other managers get no such leniency', () => {
    assert.throws(() => ssa(clientSideApplied(), applied({ replicas: 2 }), 'helm'), (e: unknown) => e instanceof ApiError && e.code === 409);
  });
});

// Sequences from upstream's integration tests (test/integration/apiserver/apply/apply_test.go).
describe('upstream apply integration scenarios', () => {
  const cmApply = (): KubeObject => ({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'test-cm', namespace: 'default', labels: { 'test-label': 'test' } }, data: { key: 'value' },
  });
  const applyCm = (live: KubeObject | undefined, config: KubeObject, now: Date): KubeObject =>
    serverSideApply({ live, applied: config, manager: 'apply_test', force: false, kindKey: 'v1/ConfigMap', now });
  const mergeUpdate = (old: KubeObject, change: (o: KubeObject) => void, manager: string, now: Date): KubeObject => {
    const next = structuredClone(old);
    change(next);
    updateManagedFields({ old, updated: next, manager, operation: 'Update', now });
    return next;
  };

  it('TestApplyManagedFields: an updater takes over the data keys it writes', () => {
    let cm = applyCm(undefined, cmApply(), t0);
    cm = mergeUpdate(cm, (o) => { (o.data as Record<string, string>)['new-key'] = 'value'; }, 'updater', t1);
    cm = mergeUpdate(cm, (o) => { (o.data as Record<string, string>).key = 'new value'; }, 'updater', t2);
    assert.deepEqual(cm.metadata?.managedFields, [
      { manager: 'apply_test', operation: 'Apply', apiVersion: 'v1', time: '2026-01-02T03:04:05Z', fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:test-label': {} } } } },
      { manager: 'updater', operation: 'Update', apiVersion: 'v1', time: '2026-01-02T03:06:00Z', fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:key': {}, 'f:new-key': {} } } },
    ]);
    assert.deepEqual(cm.data, { key: 'new value', 'new-key': 'value' });
  });

  it('TestApplyRemovesEmptyManagedFields: applying only identity leaves no managedFields', () => {
    const bare: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'test-cm', namespace: 'default' } };
    const once = applyCm(undefined, bare, t0);
    const twice = applyCm(once, bare, t1);
    assert.equal(twice.metadata?.managedFields, undefined);
  });

  it('TestClearManagedFieldsWith*: writing managedFields [{}] clears them', () => {
    const cm = applyCm(undefined, cmApply(), t0);
    const cleared = mergeUpdate(cm, (o) => { o.metadata!.managedFields = [{}]; }, 'kubectl-patch', t1);
    assert.equal(cleared.metadata?.managedFields, undefined);
    assert.deepEqual(cleared.metadata?.labels, { 'test-label': 'test' });
  });

  it('TestApplyRemoveContainerPort: re-applying without a port removes it', () => {
    const withPort = applied({
      replicas: 3, selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:latest', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
    }, { labels: { app: 'nginx' } });
    const first = ssa(undefined, withPort, 'apply_test');
    const withoutPort = structuredClone(withPort);
    delete (spec(withoutPort).template as { spec: { containers: Record<string, unknown>[] } }).spec.containers[0].ports;
    const second = ssa(first, withoutPort, 'apply_test');
    assert.deepEqual((spec(second).template as { spec: { containers: unknown[] } }).spec.containers, [{ name: 'nginx', image: 'nginx:latest' }]);
  });

  it('TestApplyConvertsManagedFieldsVersion: an applied container item is owned with "." and its fields', () => {
    const out = ssa(created(), applied({ template: { spec: { containers: [{ name: 'sidecar', image: 'sidecar:latest' }] } } },
      { labels: { sidecar_version: 'release' } }), 'sidecar_controller');
    assert.equal(JSON.stringify(entry(out, 'sidecar_controller').fieldsV1),
      '{"f:metadata":{"f:labels":{"f:sidecar_version":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"sidecar\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}');
  });
});
