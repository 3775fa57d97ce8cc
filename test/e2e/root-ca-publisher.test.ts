// kube-controller-manager's root CA publisher against a real API server: every namespace, one made later too, gets
// the ConfigMap kube-root-ca.crt holding the cluster CA (the one that signed the serving certificate, which pods'
// clients verify with it); one tampered with is written back and one deleted is made again. No root needed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { startControllerManager, type ControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const configMapsRef = resourceRef('v1', 'configmaps');
const namespacesRef = resourceRef('v1', 'namespaces', false);

let s: TestServer;
let client: RestClient;
let manager: ControllerManager;
const ac = new AbortController();

before(async () => {
  s = await startTestServer();
  client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'root-ca-test', qps: 0 });
  manager = await startControllerManager({ client, signal: ac.signal, leaderElection: false, controllers: ['root-ca-certificate-publisher'] });
});

after(async () => {
  ac.abort();
  await manager?.done;
  client?.close();
  await s?.stop();
});

test('kube-root-ca.crt holds the cluster CA in every namespace and is kept so', async () => {
  const ca = readFileSync(join(s.dataDir, 'server', 'tls', 'server-ca.crt'), 'utf8');
  const caIn = async (ns: string): Promise<string | undefined> =>
    (await client.get<ConfigMap>(configMapsRef, 'kube-root-ca.crt', { namespace: ns }).catch(() => undefined))?.data?.['ca.crt'];
  for (const ns of ['default', 'kube-system', 'kube-public']) assert.equal(await waitFor(`kube-root-ca.crt in ${ns}`, () => caIn(ns)), ca);
  const made = await client.get<ConfigMap>(configMapsRef, 'kube-root-ca.crt', { namespace: 'default' });
  assert.match(made.metadata!.annotations!['kubernetes.io/description']!, /^Contains a CA bundle that can be used to verify the kube-apiserver/);
  await client.create<Namespace>(namespacesRef, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'later' } });
  assert.equal(await waitFor('kube-root-ca.crt in a new namespace', () => caIn('later')), ca);
  await client.update<ConfigMap>(configMapsRef, { ...made, data: { 'ca.crt': 'not a CA' } }, { namespace: 'default' });
  await waitFor('the tampered copy written back', async () => (await caIn('default')) === ca);
  await client.delete(configMapsRef, 'kube-root-ca.crt', { namespace: 'later' });
  await waitFor('the deleted copy made again', async () => (await caIn('later')) === ca);
});
