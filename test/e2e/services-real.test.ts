// Services for real pods on one node: a Skiff API server with the controllers a Deployment and its Service need,
// the scheduler, `skiff kubelet` (its own containerd, a CNI bridge per run), `skiff proxy` (nftables, a table per
// run) and `skiff dns` on the node address publishing itself behind the kube-dns Service (the run's cluster DNS IP:
// Service CIDR, NodePorts and pod CIDRs are the run's own, see test/support/isolation.ts), all driven by
// real kubectl. Pods get resolv.conf per dnsPolicy (a trimmed one is a DNSConfigForming event). Client pods
// (busybox, restartPolicy Never) reach `web` by name through cluster DNS and the
// ClusterIP, and the answers (each backend serves its own hostname) spread over the three backends; NodePort
// answers from the host; `kubectl expose pod` works; a headless Service resolves to the pod IPs; scaling to 0
// and back updates the rules. Everything is removed afterwards: processes by PID, the nft table, the bridge, CNI
// cache entries, containers and the temp dirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import type { Event, Pod, Service } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { runCommand } from '../../src/node/proxy/nft.ts';
import { type KubeletNode, busyboxImage, nodeRunnable } from '../support/kubelet-node.ts';
import { NodeHarness } from '../support/node-harness.ts';
import { waitFor } from '../support/wait.ts';

const podsRef = resourceRef('v1', 'pods');
const servicesRef = resourceRef('v1', 'services');
const eventsRef = resourceRef('v1', 'events');

/** One GET from the host on a connection of its own (a kept-alive one would stick to the first backend it
 *  reached); "<status> <body>" or the error's code (ECONNREFUSED …). */
