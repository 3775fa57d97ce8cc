// kube-proxy end to end on real kernel rules: a real API server, EndpointSlices written through the API, "pods"
// that are network namespaces on a bridge of the test's own (a test-only /24) serving `busybox httpd`, and the
// proxier programming an nftables table named for this run. Checks ClusterIP from the host and from a client pod,
// spreading, hairpin, ClientIP affinity, endpoint removal within 1 s, reject when empty, NodePort, LoadBalancer
// (ServiceLB), restart with re-sync, and `skiff proxy --cleanup`. Everything made is removed in after().
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RestClient } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { nodesRef } from '../../src/control-plane/controllers/refs.ts';
import { runCommand } from '../../src/node/proxy/nft.ts';
import { type Proxier, type SyncEvent, startProxy } from '../../src/node/proxy/index.ts';
import { endpointSlicesRef, servicesRef } from '../../src/node/proxy/proxier.ts';
import { type TestServer, startTestServer } from '../support/server.ts';
import { claimRun } from '../support/isolation.ts';
import { type SkiffProcess, startSkiff } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';
import { HostedComponent } from '../../src/server/hosted-component.ts';
import { siblingModule } from '../../src/server/hosted-main.ts';
import type { ProxyMainOptions } from '../../src/server/component-mains.ts';
import { createSocket } from 'node:dgram';
import { type LabPod, NetnsLab, curl, udpAsk } from './proxy-harness.ts';
import { kubeProxyKubeconfig } from '../support/node-identity.ts';

// the run's own /24, Service CIDR, NodePort range and names (test/support/isolation.ts)
const testRun = await claimRun();
const lab = new NetnsLab(testRun.net(0), testRun.id);
const table = `skiff-pt${lab.id}`;
const nodeName = `proxy-node-${lab.id}`;
let s: TestServer;
let client: RestClient;
let proxyCtl = new AbortController();
let proxier: Proxier;
const cmCtl = new AbortController();
let cmDone: Promise<void> | undefined;
let backends: LabPod[] = [];
let clientPod: LabPod;
/** On the bridge but outside the cluster CIDR handed to kube-proxy (the lower half of the /24): an external client. */
let outside: LabPod;
const clusterCIDR = `${lab.net}.0/25`;
let cli: SkiffProcess | undefined;

before(async () => {
  await lab.create();
  backends = [await lab.addPod('b0', 8080), await lab.addPod('b1', 8080), await lab.addPod('b2', 8080)];
  clientPod = await lab.addPod('client');
  outside = await lab.addPod('outside', undefined, 200);
  s = await startTestServer({ network: testRun });
  client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  proxier = (await startProxy({ client, nodeName, table, clusterCIDR, signal: proxyCtl.signal })).proxier;
});

after(async () => {
  proxyCtl.abort();
  cmCtl.abort();
  await cmDone;
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  await runCommand('nft', ['delete', 'table', 'ip', table]);
  await lab.destroy();
  client?.close();
  await s?.stop();
  await testRun.release();
});

function service(name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ...spec } };
}

function slice(svc: string, pods: LabPod[], portName = 'http', nodeOf: (p: LabPod) => string = () => nodeName): EndpointSlice {
  const endpoints: Endpoint[] = pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true }, nodeName: nodeOf(p), targetRef: { kind: 'Pod', name: p.name, namespace: 'default' } }));
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `${svc}-abc`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    ports: [{ name: portName, port: 8080, protocol: 'TCP' }], endpoints,
  };
}

/** Waits for the proxier to report a sync that started after `since`. */
function syncAfter(since: number): Promise<SyncEvent> {
  return new Promise((resolve) => {
    const on = (e: SyncEvent): void => {
      if (performance.now() - e.durationMs >= since) {
        proxier.off('synced', on);
        resolve(e);
      }
    };
    proxier.on('synced', on);
  });
}

/** Creates the service and its slice and waits until the kernel has its rules: no test packet to a service
 *  address is sent before, so none can leave the machine by the default route. */
