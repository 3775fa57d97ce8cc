import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { containerConfig, linuxResources, podDns, podLabels, sandboxConfig } from './runtime-config.ts';

const host = { nameservers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] };
const dns = { clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', host };

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
  assert.deepEqual(c.dnsConfig, { servers: ['10.43.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] });
  assert.deepEqual(c.linux?.securityContext?.namespaceOptions, { network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
});

test('hostNetwork: empty hostname (no UTS namespace of its own), node network, host resolv.conf', () => {
  const c = sandboxConfig(pod({ hostNetwork: true, dnsPolicy: 'Default' }), 0, '/l', dns);
  assert.equal(c.hostname, '');
  assert.equal(c.linux?.securityContext?.namespaceOptions?.network, 'NODE');
  assert.deepEqual(c.dnsConfig, { servers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] });
});

test('dnsPolicy: ClusterFirst on the host network gets the node DNS, ClusterFirstWithHostNet the cluster DNS, None only dnsConfig', () => {
  assert.deepEqual(sandboxConfig(pod({ hostNetwork: true }), 0, '/l', dns).dnsConfig?.servers, ['192.0.2.53']);
  assert.deepEqual(sandboxConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), 0, '/l', dns).dnsConfig?.servers, ['10.43.0.10']);
  const none = sandboxConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }] } }), 0, '/l', dns);
  assert.deepEqual(none.dnsConfig, { servers: ['1.1.1.1'], searches: ['a.b'], options: ['ndots:2'] });
});

test('a resolv.conf trimmed to the limits yields DNSConfigForming warnings; no cluster DNS falls back to Default', () => {
  const many = podDns(pod({ dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] } }), dns);
  assert.deepEqual(many.dnsConfig.servers, ['10.43.0.10', '1.1.1.1', '8.8.8.8']);
  assert.deepEqual(many.warnings, ['Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.43.0.10 1.1.1.1 8.8.8.8']);
  const noCluster = podDns(pod(), { ...dns, clusterDNS: [] });
  assert.deepEqual(noCluster.dnsConfig.servers, ['192.0.2.53']);
  assert.match(noCluster.warnings[0], /Falling back to "Default" policy/);
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
