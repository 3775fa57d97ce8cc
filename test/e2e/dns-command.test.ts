// `skiff dns` as its own process, and as a component `skiff server` hosts in a worker thread, against a real API server: it answers for the bootstrapped `kubernetes` Service,
// publishes itself as the kube-dns endpoint while it runs, and removes that EndpointSlice when SIGTERM stops it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import * as packet from 'dns-packet';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RestClient } from '../../src/client/rest.ts';
import { isNotFound } from '../../src/client/errors.ts';
import { endpointSlicesRef, servicesRef } from '../../src/node/dns/refs.ts';
import { kubeDnsService } from '../../src/control-plane/apiserver/bootstrap.ts';
import { HostedComponent } from '../../src/server/hosted-component.ts';
import type { ClusterDnsMainOptions } from '../../src/server/component-mains.ts';
import { startSkiff, type SkiffProcess } from '../support/process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const host = '127.0.0.9';
let s: TestServer;
let client: RestClient;
let dns: SkiffProcess | undefined;

before(async () => {
  s = await startTestServer();
  client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'dns-command-e2e', qps: 0 });
});

after(async () => {
  if (dns && dns.child.exitCode === null) {
    dns.child.kill('SIGKILL');
    await dns.exited;
  }
  client?.close();
  await s?.stop();
});

function queryA(port: number, name: string, at = host): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => (sock.close(), reject(new Error('no reply'))), 5000);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(packet.decode(m));
    });
    sock.send(packet.encode({ type: 'query', id: 7, questions: [{ name, type: 'A' }] }), port, at);
  });
}

test('skiff dns serves the cluster zone and publishes, then withdraws, its kube-dns endpoint', async () => {
  dns = await startSkiff([
    'dns', '--kubeconfig', s.kubeconfig, '--listen', `${host}:0`, '--upstream', '127.0.0.1:9', '--forward-timeout', '200',
    '--publish-address', host, '--node-name', 'node-a', '--metrics-listen', `${host}:0`,
  ], /skiff dns: serving cluster\.local on .*metrics at (\S+)\n/);
  const port = Number(/on [\d.]+:(\d+)/.exec(dns.output())![1]);
  const r = await queryA(port, 'kubernetes.default.svc.cluster.local');
  assert.deepEqual(r.answers!.map((a) => 'data' in a && a.data), ['10.43.0.1']);
  assert.equal((await queryA(port, 'nope.default.svc.cluster.local')).flags! & 15, 3);

  // CoreDNS's metric names, as dashboards for kube-dns expect them
  const metrics = await (await fetch(/metrics at (\S+)/.exec(dns.output())![1])).text();
  assert.match(metrics, /^coredns_dns_requests_total\{[^}]*proto="udp"[^}]*type="A"\} 2$/m);
  assert.match(metrics, /^coredns_dns_responses_total\{[^}]*zone="cluster\.local\."[^}]*rcode="NOERROR"[^}]*\} 1$/m);
  assert.match(metrics, /^coredns_dns_responses_total\{[^}]*rcode="NXDOMAIN"[^}]*\} 1$/m);

  const slice = await client.get<EndpointSlice>(endpointSlicesRef, 'kube-dns-node-a', { namespace: 'kube-system' });
  assert.equal(slice.metadata?.labels?.['kubernetes.io/service-name'], 'kube-dns');
  assert.deepEqual(slice.endpoints!.map((e) => e.addresses), [[host]]);
  assert.deepEqual(slice.ports!.map((p) => [p.name, p.protocol, p.port]), [['dns', 'UDP', port], ['dns-tcp', 'TCP', port]]);

  dns.child.kill('SIGTERM');
  assert.deepEqual(await dns.exited, { code: 0, signal: null });
  // the process deleted its slice before exiting
  await assert.rejects(client.get(endpointSlicesRef, 'kube-dns-node-a', { namespace: 'kube-system' }), (e) => isNotFound(e));
});

test('the hosted main (a worker thread, as skiff server would run it) serves and publishes, and stop() withdraws', async () => {
  const at = '127.0.0.10';
  const options: ClusterDnsMainOptions = {
    kubeconfig: s.kubeconfig, host: at, port: 0, clusterDomain: 'cluster.local', upstreams: ['127.0.0.1:9'], publish: { address: at, nodeName: 'hosted' },
  };
  const hosted = new HostedComponent({
    name: 'dns', module: new URL('../../src/server/component-mains.ts', import.meta.url).href, export: 'clusterDns', options, stopTimeoutMs: 5000, log: () => {},
  });
  await hosted.start();
  try {
    // ready() comes after the slice is written: it says where the server listens
    const slice = await client.get<EndpointSlice>(endpointSlicesRef, 'kube-dns-hosted', { namespace: 'kube-system' });
    const r = await queryA(slice.ports![0].port!, 'kubernetes.default.svc.cluster.local', at);
    assert.deepEqual(r.answers!.map((a) => 'data' in a && a.data), ['10.43.0.1']);
  } finally {
    await hosted.stop();
  }
  await assert.rejects(client.get(endpointSlicesRef, 'kube-dns-hosted', { namespace: 'kube-system' }), (e) => isNotFound(e));
});

test('the bootstrap kube-dns Service is accepted and reads as upstream\'s in kubectl', async () => {
  await client.create(servicesRef, kubeDnsService('10.43.0.10'));
  const out = await s.kubectl(['get', 'svc', '-n', 'kube-system', 'kube-dns', '--show-labels']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^kube-dns\s+ClusterIP\s+10\.43\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP\s+\S+\s+k8s-app=kube-dns,kubernetes\.io\/cluster-service=true,kubernetes\.io\/name=CoreDNS$/m);
});
