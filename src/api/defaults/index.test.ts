// Defaulting checked against what kubectl sends (the recorded golden bodies in test/fixtures/kubectl-golden, see
// scripts/record-fixtures.ts) and what an upstream apiserver stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KubeObject } from '../object.ts';
import { createPreparers, defaulters, defaultPullPolicy } from './index.ts';
import { admitPod } from './admission.ts';
import { validators } from '../validation/index.ts';

const golden = (name: string): KubeObject =>
  parse(readFileSync(new URL(`../../../test/fixtures/kubectl-golden/${name}`, import.meta.url), 'utf8')) as KubeObject;

const spec = (o: KubeObject): Record<string, unknown> => o.spec as Record<string, unknown>;

test('imagePullPolicy follows the tag', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('nginx:1.27'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('localhost:5000/nginx'), 'Always');
  assert.equal(defaultPullPolicy('localhost:5000/nginx:v1'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('nginx@sha256:' + 'a'.repeat(64)), 'IfNotPresent');
  assert.equal(defaultPullPolicy('nginx:latest@sha256:' + 'a'.repeat(64)), 'Always');
  assert.equal(defaultPullPolicy(''), 'IfNotPresent');
});

test('kubectl run nginx: defaulted + admitted pod equals what upstream stores', () => {
  const pod = golden('run-nginx-image-nginx-dry-run-client-o-yaml.txt');
  pod.metadata = { ...pod.metadata, namespace: 'default' };
  defaulters['v1/Pod'](pod);
  admitPod(pod);
  assert.deepEqual(pod.spec, {
    containers: [{
      image: 'nginx', name: 'nginx', resources: {}, imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    }],
    dnsPolicy: 'ClusterFirst',
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    serviceAccount: 'default',
    serviceAccountName: 'default',
    terminationGracePeriodSeconds: 30,
    tolerations: [
      { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
      { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
    ],
  });
  assert.deepEqual(validators['v1/Pod'].create(pod), []);
  createPreparers['v1/Pod'](pod);
  assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
});

test('pod defaults: ports, probes, env fieldRef, volumes, requests from limits, hostNetwork ports', () => {
  const pod: KubeObject = {
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      hostNetwork: true,
      containers: [{
        name: 'c', image: 'busybox:1.36',
        ports: [{ containerPort: 80 }],
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        livenessProbe: { httpGet: { port: 80 } },
        readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } },
      }],
      volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }, { name: 'c', secret: { secretName: 's' } }],
    },
  };
  defaulters['v1/Pod'](pod);
  const c = (spec(pod).containers as Record<string, unknown>[])[0];
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP', hostPort: 80 }]);
  assert.deepEqual(c.env, [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }]);
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.readinessProbe, { tcpSocket: { port: 80 }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
  assert.deepEqual(spec(pod).volumes, [
    { name: 'a', emptyDir: {} },
    { name: 'b', configMap: { name: 'cm', defaultMode: 420 } },
    { name: 'c', secret: { secretName: 's', defaultMode: 420 } },
  ]);
});

test('defaulting is idempotent and honours explicit values (null counts as unset)', () => {
  const pod: KubeObject = {
    metadata: { name: 'p' },
    spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: null, enableServiceLinks: false, containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Never' }] },
  };
  defaulters['v1/Pod'](pod);
  const once = structuredClone(pod);
  defaulters['v1/Pod'](pod);
  assert.deepEqual(pod, once);
  assert.equal(spec(pod).restartPolicy, 'Never');
  assert.equal(spec(pod).terminationGracePeriodSeconds, 30);
  assert.equal(spec(pod).enableServiceLinks, false);
  assert.equal((spec(pod).containers as Record<string, unknown>[])[0].imagePullPolicy, 'Never');
});