async function createService(svc: Service, pods: LabPod[], nodeOf?: (p: LabPod) => string): Promise<Service> {
  const created = await client.create(servicesRef, svc, { namespace: 'default' });
  await client.create(endpointSlicesRef, slice(svc.metadata!.name!, pods, 'http', nodeOf), { namespace: 'default' });
  const key = `${created.spec!.clusterIP} . tcp . ${created.spec!.ports![0]!.port}`;
  await waitFor(`${key} programmed`, async () =>
    (await runCommand('nft', ['list', 'map', 'ip', table, 'service-ips'])).stdout.includes(key), 10_000, 10);
  return created;
}

async function answers(url: string, n: number, ns?: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = await curl(url, ns);
    assert.equal(r.code, 0, `curl ${url} (#${i}) failed with ${r.code}`);
    seen.set(r.body, (seen.get(r.body) ?? 0) + 1);
  }
  return seen;
}

test('ClusterIP (named targetPort) spreads over every backend, from the host and from a client pod', async () => {
  const svc = await createService(service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http' }] }), backends);
  const url = `http://${svc.spec!.clusterIP}/`;
  assert.deepEqual([...(await answers(url, 30)).keys()].sort(), ['b0', 'b1', 'b2']);
  assert.deepEqual([...(await answers(url, 30, clientPod.ns)).keys()].sort(), ['b0', 'b1', 'b2']);
});

test('hairpin: a backend reaches itself through its own service', async () => {
  const svc = await client.get<Service>(servicesRef, 'web', { namespace: 'default' });
  const url = `http://${svc.spec!.clusterIP}/`;
  // each try picks a backend at random; b0 gets itself with probability 1/3
  await waitFor('b0 answered b0 through the service', async () => {
    const r = await curl(url, backends[0]!.ns, 2);
    assert.equal(r.code, 0, 'hairpin connection must not hang');
    return r.body === 'b0';
  }, 20_000, 0);
});

test('an endpoint removed leaves the rotation within 1 s; none left refuses at once', async () => {
  const svc = await client.get<Service>(servicesRef, 'web', { namespace: 'default' });
  const url = `http://${svc.spec!.clusterIP}/`;
  const sl = await client.get<EndpointSlice>(endpointSlicesRef, 'web-abc', { namespace: 'default' });
  const t0 = performance.now();
  const synced = syncAfter(t0);
  await client.update(endpointSlicesRef, { ...sl, endpoints: sl.endpoints!.filter((e) => e.addresses[0] !== backends[2]!.ip) });
  await synced;
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < 1000, `rules live after ${elapsed.toFixed(0)} ms`);
  assert.deepEqual([...(await answers(url, 30)).keys()].sort(), ['b0', 'b1']);

  const sl2 = await client.get<EndpointSlice>(endpointSlicesRef, 'web-abc', { namespace: 'default' });
  const zero = syncAfter(performance.now());
  await client.update(endpointSlicesRef, { ...sl2, endpoints: [] });
  await zero;
  const r = await curl(url);
  assert.equal(r.code, 7, `expected connection refused, got curl exit ${r.code}`);
  assert.ok(r.ms < 1000, `refused after ${r.ms.toFixed(0)} ms, not a hang`);

  const sl3 = await client.get<EndpointSlice>(endpointSlicesRef, 'web-abc', { namespace: 'default' });
  const back = syncAfter(performance.now());
  await client.update(endpointSlicesRef, { ...sl3, endpoints: slice('web', backends).endpoints });
  await back;
  assert.deepEqual([...(await answers(url, 30)).keys()].sort(), ['b0', 'b1', 'b2']);
});