function httpText(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = httpGet(url, { timeout: 3000, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${body.trim()}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('Services for real pods (kubelet + kube-proxy + cluster DNS)', { skip: nodeRunnable ? false : 'needs root, containerd, busybox-static and CNI plugins' }, () => {
  // this run's pod and Service CIDRs, cluster DNS IP, NodePort range and names (test/support/isolation.ts); the
  // cluster is test/support/node-harness.ts
  const h = new NodeHarness({
    nodePrefix: 'svc-e2e-', tablePrefix: 'skiff-svc', bridgePrefix: 'sks', userAgent: 'services-real-test',
    controllers: ['node-ipam', 'deployment', 'replicaset', 'endpointslice'],
  });
  const { nodeIP } = h;
  let table = '';
  let clusterDNSIP = '';
  let client: RestClient;
  let node: KubeletNode;
  const kubectl = (args: string[], stdin?: object): Promise<string> => h.kubectl(args, stdin);

  const pod = (name: string) => client.get<Pod>(podsRef, name, { namespace: 'default' });
  const webPods = async () => (await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: 'app=web' })).items;

  /** Runs `script` in a busybox client pod (restartPolicy Never) to the end; its phase and what it printed.
   *  (busybox-static 1.35's `wget -T` segfaults: the waits here bound the time instead.) */
  async function runClient(name: string, script: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Promise<{ phase: string; log: string; pod: Pod }> {
    const manifest: Pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: busyboxImage, command: ['sh', '-c', script] }], ...spec },
    };
    await kubectl(['apply', '-f', '-'], manifest);
    const done = await waitFor(`${name} finished`, async () => {
      const p = await pod(name);
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 120_000);
    return { phase: done.status!.phase!, log: node.containerLog(done, 'c'), pod: done };
  }

  /** Waits until the proxy has programmed ip:port (TCP) into `map`: before that, a packet to a cluster IP would
   *  leave the machine by the default route. */
  async function ruleFor(ip: string, port: number, map = 'service-ips'): Promise<void> {
    await waitFor(`${ip}:${port} in ${map}`, async () => {
      const r = await runCommand('nft', ['list', 'map', 'ip', table, map]);
      return r.stdout.includes(`${ip} . tcp . ${port} :`);
    });
  }

  before(async () => {
    await h.start();
    ({ table, clusterDNSIP, client, node } = h);
  });

  after(() => h.stop());

  let webIP = '';

  test('a ClusterFirst pod gets the cluster DNS resolv.conf', async () => {
    const r = await runClient('resolv', 'cat /etc/resolv.conf');
    assert.equal(r.phase, 'Succeeded', r.log);
    assert.match(r.log, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\b/m);
    assert.match(r.log, new RegExp(`^nameserver ${clusterDNSIP.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(r.log, /^options ndots:5$/m);
  });

  test('a dnsConfig over the resolver limits is trimmed and reported as a DNSConfigForming event', async () => {
    const r = await runClient('trimmed', 'cat /etc/resolv.conf', { dnsConfig: { nameservers: ['192.0.2.101', '192.0.2.102', '192.0.2.103'] } });
    assert.equal(r.phase, 'Succeeded', r.log);
    assert.deepEqual([...r.log.matchAll(/^nameserver (\S+)$/gm)].map((m) => m[1]), [clusterDNSIP, '192.0.2.101', '192.0.2.102']);
    const ev = await waitFor('DNSConfigForming event', async () => (await client.list<Event>(eventsRef, { namespace: 'default' })).items
      .find((e) => e.involvedObject.name === 'trimmed' && e.reason === 'DNSConfigForming'));
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${clusterDNSIP} 192.0.2.101 192.0.2.102`);
  });

  test('kubectl create deployment + expose: a client pod reaches web by name, spread over the 3 backends', async () => {
    await kubectl(['create', 'deployment', 'web', `--image=${busyboxImage}`, '--replicas=3', '--', 'sh', '-c', 'hostname > /www/index.html && exec httpd -f -p 8080 -h /www']);
    await kubectl(['expose', 'deployment', 'web', '--port=80', '--target-port=8080']);
    const pods = await waitFor('3 web pods serving', async () => {
      const ps = (await webPods()).filter((p) => p.status?.phase === 'Running' && p.status.podIP && !p.metadata?.deletionTimestamp);
      if (ps.length !== 3) return undefined;
      for (const p of ps) if (!(await httpText(`http://${p.status!.podIP}:8080/`)).startsWith('200 ')) return undefined;
      return ps;
    }, 120_000);
    const names = pods.map((p) => p.metadata!.name!).sort();
    const svc = await client.get<Service>(servicesRef, 'web', { namespace: 'default' });
    webIP = svc.spec!.clusterIP!;
    await ruleFor(webIP, 80);
    // the host reaches the ClusterIP once the proxy has the three endpoints
    await waitFor('ClusterIP answers from the host', async () => (await httpText(`http://${webIP}/`)).startsWith('200 '));
    const rounds = 15;
    const r = await runClient('client', `for i in $(seq ${rounds}); do wget -qO- http://web.default.svc.cluster.local || exit 1; wget -qO- http://web || exit 2; done`);
    assert.equal(r.phase, 'Succeeded', `client: ${r.log}`);
    const answers = r.log.split('\n').filter(Boolean);
    assert.equal(answers.length, 2 * rounds, r.log);
    const seen = new Map<string, number>();
    for (const a of answers) seen.set(a, (seen.get(a) ?? 0) + 1);
    console.log(`# ${answers.length} requests through web's ClusterIP by name: ${JSON.stringify(Object.fromEntries(seen))}`);
    assert.deepEqual([...seen.keys()].sort(), names);
  });

  test('kubectl expose --type=NodePort answers on the node address from the host', async () => {
    await kubectl(['expose', 'deployment', 'web', '--name=web-np', '--type=NodePort', '--port=80', '--target-port=8080']);
    const np = (await client.get<Service>(servicesRef, 'web-np', { namespace: 'default' })).spec!.ports![0].nodePort!;
    assert.ok(np >= 30000 && np <= 32767, String(np));
    await waitFor('NodePort answers', async () => (await httpText(`http://${nodeIP}:${np}/`)).startsWith('200 '));
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const a = await httpText(`http://${nodeIP}:${np}/`);
      assert.match(a, /^200 web-/);
      seen.add(a);
    }
    console.log(`# NodePort ${nodeIP}:${np}: 30 requests, ${seen.size} backends`);
    assert.equal(seen.size, 3);
  });

  test("kubectl expose pod redis --port=6379 --name redis-service (the seed's command) gives a working service", async () => {
    await kubectl(['run', 'redis', `--image=${busyboxImage}`, '--', 'sh', '-c', 'echo redis > /www/index.html && exec httpd -f -p 6379 -h /www']);
    await waitFor('redis Running', async () => (await pod('redis')).status?.containerStatuses?.[0]?.ready);
    await kubectl(['expose', 'pod', 'redis', '--port=6379', '--name', 'redis-service']);
    const ip = (await client.get<Service>(servicesRef, 'redis-service', { namespace: 'default' })).spec!.clusterIP!;
    await ruleFor(ip, 6379);
    assert.equal(await waitFor('redis-service answers from the host', async () => {
      const a = await httpText(`http://${ip}:6379/`);
      return a.startsWith('200 ') && a;
    }), '200 redis');
    const r = await runClient('redis-client', 'wget -qO- http://redis-service:6379 && wget -qO- http://redis-service.default.svc.cluster.local:6379');
    assert.equal(r.phase, 'Succeeded', r.log);
    assert.equal(r.log, 'redis\nredis');
  });

  test('a headless service resolves to the pod IPs', async () => {
    await kubectl(['expose', 'deployment', 'web', '--name=web-headless', '--cluster-ip=None', '--port=80', '--target-port=8080']);
    const ips = (await webPods()).filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.status!.podIP!).sort();
    assert.equal(ips.length, 3);
    const r = await runClient('lookup', 'nslookup -type=a web-headless.default.svc.cluster.local');
    assert.equal(r.phase, 'Succeeded', r.log);
    const answered = [...r.log.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(answered, ips, r.log);
  });

  test('scaling to 0 makes the ClusterIP refuse; scaling back to 3 makes it answer from the new pods', async () => {
    await kubectl(['scale', 'deployment', 'web', '--replicas=0']);
    await waitFor('web pods gone', async () => (await webPods()).length === 0);
    // no endpoints: the proxy rejects (connection refused at once), as upstream does
    await ruleFor(webIP, 80, 'no-endpoint-services');
    await waitFor('ClusterIP refuses', async () => (await httpText(`http://${webIP}/`)) === 'ECONNREFUSED');
    await kubectl(['scale', 'deployment', 'web', '--replicas=3']);
    const pods = await waitFor('3 new web pods Ready', async () => {
      const ps = (await webPods()).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ps.length === 3 ? ps : undefined;
    }, 120_000);
    const names = new Set(pods.map((p) => p.metadata!.name!));
    await ruleFor(webIP, 80);
    const seen = new Set<string>();
    await waitFor('all three new backends answer through the ClusterIP', async () => {
      const a = await httpText(`http://${webIP}/`);
      if (a.startsWith('200 ')) seen.add(a.slice(4));
      return seen.size === 3;
    }, 30_000, 20);
    assert.deepEqual([...seen].sort(), [...names].sort());
  });

  test('no DNSConfigForming warnings for the other pods (nothing was trimmed)', async () => {
    const evs = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.filter((e) => e.reason === 'DNSConfigForming' && e.involvedObject.name !== 'trimmed');
    assert.deepEqual(evs.map((e) => e.message), []);
  });
});
