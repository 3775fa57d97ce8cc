// kube-proxy's iptables mode (`--proxy-mode iptables`) on real kernel rules: the same netns "pods" as
// proxy.test.ts, one service: spreading from the host and a client pod, an endpoint leaving the rotation, reject
// when empty, and --cleanup removing every chain and hook. Everything made is removed in after().
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RestClient } from '../../src/client/index.ts';
import { runCommand } from '../../src/node/proxy/nft.ts';
import { type Proxier, type SyncEvent, cleanupProxy, startProxy } from '../../src/node/proxy/index.ts';
import { chainPrefix } from '../../src/node/proxy/iptables-ruleset.ts';
import { endpointSlicesRef, servicesRef } from '../../src/node/proxy/proxier.ts';
import { type TestServer, startTestServer } from '../support/server.ts';
import { claimRun } from '../support/isolation.ts';
import { waitFor } from '../support/wait.ts';
import { type LabPod, NetnsLab, curl } from './proxy-harness.ts';

// the run's own /24, Service CIDR, NodePort range and names (test/support/isolation.ts)
const testRun = await claimRun();
const lab = new NetnsLab(testRun.net(0), testRun.id);
const prefix = `skiff-ipt${lab.id}`;
const nodeName = `proxy-ipt-${lab.id}`;
let s: TestServer;
let client: RestClient;
const ctl = new AbortController();
let proxier: Proxier;
let backends: LabPod[] = [];
let clientPod: LabPod;

before(async () => {
  await lab.create();
  backends = [await lab.addPod('b0', 8080), await lab.addPod('b1', 8080)];
  clientPod = await lab.addPod('client');
  s = await startTestServer({ network: testRun });
  client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  proxier = (await startProxy({ client, nodeName, table: prefix, mode: 'iptables', clusterCIDR: lab.cidr, signal: ctl.signal })).proxier;
});

after(async () => {
  ctl.abort();
  await cleanupProxy(prefix, 'iptables');
  await lab.destroy();
  client?.close();
  await s?.stop();
  await testRun.release();
});

const endpoints = (pods: LabPod[]): EndpointSlice['endpoints'] => pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true }, nodeName }));

function nextSync(): Promise<SyncEvent> {
  return new Promise((resolve) => proxier.once('synced', resolve));
}

test('iptables mode: spread, removal, reject when empty, cleanup', async () => {
  const svc = await client.create<Service>(servicesRef, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } }, { namespace: 'default' });
  const sl = await client.create<EndpointSlice>(endpointSlicesRef, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: endpoints(backends),
  }, { namespace: 'default' });
  const url = `http://${svc.spec!.clusterIP}/`;
  // no test packet goes to the service address before its rules are in (it would leave by the default route)
  const rule = `-d ${svc.spec!.clusterIP}/32 -p tcp -m tcp --dport 80 -j`;
  await waitFor('rules programmed', async () => (await runCommand('iptables-save', ['-t', 'nat'])).stdout.includes(rule), 10_000, 10);
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const r = await curl(url, i % 2 ? clientPod.ns : undefined);
    assert.equal(r.code, 0, `request ${i} failed: curl exit ${r.code}`);
    seen.add(r.body);
  }
  assert.deepEqual([...seen].sort(), ['b0', 'b1']);

  const t0 = performance.now();
  let synced = nextSync();
  const one = await client.update<EndpointSlice>(endpointSlicesRef, { ...sl, endpoints: endpoints([backends[0]!]) });
  await synced;
  assert.ok(performance.now() - t0 < 1000);
  for (let i = 0; i < 15; i++) assert.equal((await curl(url)).body, 'b0');

  synced = nextSync();
  await client.update<EndpointSlice>(endpointSlicesRef, { ...one, endpoints: [] });
  await synced;
  const r = await curl(url);
  assert.equal(r.code, 7, `expected connection refused, got curl exit ${r.code}`);

  ctl.abort();
  assert.equal(await cleanupProxy(prefix, 'iptables'), true);
  for (const table of ['nat', 'filter']) {
    const saved = (await runCommand('iptables-save', ['-t', table])).stdout;
    assert.doesNotMatch(saved, new RegExp(chainPrefix(prefix)), `${table}: Skiff's chains and hooks removed`);
  }
});
