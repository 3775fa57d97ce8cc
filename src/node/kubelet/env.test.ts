import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { ConfigError, type EnvSources, containerEnv, expand, serviceEnv } from './env.ts';

const sources: EnvSources = {
  configMap: async (_ns, name) => (name === 'cfg' ? ({ data: { mode: 'fast', level: '3' } } as ConfigMap) : undefined),
  secret: async (_ns, name) => (name === 'sec' ? ({ data: { pw: Buffer.from('hunter2').toString('base64') } } as Secret) : undefined),
};
const facts = { podIP: '10.42.0.7', hostIP: '192.0.2.2' };

function pod(c: NonNullable<Pod['spec']>['containers'][0]): Pod {
  return { metadata: { name: 'p', namespace: 'ns1', uid: 'u', labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [c] } };
}

test('expand: $(VAR) from earlier variables, $$ escapes, unknown stays', () => {
  const vars = new Map([['A', 'x']]);
  assert.equal(expand('$(A)-$(B)-$$(A)', vars), 'x-$(B)-$(A)');
});

test('envFrom first, env overrides, valueFrom fieldRef/configMapKeyRef/secretKeyRef/resourceFieldRef', async () => {
  const p = pod({
    name: 'c', image: 'i',
    resources: { limits: { memory: '64Mi' } },
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
    env: [
      { name: 'CFG_MODE', value: 'slow' },
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'sec', key: 'pw' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'URL', value: 'http://$(IP):80/$(NAME)' },
    ],
  });
  const env = Object.fromEntries((await containerEnv(p, p.spec!.containers[0], sources, facts)).map((e) => [e.key, e.value]));
  assert.deepEqual(env, {
    CFG_mode: 'fast', CFG_level: '3', CFG_MODE: 'slow', NAME: 'p', NS: 'ns1', APP: 'web', IP: '10.42.0.7', NODE: 'n1', LEVEL: '3', PW: 'hunter2', MEM: '64',
    URL: 'http://10.42.0.7:80/p',
  });
});

test('a missing ConfigMap is a ConfigError unless optional', async () => {
  const missing = pod({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] });
  await assert.rejects(containerEnv(missing, missing.spec!.containers[0], sources, facts), (e: unknown) => e instanceof ConfigError && e.message === 'configmap "nope" not found');
  const optional = pod({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } }] });
  assert.deepEqual(await containerEnv(optional, optional.spec!.containers[0], sources, facts), []);
  const noKey = pod({ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'k' } } }] });
  await assert.rejects(containerEnv(noKey, noKey.spec!.containers[0], sources, facts), /couldn't find key k in Secret ns1\/sec/);
});

const svc = (namespace: string, name: string, clusterIP: string, ports: NonNullable<Service['spec']>['ports']): Service =>
  ({ metadata: { namespace, name }, spec: { clusterIP, ports } });
const cluster: Service[] = [
  svc('default', 'kubernetes', '10.43.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
  svc('default', 'other', '10.43.0.9', [{ port: 80 }]),
  svc('ns1', 'my-web', '10.43.0.20', [{ port: 80 }, { name: 'dns-udp', port: 53, protocol: 'UDP' }]),
  svc('ns1', 'headless', 'None', [{ port: 80 }]),
  svc('ns2', 'elsewhere', '10.43.0.30', [{ port: 80 }]),
];

test('Service variables as upstream\'s kubelet makes them: kubernetes always, the namespace\'s with enableServiceLinks', () => {
  const all = Object.fromEntries(serviceEnv(cluster, 'ns1', true));
  assert.deepEqual(all, {
    KUBERNETES_SERVICE_HOST: '10.43.0.1', KUBERNETES_SERVICE_PORT: '443', KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.43.0.1:443', KUBERNETES_PORT_443_TCP: 'tcp://10.43.0.1:443', KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443', KUBERNETES_PORT_443_TCP_ADDR: '10.43.0.1',
    MY_WEB_SERVICE_HOST: '10.43.0.20', MY_WEB_SERVICE_PORT: '80', MY_WEB_SERVICE_PORT_DNS_UDP: '53',
    MY_WEB_PORT: 'tcp://10.43.0.20:80', MY_WEB_PORT_80_TCP: 'tcp://10.43.0.20:80', MY_WEB_PORT_80_TCP_PROTO: 'tcp',
    MY_WEB_PORT_80_TCP_PORT: '80', MY_WEB_PORT_80_TCP_ADDR: '10.43.0.20',
    MY_WEB_PORT_53_UDP: 'udp://10.43.0.20:53', MY_WEB_PORT_53_UDP_PROTO: 'udp', MY_WEB_PORT_53_UDP_PORT: '53', MY_WEB_PORT_53_UDP_ADDR: '10.43.0.20',
  });
  assert.deepEqual([...serviceEnv(cluster, 'ns1', false).keys()].filter((k) => !k.startsWith('KUBERNETES_')), [], 'enableServiceLinks false: kubernetes only');
  assert.ok(serviceEnv(cluster, 'ns1', false).has('KUBERNETES_SERVICE_HOST'));
  assert.equal(serviceEnv(cluster, 'default', true).get('OTHER_SERVICE_HOST'), '10.43.0.9');
});

test('the container\'s own variables win over Service variables, and $(VAR) may name a Service variable', async () => {
  const withServices: EnvSources = { ...sources, services: () => cluster };
  const p = pod({ name: 'c', env: [{ name: 'KUBERNETES_SERVICE_PORT', value: '6443' }, { name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' }] });
  const env = Object.fromEntries((await containerEnv(p, p.spec!.containers[0], withServices, facts)).map((e) => [e.key, e.value]));
  assert.equal(env.KUBERNETES_SERVICE_PORT, '6443');
  assert.equal(env.API, 'https://10.43.0.1:6443');
  assert.equal(env.KUBERNETES_SERVICE_HOST, '10.43.0.1');
  assert.equal(env.MY_WEB_SERVICE_HOST, '10.43.0.20');
});
