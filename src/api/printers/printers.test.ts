import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.ts';
import { resources } from '../resources.ts';
import { kindKey } from '../object.ts';
import { defaultPrinter, printerFor, printers } from './index.ts';
import { formatLabelSelector, deploymentSelectorString, formatLabels } from './format.ts';

const now = new Date('2024-05-01T12:00:00Z');
const created = '2024-05-01T11:55:00Z';
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: created, ...extra });
const cells = (key: string, obj: unknown): unknown[] => printers[key].cells(obj as KubeObject, now);
const headers = (key: string): string[] => printers[key].columns.map((c) => c.name.toUpperCase() + (c.priority ? '*' : ''));

test('every served kind has a printer whose cells match its columns', () => {
  for (const r of resources) {
    const key = kindKey(r.group, r.version, r.kind);
    const p = printers[key];
    assert.ok(p, `printer for ${key}`);
    assert.equal(p.cells({ metadata: { name: 'x' } }, now).length, p.columns.length, key);
  }
  assert.equal(printerFor('example.com/v1/Widget'), defaultPrinter);
});

test('column layouts are upstream\'s (* = wide only)', () => {
  assert.deepEqual(headers('v1/Pod'), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP*', 'NODE*', 'NOMINATED NODE*', 'READINESS GATES*']);
  assert.deepEqual(headers('v1/Node'), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP*', 'EXTERNAL-IP*', 'OS-IMAGE*', 'KERNEL-VERSION*', 'CONTAINER-RUNTIME*']);
  assert.deepEqual(headers('v1/Namespace'), ['NAME', 'STATUS', 'AGE']);
  assert.deepEqual(headers('v1/Service'), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR*']);
  assert.deepEqual(headers('v1/Endpoints'), ['NAME', 'ENDPOINTS', 'AGE']);
  assert.deepEqual(headers('v1/ConfigMap'), ['NAME', 'DATA', 'AGE']);
  assert.deepEqual(headers('v1/Secret'), ['NAME', 'TYPE', 'DATA', 'AGE']);
  assert.deepEqual(headers('v1/ServiceAccount'), ['NAME', 'SECRETS', 'AGE']);
  const events = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT*', 'SOURCE*', 'MESSAGE', 'FIRST SEEN*', 'COUNT*', 'NAME*'];
  assert.deepEqual(headers('v1/Event'), events);
  assert.deepEqual(headers('events.k8s.io/v1/Event'), events);
  assert.deepEqual(headers('apps/v1/Deployment'), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS*', 'IMAGES*', 'SELECTOR*']);
  assert.deepEqual(headers('apps/v1/ReplicaSet'), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS*', 'IMAGES*', 'SELECTOR*']);
  assert.deepEqual(headers('coordination.k8s.io/v1/Lease'), ['NAME', 'HOLDER', 'AGE']);
  assert.deepEqual(headers('discovery.k8s.io/v1/EndpointSlice'), ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
  assert.equal(printers['v1/Pod'].columns[0].format, 'name');
});

test('Node: status, roles, version and wide cells', () => {
  const node = {
    metadata: meta('node-1', { labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': 'true', 'kubernetes.io/role': 'edge' } }),
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '10.0.0.2' }],
      nodeInfo: { kubeletVersion: 'v1.32.0-skiff', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.6.20' },
    },
  };
  assert.deepEqual(cells('v1/Node', node), [
    'node-1', 'Ready,SchedulingDisabled', 'control-plane,edge,master', '5m', 'v1.32.0-skiff',
    '10.0.0.2', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'containerd://1.6.20',
  ]);
  assert.deepEqual(cells('v1/Node', { metadata: meta('n2'), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }).slice(0, 3),
    ['n2', 'NotReady', '<none>']);
  assert.deepEqual(cells('v1/Node', { metadata: meta('n3') }).slice(0, 5), ['n3', 'Unknown', '<none>', '5m', '']);
  assert.deepEqual(cells('v1/Node', { metadata: meta('n3') }).slice(5), ['<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});

test('Service: types, ports, external IPs, selector', () => {
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) => ({ metadata: meta('s'), spec, status });
  assert.deepEqual(cells('v1/Service', svc({ type: 'ClusterIP', clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'], ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'nginx', tier: 'web' } })),
    ['s', 'ClusterIP', '10.43.0.10', '<none>', '80/TCP', '5m', 'app=nginx,tier=web']);
  assert.deepEqual(cells('v1/Service', svc({ type: 'NodePort', clusterIPs: ['10.43.1.1'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] })).slice(1, 5),
    ['NodePort', '10.43.1.1', '<none>', '80:30080/TCP,53/UDP']);
  assert.deepEqual(cells('v1/Service', svc({ type: 'LoadBalancer', clusterIP: '10.43.1.2', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] })).slice(2, 5),
    ['10.43.1.2', '<pending>', '443:31443/TCP']);
  assert.equal(cells('v1/Service', svc({ type: 'LoadBalancer', externalIPs: ['1.2.3.4'] }, { loadBalancer: { ingress: [{ ip: '9.9.9.9' }, { hostname: 'lb.example.com' }, { ip: '9.9.9.9' }] } }))[3],
    '9.9.9.9,lb.example.com,1.2.3.4');
  assert.deepEqual(cells('v1/Service', svc({ type: 'ExternalName', externalName: 'example.com' })).slice(1, 5),
    ['ExternalName', '<none>', 'example.com', '<none>']);
  assert.deepEqual(cells('v1/Service', svc({ type: 'ClusterIP', clusterIP: 'None', externalIPs: ['5.6.7.8', '5.6.7.9'] })).slice(2, 4),
    ['None', '5.6.7.8,5.6.7.9']);
  assert.equal(cells('v1/Service', svc({}))[3], '<unknown>');
  assert.equal(cells('v1/Service', svc({ type: 'ClusterIP' }))[6], '<none>');
});

test('Endpoints: three at most, then "+ N more..."; port-less subsets list bare IPs', () => {
  const ep = (subsets: unknown[]) => ({ metadata: meta('e'), subsets });
  assert.equal(cells('v1/Endpoints', { metadata: meta('e') })[1], '<none>');
  assert.equal(cells('v1/Endpoints', ep([{ addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }], ports: [{ port: 80 }] }]))[1],
    '10.42.0.5:80,10.42.0.6:80');
  assert.equal(cells('v1/Endpoints', ep([{ addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }, { ip: '10.42.0.7' }, { ip: '10.42.0.8' }], ports: [{ port: 80 }] }]))[1],
    '10.42.0.5:80,10.42.0.6:80,10.42.0.7:80 + 1 more...');
  assert.equal(cells('v1/Endpoints', ep([{ addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }], ports: [{ port: 80 }, { port: 443 }] }]))[1],
    '10.42.0.5:80,10.42.0.6:80,10.42.0.5:443 + 1 more...');
  assert.equal(cells('v1/Endpoints', ep([{ addresses: [{ ip: '10.42.0.5' }] }]))[1], '10.42.0.5');
  assert.equal(cells('v1/Endpoints', ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }]))[1], '[fd00::1]:53');
  assert.equal(cells('v1/Endpoints', ep([{ notReadyAddresses: [{ ip: '10.42.0.9' }], ports: [{ port: 80 }] }]))[1], '');
});

test('ConfigMap, Secret, ServiceAccount, Namespace, Lease', () => {
  assert.deepEqual(cells('v1/ConfigMap', { metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['cm', 3, '5m']);
  assert.deepEqual(cells('v1/ConfigMap', { metadata: meta('cm') }), ['cm', 0, '5m']);
  assert.deepEqual(cells('v1/Secret', { metadata: meta('s'), type: 'Opaque', data: { a: 'eA==' } }), ['s', 'Opaque', 1, '5m']);
  assert.deepEqual(cells('v1/ServiceAccount', { metadata: meta('default') }), ['default', 0, '5m']);
  assert.deepEqual(cells('v1/Namespace', { metadata: meta('kube-system'), status: { phase: 'Active' } }), ['kube-system', 'Active', '5m']);
  assert.deepEqual(cells('v1/Namespace', { metadata: meta('gone'), status: { phase: 'Terminating' } })[1], 'Terminating');
  assert.deepEqual(cells('coordination.k8s.io/v1/Lease', { metadata: meta('skiff-controller-manager'), spec: { holderIdentity: 'host_1234' } }),
    ['skiff-controller-manager', 'host_1234', '5m']);
  assert.deepEqual(cells('coordination.k8s.io/v1/Lease', { metadata: meta('l') }), ['l', '', '5m']);
});

test('Event (core and events.k8s.io): ages, object, source, count', () => {
  const core = {
    apiVersion: 'v1', kind: 'Event',
    metadata: meta('nginx.17a'),
    involvedObject: { kind: 'Pod', name: 'nginx', fieldPath: 'spec.containers{nginx}' },
    reason: 'Pulled', type: 'Normal', message: '  Container image "nginx" already present on machine\n',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2024-05-01T11:50:00Z', lastTimestamp: '2024-05-01T11:58:00Z', count: 3,
  };
  assert.deepEqual(cells('v1/Event', core), [
    '2m', 'Normal', 'Pulled', 'pod/nginx', 'spec.containers{nginx}', 'kubelet, node-1',
    'Container image "nginx" already present on machine', '10m', 3, 'nginx.17a',
  ]);
  const newStyle = {
    apiVersion: 'v1', kind: 'Event', metadata: meta('sched.1'),
    involvedObject: { kind: 'Pod', name: 'nginx' }, reason: 'Scheduled', type: 'Normal', message: 'ok',
    eventTime: '2024-05-01T11:59:30.123456Z', reportingComponent: 'default-scheduler', reportingInstance: 'default-scheduler-host',
    source: {},
  };
  // 29.876s truncates to 29s, as Go's int(d.Seconds()).
  assert.deepEqual(cells('v1/Event', newStyle), ['29s', 'Normal', 'Scheduled', 'pod/nginx', '', 'default-scheduler, default-scheduler-host', 'ok', '29s', 1, 'sched.1']);
  const v1 = {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta('n.1'),
    regarding: { kind: 'Node', name: 'node-1' }, reason: 'NodeReady', type: 'Normal', note: 'Node node-1 status is now: NodeReady',
    eventTime: '2024-05-01T11:00:00.000000Z', reportingController: 'kubelet',
    series: { count: 4, lastObservedTime: '2024-05-01T11:59:00.000000Z' },
  };
  const want = ['60s', 'Normal', 'NodeReady', 'node/node-1', '', 'kubelet', 'Node node-1 status is now: NodeReady', '60m', 4, 'n.1'];
  assert.deepEqual(cells('events.k8s.io/v1/Event', v1), want);
  assert.deepEqual(cells('v1/Event', v1), want);
  assert.deepEqual(cells('v1/Event', { metadata: meta('x'), involvedObject: {} }).slice(0, 4), ['<unknown>', '', '', '']);
});

test('Deployment and ReplicaSet', () => {
  const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } };
  const deploy = {
    metadata: meta('nginx'),
    spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'canary', operator: 'DoesNotExist' }] }, template },
    status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
  };
  assert.deepEqual(cells('apps/v1/Deployment', deploy), ['nginx', '2/3', 3, 2, '5m', 'nginx,side', 'nginx:1.25,busybox', 'app=nginx,!canary,env in (dev,prod)']);
  assert.deepEqual(cells('apps/v1/Deployment', { metadata: meta('d'), spec: { replicas: 0 } }), ['d', '0/0', 0, 0, '5m', '', '', '']);
  const rs = { metadata: meta('nginx-7854ff8877'), spec: { replicas: 3, selector: { matchLabels: { app: 'nginx', 'pod-template-hash': '7854ff8877' } }, template }, status: { replicas: 3, readyReplicas: 1 } };
  assert.deepEqual(cells('apps/v1/ReplicaSet', rs), ['nginx-7854ff8877', 3, 3, 1, '5m', 'nginx,side', 'nginx:1.25,busybox', 'app=nginx,pod-template-hash=7854ff8877']);
  assert.equal(cells('apps/v1/ReplicaSet', { metadata: meta('r'), spec: {} })[7], '<none>');
});

