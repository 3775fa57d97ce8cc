import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { containerConfig, linuxResources, podLabels, sandboxConfig } from './runtime-config.ts';

const dns = { clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local' };

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { note: 'x' } },
    spec: { containers: [{ name: 'c', image: 'busybox:1' }], ...spec },
  };
}

test('sandbox config: metadata, labels that find the pod again, ClusterFirst DNS, pod namespaces', () => {
  const c = sandboxConfig(pod(), 2, '/logs/x', dns);
  assert.deepEqual(c.metadata, { name: 'web', uid: 'u-1', namespace: 'shop', attempt: 2 });
  assert.equal(c.hostname, 'web');
  assert.deepEqual(c.labels, { app: 'web', ...podLabels(pod()) });
  assert.equal((c.labels as Record<string, string>)['io.kubernetes.pod.uid'], 'u-1');
  assert.deepEqual(c.annotations, { note: 'x' });
  assert.deepEqual(c.dnsConfig, { servers: ['10.43.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] });
  assert.deepEqual(c.linux?.securityContext?.namespaceOptions, { network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
});

test('hostNetwork: empty hostname (no UTS namespace of its own), node network, host resolv.conf', () => {
  const c = sandboxConfig(pod({ hostNetwork: true, dnsPolicy: 'Default' }), 0, '/l', dns);
  assert.equal(c.hostname, '');
  assert.equal(c.linux?.securityContext?.namespaceOptions?.network, 'NODE');
  assert.equal(c.dnsConfig, undefined);
});

test('hostPort becomes a port mapping', () => {
  const c = sandboxConfig(pod({ containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }] }), 0, '/l', dns);
  assert.deepEqual(c.portMappings, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '' }]);
});

test('container config: $(VAR) in command and args, restart count in attempt, annotation and log path', () => {
  const p = pod({ terminationGracePeriodSeconds: 5 });
  const c = containerConfig(p, { name: 'c', image: 'busybox:1', command: ['sh', '-c'], args: ['echo $(GREETING) $$(X)'], workingDir: '/w' },
    'docker.io/library/busybox:1', 3, [{ key: 'GREETING', value: 'hi' }]);
  assert.deepEqual(c.args, ['echo hi $(X)']);
  assert.deepEqual(c.metadata, { name: 'c', attempt: 3 });
  assert.equal(c.annotations?.['io.kubernetes.container.restartCount'], '3');
  assert.equal(c.annotations?.['io.kubernetes.pod.terminationGracePeriod'], '5');
  assert.equal(c.labels?.['io.kubernetes.container.name'], 'c');
  assert.equal(c.logPath, 'c/3.log');
  assert.equal(c.workingDir, '/w');
  assert.deepEqual(c.image, { image: 'docker.io/library/busybox:1', userSpecifiedImage: 'busybox:1' });
});

test('resources: cpu shares from requests, CFS quota and memory limit from limits', () => {
  assert.deepEqual(linuxResources({ name: 'c', resources: { requests: { cpu: '250m' }, limits: { cpu: '500m', memory: '64Mi' } } }),
    { cpuShares: 256, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 64 * 1024 * 1024 });
  assert.deepEqual(linuxResources({ name: 'c' }), { cpuShares: 2 });
});
