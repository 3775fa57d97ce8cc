// The whole Service path driven by real kubectl, with the real EndpointSlice and ServiceLB controllers and
// kube-proxy on real nftables rules: "pods" are network namespaces serving HTTP (their Pod objects carry those
// IPs, since no kubelet runs here), `kubectl create service` / `kubectl expose pod` (named target port) /
// `--type=LoadBalancer` give services that answer, and a pod turning unready leaves the rotation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { RestClient } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { nodesRef, podsRef } from '../../src/control-plane/controllers/refs.ts';
import { runCommand } from '../../src/node/proxy/nft.ts';
import { startProxy } from '../../src/node/proxy/index.ts';
import { servicesRef } from '../../src/node/proxy/proxier.ts';
import { type TestServer, startTestServer } from '../support/server.ts';
import { claimRun } from '../support/isolation.ts';
import { waitFor } from '../support/wait.ts';
import { type LabPod, NetnsLab, curl } from './proxy-harness.ts';

// the run's own /24, Service CIDR, NodePort range and names (test/support/isolation.ts)
const testRun = await claimRun();
const lab = new NetnsLab(testRun.net(0), testRun.id);
const table = `skiff-pk${lab.id}`;
const nodeName = `proxy-kubectl-${lab.id}`;
let s: TestServer;
let client: RestClient;
const ctl = new AbortController();
let cmDone: Promise<void>;
let backends: LabPod[] = [];

async function kubectl(args: string[]): Promise<string> {
  const r = await s.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A Pod object for a netns "pod", with the status a kubelet would write. */
async function podFor(p: LabPod): Promise<void> {
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: 'default', labels: { app: 'web' } },
    spec: { nodeName, containers: [{ name: 'httpd', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] },
  };
  const created = await client.create<Pod>(podsRef, pod, { namespace: 'default' });
  await setReady(created, true, p.ip);
}

async function setReady(pod: Pod, ready: boolean, ip = pod.status?.podIP): Promise<void> {
  const status = ready ? 'True' : 'False';
  await client.updateStatus(podsRef, { ...pod, status: {
    phase: 'Running', podIP: ip, podIPs: [{ ip: ip! }], hostIP: lab.nodeIP,
    conditions: [{ type: 'Ready', status }, { type: 'ContainersReady', status }],
  } }, { namespace: 'default' });
}

before(async () => {
  await lab.create();
  backends = [await lab.addPod('web-0', 8080), await lab.addPod('web-1', 8080)];
  s = await startTestServer({ network: testRun });
  client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  const node = await client.create<Node>(nodesRef, { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName } });
  await client.updateStatus(nodesRef, { ...node, status: { addresses: [{ type: 'InternalIP', address: lab.nodeIP }] } });
  for (const p of backends) await podFor(p);
  cmDone = (await startControllerManager({ client, signal: ctl.signal, controllers: ['endpointslice', 'service-lb'], leaderElection: false })).done;
  await startProxy({ client, nodeName, table, clusterCIDR: lab.cidr, signal: ctl.signal });
});

after(async () => {
  ctl.abort();
  await cmDone;
  await runCommand('nft', ['delete', 'table', 'ip', table]);
  await lab.destroy();
  client?.close();
  await s?.stop();
  await testRun.release();
});

/** Waits until the kernel has the service's address, then returns it (no packet goes out before). */
async function programmed(name: string, port: number): Promise<string> {
  const svc = await client.get<Service>(servicesRef, name, { namespace: 'default' });
  const key = `${svc.spec!.clusterIP} . tcp . ${port}`;
  await waitFor(`${name} programmed`, async () => (await runCommand('nft', ['list', 'map', 'ip', table, 'service-ips'])).stdout.includes(key), 15_000, 20);
  return svc.spec!.clusterIP!;
}

async function seen(url: string, n: number): Promise<string[]> {
  const names = new Set<string>();
  for (let i = 0; i < n; i++) names.add((await curl(url)).body);
  return [...names].sort();
}

test('kubectl create service clusterip: both pods answer; an unready pod leaves the rotation', async () => {
  await kubectl(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
  const ip = await programmed('web', 80);
  assert.deepEqual(await waitFor('both pods in rotation', async () => {
    const got = await seen(`http://${ip}/`, 20);
    return got.length === 2 ? got : undefined;
  }, 15_000), ['web-0', 'web-1']);
  const pod = await client.get<Pod>(podsRef, 'web-1', { namespace: 'default' });
  await setReady(pod, false);
  await waitFor('web-1 out of rotation', async () => {
    const out = await runCommand('nft', ['list', 'table', 'ip', table]);
    return !out.stdout.includes(`dnat to ${backends[1]!.ip}:8080`);
  }, 5_000, 20);
  assert.deepEqual(await seen(`http://${ip}/`, 20), ['web-0']);
  await setReady(await client.get<Pod>(podsRef, 'web-1', { namespace: 'default' }), true);
  assert.deepEqual(await waitFor('web-1 back in rotation', async () => {
    const got = await seen(`http://${ip}/`, 20);
    return got.length === 2 ? got : undefined;
  }, 15_000), ['web-0', 'web-1']);
});

test('kubectl expose pod with a named target port gives a working service', async () => {
  await kubectl(['expose', 'pod', 'web-0', '--port=8000', '--target-port=http', '--name=web0']);
  const ip = await programmed('web0', 8000);
  // kubectl expose pod selects by the pod's labels (app=web), as upstream: both pods, port resolved by name
  assert.deepEqual(await seen(`http://${ip}:8000/`, 20), ['web-0', 'web-1']);
});

test('kubectl expose --type=LoadBalancer gets the node address as EXTERNAL-IP, which answers', async () => {
  await kubectl(['expose', 'pod', 'web-1', '--type=LoadBalancer', '--port=8090', '--target-port=8080', '--name=weblb']);
  const row = await waitFor('EXTERNAL-IP shown', async () => {
    const out = await kubectl(['get', 'service', 'weblb', '--no-headers']);
    return out.includes(lab.nodeIP) ? out : undefined;
  }, 15_000);
  const dots = (t: string): string => t.replaceAll('.', '\\.');
  const servicePrefix = testRun.serviceCidr.split('.').slice(0, 3).join('.');
  assert.match(row, new RegExp(`^weblb\\s+LoadBalancer\\s+${dots(servicePrefix)}\\.\\d+\\s+${dots(lab.nodeIP)}\\s+8090:3\\d{4}/TCP`));
  await waitFor('LB address answers', async () => (await curl(`http://${lab.nodeIP}:8090/`)).body.startsWith('web-'), 15_000, 50);
});