test('selector and label formatting edge cases', () => {
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'NotIn', values: ['x'] }] }), 'a,b notin (x)');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), '<error>');
  assert.equal(deploymentSelectorString({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<invalid>');
});

test('EndpointSlice: address type, ports, endpoints', () => {
  const slice = {
    metadata: meta('nginx-abc12'), addressType: 'IPv4',
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443 }, { name: 'named' }, {}],
    endpoints: [{ addresses: ['10.42.0.5'] }, { addresses: ['10.42.0.6', '10.42.0.7'] }, { addresses: ['10.42.0.8'] }, { addresses: ['10.42.0.9'] }],
  };
  assert.deepEqual(cells('discovery.k8s.io/v1/EndpointSlice', slice), ['nginx-abc12', 'IPv4', '80,443,named + 1 more...', '10.42.0.5,10.42.0.6,10.42.0.7 + 2 more...', '5m']);
  assert.deepEqual(cells('discovery.k8s.io/v1/EndpointSlice', { metadata: meta('e'), addressType: 'IPv6', ports: [{}], endpoints: [] }),
    ['e', 'IPv6', '*', '<unset>', '5m']);
});

test('default printer: NAME and CREATED AT as RFC 3339 UTC', () => {
  assert.deepEqual(defaultPrinter.columns.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
  assert.deepEqual(defaultPrinter.cells({ metadata: { name: 'b', creationTimestamp: '2024-05-01T13:55:00+02:00' } }, now), ['b', '2024-05-01T11:55:00Z']);
  assert.deepEqual(defaultPrinter.cells({ metadata: { name: 'b' } }, now), ['b', '0001-01-01T00:00:00Z']);
});