test('UDP: answers through the ClusterIP; a removed endpoint\'s live flow moves to another backend (conntrack cleared)', async (t) => {
  await lab.udpEcho(backends[0]!, 5353);
  await lab.udpEcho(backends[1]!, 5353);
  const created = await client.create(servicesRef, service('udp', { ports: [{ name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' }] }), { namespace: 'default' });
  const ip = created.spec!.clusterIP!;
  // the sync that programs the endpoints also clears the service's earlier UDP flows, after the rules are in: a
  // datagram sent in between would lose its flow, so wait for the end of that sync (its 'synced' event)
  const inKernel = async (): Promise<boolean> => (await runCommand('nft', ['list', 'map', 'ip', table, 'service-ips'])).stdout.includes(`${ip} . udp . 53`);
  const done = new Promise<void>((resolve) => {
    const on = (): void => {
      void inKernel().then((yes) => {
        if (!yes) return;
        proxier.off('synced', on);
        resolve();
      });
    };
    proxier.on('synced', on);
  });
  const sl = await client.create(endpointSlicesRef, { ...slice('udp', [backends[0]!, backends[1]!]), ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }] }, { namespace: 'default' });
  await done;
  const socket = createSocket('udp4');
  t.after(() => socket.close());
  await new Promise<void>((r) => socket.bind(0, '0.0.0.0', r));
  const first = await udpAsk(socket, ip, 53);
  assert.ok(first === 'b0' || first === 'b1', `reply ${first}`);
  for (let i = 0; i < 5; i++) assert.equal(await udpAsk(socket, ip, 53), first, 'one flow, one backend');
  const synced = syncAfter(performance.now());
  await client.update(endpointSlicesRef, { ...sl, endpoints: sl.endpoints!.filter((e) => e.targetRef?.name !== first) });
  await synced;
  const other = first === 'b0' ? 'b1' : 'b0';
  assert.equal(await udpAsk(socket, ip, 53), other, 'the same flow now reaches the remaining backend');
});

test('sessionAffinity ClientIP keeps a client on one backend', async () => {
  const svc = await createService(service('sticky', { sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 81, targetPort: 8080 }] }), backends);
  const url = `http://${svc.spec!.clusterIP}:81/`;
  assert.equal((await answers(url, 15, clientPod.ns)).size, 1);
});

test('NodePort answers on the node address, from the host and from a pod', async () => {
  const svc = await createService(service('np', { type: 'NodePort', ports: [{ name: 'http', port: 82, targetPort: 8080 }] }), backends);
  const nodePort = svc.spec!.ports![0]!.nodePort!;
  assert.ok(nodePort >= 30000 && nodePort <= 32767);
  const url = `http://${lab.nodeIP}:${nodePort}/`;
  assert.deepEqual([...(await answers(url, 30, clientPod.ns)).keys()].sort(), ['b0', 'b1', 'b2']);
});

test('externalIPs: the service port answers on an external IP routed to this node', async () => {
  const extIP = `${testRun.net(1)}.1`; // the run's own; reaches the host by the pods' default route
  await createService(service('ext', { externalIPs: [extIP], ports: [{ name: 'http', port: 83, targetPort: 8080 }] }), backends);
  await waitFor('externalIP programmed', async () =>
    (await runCommand('nft', ['list', 'map', 'ip', table, 'service-ips'])).stdout.includes(`${extIP} . tcp . 83`), 10_000, 10);
  assert.deepEqual([...(await answers(`http://${extIP}:83/`, 30, clientPod.ns)).keys()].sort(), ['b0', 'b1', 'b2']);
});

test('externalTrafficPolicy Local: an outside client reaches only this node\'s endpoint; pods reach all', async () => {
  const svc = await createService(service('etp', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 84, targetPort: 8080 }] }),
    backends, (p) => (p === backends[0] ? nodeName : 'some-other-node'));
  const url = `http://${lab.nodeIP}:${svc.spec!.ports![0]!.nodePort}/`;
  assert.deepEqual([...(await answers(url, 20, outside.ns)).keys()], ['b0']);
  assert.deepEqual([...(await answers(url, 30, clientPod.ns)).keys()].sort(), ['b0', 'b1', 'b2']);
});

