// Strategic merge patch cases from upstream's documentation (kubernetes.io "Update API Objects in Place Using
// kubectl patch") and from what kubectl sends; kubectl-oracle.test.ts checks many more against kubectl itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { applyPatch } from './index.ts';

type Spec = { template: { spec: Record<string, unknown> }; strategy?: unknown };

const patchDemo: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'patch-demo' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'nginx' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: {
        containers: [{ name: 'patch-demo-ctr', image: 'nginx' }],
        tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }],
      },
    },
  },
};

function smp(obj: KubeObject, patch: unknown, kindKey = 'apps/v1/Deployment'): KubeObject {
  return applyPatch({ obj, patchType: 'strategic', patch: JSON.stringify(patch), kindKey });
}
const podSpec = (o: KubeObject): Record<string, unknown> => (o.spec as Spec).template.spec;

describe('strategic merge patch (docs: update-api-object-kubectl-patch)', () => {
  it('containers merge by name: a patch adding a container keeps the old one', () => {
    const out = smp(patchDemo, { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } });
    assert.deepEqual(podSpec(out).containers, [
      { name: 'patch-demo-ctr-2', image: 'redis' },
      { name: 'patch-demo-ctr', image: 'nginx' },
    ]);
  });

  it('the same patch as a JSON merge patch replaces the list', () => {
    const out = applyPatch({
      obj: patchDemo, patchType: 'merge', kindKey: 'apps/v1/Deployment',
      patch: JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-3', image: 'gcr.io/google-samples/hello-app:2.0' }] } } } }),
    });
    assert.deepEqual(podSpec(out).containers, [{ name: 'patch-demo-ctr-3', image: 'gcr.io/google-samples/hello-app:2.0' }]);
  });

  it('tolerations have no patch strategy, so they are replaced', () => {
    const out = smp(patchDemo, { spec: { template: { spec: { tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }] } } } });
    assert.deepEqual(podSpec(out).tolerations, [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }]);
  });

  it('$retainKeys on the deployment strategy drops rollingUpdate when switching to Recreate', () => {
    const out = smp(patchDemo, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    assert.deepEqual((out.spec as Spec).strategy, { type: 'Recreate' });
  });

  it('without $retainKeys the old rollingUpdate survives', () => {
    const out = smp(patchDemo, { spec: { strategy: { type: 'Recreate' } } });
    assert.deepEqual((out.spec as Spec).strategy, { type: 'Recreate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  });

  it('$retainKeys must list every key the patch sets', () => {
    assert.throws(() => smp(patchDemo, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', foo: 1 } } }),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.status.message === 'invalid patch format of retainKeys');
  });

  it('does not mutate its input', () => {
    const before = structuredClone(patchDemo);
    smp(patchDemo, { metadata: { labels: { a: 'b' } }, spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr', image: 'x' }] } } } });
    assert.deepEqual(patchDemo, before);
  });
});

describe('strategic merge patch as kubectl sends it', () => {
  const live: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    spec: {
      replicas: 3,
      template: {
        spec: {
          containers: [{
            name: 'nginx', image: 'nginx:1.24', imagePullPolicy: 'IfNotPresent',
            ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }],
          }],
        },
      },
    },
  };

  it('kubectl apply three-way patch: change the image, drop a port, keep server-set fields', () => {
    const out = smp(live, {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}' } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{
              '$setElementOrder/ports': [{ containerPort: 80 }],
              name: 'nginx', image: 'nginx:1.25', ports: [{ $patch: 'delete', containerPort: 443 }],
            }],
          },
        },
      },
    });
    assert.deepEqual(podSpec(out).containers, [{
      name: 'nginx', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }],
    }]);
    assert.equal(out.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], '{"new":true}');
    assert.equal((out.spec as { replicas: number }).replicas, 3);
  });

  it('kubectl label / annotate: metadata maps merge, null removes', () => {
    const out = smp(live, { metadata: { labels: { tier: 'fe', app: null } } });
    assert.deepEqual(out.metadata?.labels, { tier: 'fe' });
  });

  it('finalizers merge as a set; $deleteFromPrimitiveList removes', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['a', 'b'] } };
    assert.deepEqual(smp(obj, { metadata: { finalizers: ['b', 'c'] } }, 'v1/ConfigMap').metadata?.finalizers, ['a', 'b', 'c']);
    assert.deepEqual(smp(obj, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, 'v1/ConfigMap').metadata?.finalizers, ['b']);
  });

  it('service ports merge by port', () => {
    const svc: KubeObject = {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 's' },
      spec: { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: 'a' } },
    };
    const out = smp(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443, targetPort: 8443 }] } }, 'v1/Service');
    assert.deepEqual((out.spec as { ports: unknown[] }).ports, [
      { port: 80, targetPort: 9090, protocol: 'TCP' },
      { port: 443, targetPort: 8443 },
    ]);
  });

  it('pod status conditions merge by type (the kubelet status manager)', () => {
    const pod: KubeObject = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
    };
    const out = smp(pod, {
      status: {
        '$setElementOrder/conditions': [{ type: 'PodScheduled' }, { type: 'Ready' }],
        conditions: [{ type: 'Ready', status: 'True' }], phase: 'Running',
      },
    }, 'v1/Pod');
    assert.deepEqual(out.status, {
      phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }],
    });
  });

  it('a root $patch: replace replaces the object, a $patch: delete map empties it', () => {
    assert.deepEqual(smp(live, { $patch: 'replace', kind: 'Deployment' }), { kind: 'Deployment' });
    assert.deepEqual(smp(live, { spec: { template: { $patch: 'delete' } } }).spec, { replicas: 3, template: {} });
  });

  it('unknown kinds have no merge keys: lists are replaced', () => {
    const obj: KubeObject = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec: { containers: [{ name: 'a' }] } };
    const out = smp(obj, { spec: { containers: [{ name: 'b' }] } }, 'example.com/v1/Thing');
    assert.deepEqual(out.spec, { containers: [{ name: 'b' }] });
  });
});

describe('strategic merge patch errors', () => {
  const cases: [string, string, number, string][] = [
    ['not JSON', 'x', 400, "invalid character 'x' looking for beginning of value"],
    ['a list', '[1]', 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['missing merge key', '{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}', 400,
      'map: map[image:x] does not contain declared merge key: name'],
    ['bad $patch', '{"$patch":"bogus"}', 400, 'unknown patch type: bogus in map: map[$patch:bogus]'],
  ];
  for (const [name, body, code, message] of cases) {
    it(name, () => {
      assert.throws(() => applyPatch({ obj: patchDemo, patchType: 'strategic', patch: body, kindKey: 'apps/v1/Deployment' }),
        (e: unknown) => e instanceof ApiError && e.code === code && e.status.message === message);
    });
  }
});