test('kubectl create deployment nginx: apps/v1 defaults and template pod-spec defaults', () => {
  const d = golden('create-deployment-nginx-dry-run-client-o-yaml.txt');
  d.metadata = { ...d.metadata, namespace: 'default' };
  defaulters['apps/v1/Deployment'](d);
  const s = spec(d);
  assert.equal(s.replicas, 1);
  assert.deepEqual(s.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(s.revisionHistoryLimit, 10);
  assert.equal(s.progressDeadlineSeconds, 600);
  const tpl = (s.template as { spec: Record<string, unknown> }).spec;
  assert.deepEqual(tpl, {
    containers: [{ image: 'nginx', name: 'nginx', resources: {}, imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
    dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30,
  });
  assert.deepEqual(validators['apps/v1/Deployment'].create(d), []);
});

test('replicaset replicas default to 1; Recreate gets no rollingUpdate', () => {
  const rs: KubeObject = { spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [] } } } };
  defaulters['apps/v1/ReplicaSet'](rs);
  assert.equal(spec(rs).replicas, 1);
  // The embedded ObjectMeta is served as upstream serializes a Go zero time.
  assert.deepEqual((spec(rs).template as { metadata: unknown }).metadata, { creationTimestamp: null });
  const d: KubeObject = { spec: { replicas: 0, strategy: { type: 'Recreate' } } };
  defaulters['apps/v1/Deployment'](d);
  assert.equal(spec(d).replicas, 0);
  assert.deepEqual(spec(d).strategy, { type: 'Recreate' });
});

test('services: ClusterIP from kubectl expose, NodePort, LoadBalancer, ExternalName', () => {
  const svc = golden('expose-pod-redis-port-6379-name-redis-service-dry-run-client-o-yaml.txt');
  svc.metadata = { ...svc.metadata, namespace: 'default' };
  defaulters['v1/Service'](svc);
  assert.deepEqual(svc.spec, {
    ports: [{ port: 6379, protocol: 'TCP', targetPort: 6379 }],
    selector: { run: 'redis' },
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
  assert.deepEqual(validators['v1/Service'].create(svc), []);

  const np: KubeObject = { spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] } };
  defaulters['v1/Service'](np);
  assert.equal(spec(np).externalTrafficPolicy, 'Cluster');
  assert.deepEqual(spec(np).ports, [{ port: 80, targetPort: 'http', protocol: 'TCP' }]);
  assert.equal(spec(np).allocateLoadBalancerNodePorts, undefined);

  const lb: KubeObject = { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } };
  defaulters['v1/Service'](lb);
  assert.equal(spec(lb).allocateLoadBalancerNodePorts, true);
  assert.equal(spec(lb).externalTrafficPolicy, 'Cluster');

  const ext: KubeObject = { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } };
  defaulters['v1/Service'](ext);
  assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
  assert.deepEqual(validators['v1/Service'].create(ext), []);

  const affinity: KubeObject = { spec: { sessionAffinity: 'ClientIP', ports: [{ port: 1 }] } };
  defaulters['v1/Service'](affinity);
  assert.deepEqual(spec(affinity).sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
});

test('namespace: name label, finalizer only before first store, phase Active', () => {
  const ns = golden('create-namespace-foo-dry-run-client-o-yaml.txt');
  defaulters['v1/Namespace'](ns);
  assert.deepEqual(ns.metadata?.labels, { 'kubernetes.io/metadata.name': 'foo' });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.deepEqual(validators['v1/Namespace'].create(ns), []);
  const stored: KubeObject = { metadata: { name: 'foo', uid: 'u', creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { finalizers: [] }, status: { phase: 'Terminating' } };
  defaulters['v1/Namespace'](stored);
  assert.deepEqual(stored.spec, { finalizers: [] });
  assert.deepEqual(stored.status, { phase: 'Terminating' });
});

test('secret, node, endpoints, endpointslice', () => {
  const secret: KubeObject = { stringData: { user: 'admin' }, data: { pass: 'eA==' } };
  defaulters['v1/Secret'](secret);
  assert.deepEqual(secret, { type: 'Opaque', data: { pass: 'eA==', user: 'YWRtaW4=' } });
  const node: KubeObject = { status: { capacity: { cpu: '2', pods: '110' } } };
  defaulters['v1/Node'](node);
  assert.deepEqual((node.status as { allocatable: unknown }).allocatable, { cpu: '2', pods: '110' });
  const ep: KubeObject = { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] };
  defaulters['v1/Endpoints'](ep);
  assert.deepEqual((ep.subsets as { ports: unknown[] }[])[0].ports, [{ port: 80, protocol: 'TCP' }]);
  const es: KubeObject = { addressType: 'IPv4', ports: [{ port: 80 }] };
  defaulters['discovery.k8s.io/v1/EndpointSlice'](es);
  assert.deepEqual(es.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
});

test('every served kind has a defaulter and a validator', async () => {
  const { resources } = await import('../resources.ts');
  for (const r of resources) {
    const key = r.group ? `${r.group}/${r.version}/${r.kind}` : `${r.version}/${r.kind}`;
    assert.ok(defaulters[key], `defaulter for ${key}`);
    assert.ok(validators[key], `validator for ${key}`);
  }
});