test('LoadBalancer: ServiceLB publishes the node address, which answers on the service port', async () => {
  const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName } };
  const created = await client.create(nodesRef, node);
  await client.updateStatus(nodesRef, { ...created, status: { addresses: [{ type: 'InternalIP', address: lab.nodeIP }] } });
  cmDone = (await startControllerManager({ client, signal: cmCtl.signal, controllers: ['service-lb'], leaderElection: false })).done;
  // queued first to the controller's single worker, so it has been looked at once 'lb' has its ingress
  await client.create(servicesRef, service('other-lb', { type: 'LoadBalancer', loadBalancerClass: 'example.com/other', ports: [{ port: 8082 }] }));
  await createService(service('lb', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ name: 'http', port: 8081, targetPort: 8080 }] }), backends);
  const lb = await waitFor('ingress published', async () => {
    const svc = await client.get<Service>(servicesRef, 'lb', { namespace: 'default' });
    return svc.status?.loadBalancer?.ingress?.length ? svc : undefined;
  }, 10_000);
  assert.deepEqual(lb.status!.loadBalancer!.ingress, [{ ip: lab.nodeIP, ipMode: 'VIP' }]);
  assert.equal(lb.spec!.ports![0]!.nodePort, undefined, 'allocateLoadBalancerNodePorts: false honoured');
  const url = `http://${lab.nodeIP}:8081/`;
  await waitFor('LB address answers', async () => (await curl(url, clientPod.ns)).body.startsWith('b'), 10_000, 20);
  // the other class's service was reconciled before 'lb' (FIFO, one worker) and left alone
  const other = await client.get<Service>(servicesRef, 'other-lb', { namespace: 'default' });
  assert.deepEqual(other.status?.loadBalancer ?? {}, {});
});

test('hosted as a component (worker thread, as skiff server would run it) it programs its own table', async (t) => {
  const hostedTable = `${table}h`;
  const options: ProxyMainOptions = { kubeconfig: await kubeProxyKubeconfig(s), nodeName, table: hostedTable, clusterCidr: clusterCIDR };
  const component = new HostedComponent({
    name: 'kube-proxy', module: siblingModule(import.meta.url, '../../src/server/component-mains'), export: 'proxy', options, log: () => {},
  });
  t.after(async () => {
    await component.stop();
    await runCommand('nft', ['delete', 'table', 'ip', hostedTable]);
  });
  await component.start(); // resolves once the main called ready(), i.e. after its first full sync
  const web = await client.get<Service>(servicesRef, 'web', { namespace: 'default' });
  const map = (await runCommand('nft', ['list', 'map', 'ip', hostedTable, 'service-ips'])).stdout;
  assert.match(map, new RegExp(`${web.spec!.clusterIP!.replaceAll('.', '\\.')} \\. tcp \\. 80`));
  await component.stop();
  assert.equal((await runCommand('nft', ['list', 'table', 'ip', hostedTable])).code, 0, 'rules stay after the component stops');
});

test('restart: rules stay while kube-proxy is down; the re-sync removes a deleted service; --cleanup removes the table', async () => {
  const web = await client.get<Service>(servicesRef, 'web', { namespace: 'default' });
  const sticky = await client.get<Service>(servicesRef, 'sticky', { namespace: 'default' });
  proxyCtl.abort();
  await client.delete(servicesRef, 'sticky', { namespace: 'default' });
  assert.equal((await curl(`http://${web.spec!.clusterIP}/`)).code, 0, 'traffic flows while kube-proxy is down');
  const listed = async (): Promise<string> => (await runCommand('nft', ['list', 'map', 'ip', table, 'service-ips'])).stdout;
  assert.match(await listed(), new RegExp(sticky.spec!.clusterIP!.replaceAll('.', '\\.')));
  cli = await startSkiff(['proxy', '--kubeconfig', s.kubeconfig, '--node-name', nodeName, '--table', table, '--cluster-cidr', clusterCIDR], /synced/);
  const after = await listed();
  assert.doesNotMatch(after, new RegExp(`${sticky.spec!.clusterIP!.replaceAll('.', '\\.')} `), 'the deleted service is gone after the re-sync');
  assert.match(after, new RegExp(web.spec!.clusterIP!.replaceAll('.', '\\.')));
  assert.equal((await curl(`http://${web.spec!.clusterIP}/`)).code, 0);
  cli.child.kill('SIGTERM');
  assert.equal((await cli.exited).code, 0);
  const clean = await startSkiff(['proxy', '--cleanup', '--table', table], /removed/);
  assert.equal((await clean.exited).code, 0);
  assert.notEqual((await runCommand('nft', ['list', 'table', 'ip', table])).code, 0, 'table removed');
});
