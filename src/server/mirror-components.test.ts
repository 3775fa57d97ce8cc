import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostedComponent } from './hosted-component.ts';
import { serverMirrorSources } from './mirror-components.ts';

const hosted = (name: string, isolation: 'thread' | 'process' = 'thread') => new HostedComponent({ name, module: 'file:///nowhere.js', options: {}, isolation });
const all = () => ['scheduler', 'controller-manager', 'kube-proxy', 'dns'].map((n) => hosted(n)).concat(hosted('kubelet', 'process'));

test('the server shows the API server, its embedded SQLite store and each hosted component but the kubelet', () => {
  const sources = serverMirrorSources({ hosted: all(), since: new Date(), sqlite: true });
  assert.deepEqual(sources.map((s) => s.component.name), ['kube-apiserver', 'sqlite', 'kube-scheduler', 'kube-controller-manager', 'kube-proxy', 'skiff-dns']);
  const byName = new Map(sources.map((s) => [s.component.name, s.component]));
  assert.deepEqual(byName.get('kube-scheduler')!.labels, { component: 'kube-scheduler', tier: 'control-plane' });
  assert.equal(byName.get('kube-scheduler')!.hostedIn, 'worker thread of skiff server');
  assert.deepEqual(byName.get('kube-proxy')!.labels, { 'k8s-app': 'kube-proxy' });
  assert.deepEqual(byName.get('skiff-dns')!.labels, { 'k8s-app': 'kube-dns' });
  // the store is the API server's own code, in its process
  assert.equal(byName.get('sqlite')!.image, byName.get('kube-apiserver')!.image);
  assert.match(byName.get('sqlite')!.hostedIn, /embedded in kube-apiserver/);
  // the API server and its store run while the server does; the others report their supervisor's state
  assert.deepEqual(sources.map((s) => ('hosted' in s ? s.hosted : 'steady')), ['steady', 'steady', 'scheduler', 'controller-manager', 'kube-proxy', 'dns']);
});

test('an etcd the server only connects to is no pod of its node', () => {
  const sources = serverMirrorSources({ hosted: [hosted('scheduler')], since: new Date(), sqlite: false });
  assert.deepEqual(sources.map((s) => s.component.name), ['kube-apiserver', 'kube-scheduler']);
});
