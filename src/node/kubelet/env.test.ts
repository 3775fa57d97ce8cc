import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { ConfigError, type EnvSources, containerEnv, expand } from './env.ts';

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
