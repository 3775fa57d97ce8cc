// The upstream JavaScript client (@kubernetes/client-node) lists, creates and watches through Skiff unmodified.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
let kc: KubeConfig;
before(async () => {
  s = await startTestServer();
  kc = new KubeConfig();
  kc.loadFromFile(s.kubeconfig);
});
after(() => s.stop());

test('@kubernetes/client-node lists, creates and watches', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const nss = await core.listNamespace();
  assert.ok(nss.items.some((n) => n.metadata?.name === 'kube-system'));

  const events: string[] = [];
  const watch = new Watch(kc);
  let sawDelete = (): void => {};
  let watchFailed = (_err: Error): void => {};
  const sawAll = new Promise<void>((resolve, reject) => {
    sawDelete = resolve;
    watchFailed = reject;
  });
  // resolves once the server has answered the watch request: from then on every change is delivered
  const watchCtl = await watch.watch('/api/v1/namespaces/default/configmaps', {}, (type, obj: { metadata?: { name?: string } }) => {
    events.push(`${type} ${obj.metadata?.name}`);
    if (events.includes('DELETED from-client')) sawDelete();
  }, (err) => {
    if (err) watchFailed(err as Error);
  });
  void sawAll.finally(() => watchCtl.abort()).catch(() => {});

  const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-client' }, data: { a: '1' } } });
  assert.equal(cm.metadata?.name, 'from-client');
  // client-node sends patches as application/json-patch+json unless told otherwise.
  await core.patchNamespacedConfigMap({ namespace: 'default', name: 'from-client', body: [{ op: 'replace', path: '/data/a', value: '2' }] });
  await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'from-client' });
  await sawAll;
  assert.deepEqual(events.filter((e) => e.endsWith('from-client')), ['ADDED from-client', 'MODIFIED from-client', 'DELETED from-client']);

  const dep = await apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name: 'cn' },
      spec: { selector: { matchLabels: { app: 'cn' } }, template: { metadata: { labels: { app: 'cn' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    },
  });
  assert.equal(dep.spec?.replicas, 1);
  assert.equal(dep.spec?.strategy?.type, 'RollingUpdate');
  const list = await apps.listNamespacedDeployment({ namespace: 'default' });
  assert.ok(list.items.some((d) => d.metadata?.name === 'cn'));
});
