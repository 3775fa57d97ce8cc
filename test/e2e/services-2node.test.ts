// Services across two real nodes, driven by real kubectl. Each node is a network namespace of its own on a shared
// host bridge (so each kube-proxy owns the nftables of its own host, default table name and all, and two proxies on
// this machine never meet): node A runs `skiff server` (API, controllers, kubelet, kube-proxy and the cluster DNS
// publishing itself behind kube-dns), node B runs `skiff agent` (kubelet and kube-proxy, joined with the node
// token); the kubernetes Service reaches the API from node B. A Deployment of 3 busybox httpds serving their hostname is exposed; a client pod on the other node reaches
// it by name (full and short) and its requests spread over the three backends; NodePort answers on both nodes'
// addresses; a LoadBalancer gets the nodes' addresses as ingress and answers there; a headless Service resolves to
// the pod IPs and an SRV query answers the named port; `kubectl expose pod redis --port=6379 --name redis-service`
// works across nodes; a deleted backend leaves both nodes' rules within a second of its EndpointSlice update (the
// time is printed); restarting the agent (its kube-proxy with it) keeps NodePort traffic flowing, and its first
// sync removes a Service deleted while it was down; scaling to 0
// rejects and back to 3 answers from the new pods. One cluster is shared by the subtests. Everything is removed
// afterwards: sandboxes, processes by PID, containerds, CNI state, the namespaces (with their nftables tables and
// routes), the veths and the bridge, temp dirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { mountsUnder } from '../../src/node/cri/containerd.ts';
import { buildTestImageArchive, busyboxImage } from '../../src/node/images/busybox.ts';
import { type RunResult, type SkiffProcess, runFile, skiffBin, startSkiff } from '../support/process.ts';
import { kubectlBinary } from '../support/server.ts';
import { createLink, joinLink, stopServerAndAgent, type NodeLink, type NodeNamespace } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';
import { nftMonitor, type NftMonitor } from '../support/nft-monitor.ts';

const podsRef = resourceRef('v1', 'pods');
const nodesRef = resourceRef('v1', 'nodes', false);
const servicesRef = resourceRef('v1', 'services');
const slicesRef = resourceRef('discovery.k8s.io/v1', 'endpointslices');
/** The table kube-proxy programs by default: each node's is in its own namespace. */
const table = 'skiff-proxy';

const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/containerd') && existsSync('/bin/busybox') && existsSync('/usr/lib/cni/bridge')
  && existsSync('/usr/bin/nsenter') && existsSync('/usr/sbin/nft');

/** One GET on a connection of its own (a kept-alive one sticks to one backend): "<status> <body>" or the error code. */
function httpText(url: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const req = httpGet(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${body.trim()}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

const ready = (n: Node | undefined): boolean => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
/** Serves its hostname on 8080; exits at once on SIGTERM (httpd as PID 1 would ignore it and sit out the grace period). */
const webScript = "hostname > /www/index.html && httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait";
const podReady = (p: Pod): boolean => !p.metadata?.deletionTimestamp && !!p.status?.podIP && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

describe('Services on two nodes (server + agent, each with kubelet and kube-proxy)', { skip: runnable ? false : 'needs root, containerd, busybox-static, CNI plugins, nsenter and nft' }, () => {
  const suffix = randomBytes(2).toString('hex');
  const nodeA = `svc2-a-${suffix}`;
  const nodeB = `svc2-b-${suffix}`;
  const rnd = randomBytes(2);
  const clusterCidr = `10.${150 + (rnd[0] % 50)}.0.0/16`;
  // agent.test.ts links its namespace on 172.30.x: another /16, so concurrent runs cannot clash
  const linkNet = `172.28.${rnd[1]}`;
  const root = mkdtempSync(join(tmpdir(), 'skiff-svc2-'));
  const serverDir = join(root, 'server');
  const agentDir = join(root, 'agent');
  let link: NodeLink | undefined;
  let nsA: NodeNamespace | undefined;
  let nsB: NodeNamespace | undefined;
  let server: SkiffProcess | undefined;
  let agent: SkiffProcess | undefined;
  let client: RestClient | undefined;
  let url = '';
  let kubeconfig = '';
  let token = '';

  const api = (): RestClient => client!;
  const A = (): NodeNamespace => nsA!;
  const B = (): NodeNamespace => nsB!;
  const nsOf = (node: string): NodeNamespace => (node === nodeA ? A() : B());
  const other = (node: string): string => (node === nodeA ? nodeB : nodeA);
  const inNode = (ns: NodeNamespace, argv: string[]): Promise<RunResult> => runFile(ns.wrap[0], [...ns.wrap.slice(1), ...argv]);
  /** This node's kube-proxy rules (its namespace's table). */
  const rules = async (ns: NodeNamespace): Promise<string> => {
    const r = await inNode(ns, ['nft', 'list', 'table', 'ip', table]);
    assert.equal(r.code, 0, `nft list table in ${ns.name}: ${r.stderr}`);
    return r.stdout;
  };
  /** Whether this node's map `map` has an element for `key` ("ip . proto . port"). */
  const inMap = async (ns: NodeNamespace, map: string, key: string): Promise<boolean> => {
    const r = await inNode(ns, ['nft', 'list', 'map', 'ip', table, map]);
    assert.equal(r.code, 0, `nft list map ${map} in ${ns.name}: ${r.stderr}`);
    return r.stdout.includes(`${key} :`);
  };
  /** Waits until this node's rules send Service `svc` (default namespace, unnamed TCP port) to every given pod's 8080:
   *  each endpoint has a chain named <hash>-<ns>/<svc>/<proto>/<port name>__<ip>/<port>, as upstream's. */
  const endpointsLive = (ns: NodeNamespace, svc: string, pods: Pod[]): Promise<true> => waitFor(`${pods.length} endpoints of ${svc} live in ${ns.name}`, async () => {
    const t = await rules(ns);
    return pods.every((p) => t.includes(`-default/${svc}/tcp/__${p.status!.podIP}/8080`));
  }, 30_000, 100);
  const kubectl = async (args: string[]): Promise<string> => {
    const r = await runFile(kubectlBinary(), ['--kubeconfig', kubeconfig, '--cache-dir', join(root, 'kubectl-cache'), ...args], { ...process.env, HOME: root });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const apply = (name: string, obj: object): Promise<string> => {
    const path = join(root, `${name}.json`);
    writeFileSync(path, JSON.stringify(obj));
    return kubectl(['apply', '-f', path]);
  };
  const startAgent = (): Promise<SkiffProcess> => startSkiff([
    'agent', '--server', url, '--token', token, '--node-name', nodeB, '--data-dir', agentDir, '--node-ip', B().nodeIP,
    '--cni-bridge', `s2b${suffix}`, '--cluster-cidr', clusterCidr,
  ], /kubelet: node \S+ running/, 90_000, B().wrap);

  const webPods = async (): Promise<Pod[]> => (await api().list<Pod>(podsRef, { namespace: 'default', labelSelector: 'app=web' })).items;
  const service = (name: string): Promise<Service> => api().get<Service>(servicesRef, name, { namespace: 'default' });

  /** The web pods once `count` of them are Ready and each serves its hostname on 8080 (checked from node A). */
  const servingWebPods = (count: number): Promise<Pod[]> => waitFor(`${count} web pods serving`, async () => {
    const ps = (await webPods()).filter(podReady);
    if (ps.length !== count) return undefined;
    for (const p of ps) {
      const r = await inNode(A(), ['timeout', '3', '/bin/busybox', 'wget', '-qO-', `http://${p.status!.podIP}:8080/`]);
      if (r.stdout.trim() !== p.metadata!.name) return undefined;
    }
    return ps;
  }, 120_000, 250);

  /** Runs `script` in a busybox pod on `node` (restartPolicy Never) to its end: its phase and `kubectl logs`. */
  const runClient = async (name: string, node: string, script: string): Promise<{ phase: string; log: string }> => {
    await apply(name, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
      spec: {
        nodeName: node, restartPolicy: 'Never', terminationGracePeriodSeconds: 0,
        containers: [{ name: 'c', image: busyboxImage, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', script] }],
      },
    });
    const done = await waitFor(`${name} finished`, async () => {
      const p = await api().get<Pod>(podsRef, name, { namespace: 'default' });
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 90_000, 250);
    return { phase: done.status!.phase!, log: await kubectl(['logs', name]) };
  };

  /** GETs `url` until every name in `want` has answered (at most `tries` requests); the names seen. */
  const spread = async (target: string, want: string[], tries = 60): Promise<Set<string>> => {
    const seen = new Set<string>();
    for (let i = 0; i < tries && seen.size < want.length; i++) {
      const a = await httpText(target);
      assert.match(a, /^200 /, `${target}: ${a}`);
      seen.add(a.slice(4));
    }
    return seen;
  };

  before(async () => {
    link = createLink(`s2l${suffix}`, linkNet);
    nsA = joinLink(link, `skiff-svc2-a-${suffix}`, 2, `s2l${suffix}a`);
    nsB = joinLink(link, `skiff-svc2-b-${suffix}`, 3, `s2l${suffix}b`);
    // in node A's namespace the well-known ports (6443, 53, 10250, 10257, 10259) are free for this server alone
    server = await startSkiff([
      'server', '--data-dir', serverDir, '--bind-address', A().nodeIP, '--node-name', nodeA, '--node-ip', A().nodeIP,
      '--cni-bridge', `s2a${suffix}`, '--cluster-cidr', clusterCidr,
    ], /API server listening/, 120_000, A().wrap);
    url = `https://${A().nodeIP}:6443`;
    kubeconfig = join(serverDir, 'server', 'cred', 'admin.kubeconfig');
    client = RestClient.fromKubeconfig(kubeconfig, { userAgent: 'services-2node-test', qps: 0 });
    token = readFileSync(join(serverDir, 'server', 'node-token'), 'utf8').trim();
    const archive = join(root, 'busybox.tar');
    writeFileSync(archive, buildTestImageArchive());
    const imported = await runFile(process.execPath, [skiffBin, 'image', 'import', '--data-dir', serverDir, archive]);
    assert.equal(imported.code, 0, imported.stderr);
    agent = await startAgent();
    const importedB = await runFile(process.execPath, [skiffBin, 'image', 'import', '--data-dir', agentDir, archive]);
    assert.equal(importedB.code, 0, importedB.stderr);
    for (const n of [nodeA, nodeB]) await waitFor(`${n} Ready`, async () => ready(await api().get<Node>(nodesRef, n)), 90_000, 250);
  });

  after(async () => {
    await stopServerAndAgent({ client, server, agent, serverDir, agentDir, serverBridge: `s2a${suffix}`, agentBridge: `s2b${suffix}` });
    // the namespaces take their nftables tables, routes and pod bridges with them
    nsB?.destroy();
    nsA?.destroy();
    link?.destroy();
    // never delete under live container mounts (that would delete the containers' files)
    assert.deepEqual(mountsUnder(root), []);
    rmSync(root, { recursive: true, force: true });
  });

  test('each node runs kube-proxy on its own host; the agent\'s as system:kube-proxy, and no DNS of its own', async () => {
    assert.match(server!.output(), /kube-proxy running in worker thread \d+/);
    assert.match(server!.output(), /dns running in worker thread \d+/);
    assert.match(agent!.output(), /kube-proxy running in worker thread \d+/);
    // the agent hosts no DNS: pods there reach the server's through the kube-dns Service
    assert.doesNotMatch(agent!.output(), /\bdns running/);
    const crt = new X509Certificate(readFileSync(join(agentDir, 'agent', 'client-kube-proxy.crt'), 'utf8'));
    assert.equal(crt.subject, 'CN=system:kube-proxy');
    // each node's kube-proxy shows in kube-system as a mirror pod of its node, Running and ready
    for (const n of [nodeA, nodeB]) {
      const pod = await waitFor(`kube-proxy-${n} Running`, async () => {
        const p = await api().get<Pod>(podsRef, `kube-proxy-${n}`, { namespace: 'kube-system' }).catch(() => undefined);
        return p?.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
      }, 30_000, 200);
      assert.equal(pod.spec?.nodeName, n);
      assert.ok(pod.metadata?.annotations?.['kubernetes.io/config.mirror'], 'a mirror pod');
    }
    // both tables hold the kubernetes Service and, once the server's DNS has published itself, kube-dns
    for (const ns of [A(), B()]) {
      await waitFor(`kube-dns programmed in ${ns.name}`, async () => (await inMap(ns, 'service-ips', '10.43.0.1 . tcp . 443')) && (await inMap(ns, 'service-ips', '10.43.0.10 . udp . 53')), 60_000, 200)
        .catch(async (err: Error) => assert.fail(`${err.message}\n${await rules(ns)}`));
    }
    // the kubernetes Service leads to the API server from the agent's node too (kubectl checks the 10.43.0.1 SAN)
    const viaService = await inNode(B(), [kubectlBinary(), '--kubeconfig', kubeconfig, '--cache-dir', join(root, 'kubectl-cache-b'), '--server', 'https://10.43.0.1', 'get', 'node', nodeA, '-o', 'name']);
    assert.equal(viaService.code, 0, viaService.stderr);
    assert.equal(viaService.stdout.trim(), `node/${nodeA}`);
  });

  let clientNode = nodeB;
  let names: string[] = [];

  test('kubectl create deployment + expose: a client pod on the other node reaches web by name, spread over the 3 backends', async () => {
    await kubectl(['create', 'deployment', 'web', `--image=${busyboxImage}`, '--replicas=3', '--', 'sh', '-c', webScript]);
    await kubectl(['expose', 'deployment', 'web', '--port=80', '--target-port=8080']);
    const pods = await servingWebPods(3);
    names = pods.map((p) => p.metadata!.name!).sort();
    const on = (n: string): number => pods.filter((p) => p.spec?.nodeName === n).length;
    // the client goes where it reaches at least one backend across the link (B unless all three run there)
    clientNode = on(nodeB) === 3 ? nodeA : nodeB;
    console.log(`# web backends: ${on(nodeA)} on ${nodeA}, ${on(nodeB)} on ${nodeB}; client on ${clientNode}`);
    const ip = (await service('web')).spec!.clusterIP!;
    await waitFor('web programmed on the client node', () => inMap(nsOf(clientNode), 'service-ips', `${ip} . tcp . 80`), 30_000, 100);
    await endpointsLive(nsOf(clientNode), 'web', pods);
    const rounds = 15;
    const r = await runClient('client', clientNode, `for i in $(seq ${rounds}); do wget -qO- http://web.default.svc.cluster.local || exit 1; wget -qO- http://web || exit 2; done`);
    assert.equal(r.phase, 'Succeeded', `client: ${r.log}`);
    const answers = r.log.split('\n').filter(Boolean);
    assert.equal(answers.length, 2 * rounds, r.log);
    const seen = new Map<string, number>();
    for (const a of answers) seen.set(a, (seen.get(a) ?? 0) + 1);
    console.log(`# ${answers.length} requests by name from ${clientNode}: ${JSON.stringify(Object.fromEntries(seen))}`);
    assert.deepEqual([...seen.keys()].sort(), names);
  });

  let nodePort = 0;

  test('kubectl expose --type=NodePort answers on every node\'s address, over all backends', async () => {
    await kubectl(['expose', 'deployment', 'web', '--name=web-np', '--type=NodePort', '--port=80', '--target-port=8080']);
    nodePort = (await service('web-np')).spec!.ports![0].nodePort!;
    assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
    const pods = (await webPods()).filter(podReady);
    for (const ns of [A(), B()]) {
      const target = `http://${ns.nodeIP}:${nodePort}/`;
      await endpointsLive(ns, 'web-np', pods);
      await waitFor(`NodePort on ${ns.nodeIP}`, async () => (await httpText(target)).startsWith('200 '), 30_000, 100);
      assert.deepEqual([...await spread(target, names)].sort(), names, target);
    }
  });

  test('kubectl expose --type=LoadBalancer gets the nodes\' addresses as ingress, and each answers', async () => {
    await kubectl(['expose', 'deployment', 'web', '--name=web-lb', '--type=LoadBalancer', '--port=80', '--target-port=8080']);
    const ingress = await waitFor('web-lb ingress', async () => {
      const ips = (await service('web-lb')).status?.loadBalancer?.ingress?.map((i) => i.ip!) ?? [];
      return ips.length === 2 ? ips.sort() : undefined;
    }, 30_000, 100);
    assert.deepEqual(ingress, [A().nodeIP, B().nodeIP].sort());
    const out = await kubectl(['get', 'service', 'web-lb']);
    assert.match(out, new RegExp(`\\nweb-lb\\s+LoadBalancer\\s+\\S+\\s+${ingress.join(',').replace(/\./g, '\\.')}\\s+80:\\d+/TCP`));
    for (const ip of ingress) {
      await waitFor(`LoadBalancer ingress ${ip}:80`, async () => (await httpText(`http://${ip}/`)).startsWith('200 web-'), 30_000, 100);
    }
  });

  test('a headless service resolves to the pod IPs and SRV answers a named port, from the other node', async () => {
    await kubectl(['expose', 'deployment', 'web', '--name=web-headless', '--cluster-ip=None', '--port=80', '--target-port=8080']);
    await apply('web-named', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-named', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    const ips = (await webPods()).filter(podReady).map((p) => p.status!.podIP!).sort();
    assert.equal(ips.length, 3);
    // the headless answers come from the EndpointSlice: wait until it lists all three before asking
    await waitFor('web-headless endpoints', async () => {
      const slices = (await api().list<EndpointSlice>(slicesRef, { namespace: 'default', labelSelector: 'kubernetes.io/service-name=web-headless' })).items;
      return slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length === 3;
    }, 30_000, 100);
    const r = await runClient('lookup', clientNode,
      'nslookup -type=a web-headless.default.svc.cluster.local && echo @@ && nslookup -type=srv _http._tcp.web-named.default.svc.cluster.local');
    assert.equal(r.phase, 'Succeeded', r.log);
    const [a, srv] = r.log.split('@@');
    assert.deepEqual([...a.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]).sort(), ips, r.log);
    assert.match(srv, /_http\._tcp\.web-named\.default\.svc\.cluster\.local\s+service = 0 \d+ 80 web-named\.default\.svc\.cluster\.local/, r.log);
  });

  test("kubectl expose pod redis --port=6379 --name redis-service (the seed's command) works across nodes", async () => {
    await kubectl(['run', 'redis', `--image=${busyboxImage}`, '--image-pull-policy=IfNotPresent', '--', 'nc', '-ll', '-p', '6379', '-e', 'echo', '+PONG']);
    const redis = await waitFor('redis Ready', async () => {
      const p = await api().get<Pod>(podsRef, 'redis', { namespace: 'default' });
      return podReady(p) ? p : undefined;
    }, 60_000, 250);
    await kubectl(['expose', 'pod', 'redis', '--port=6379', '--name', 'redis-service']);
    const ip = (await service('redis-service')).spec!.clusterIP!;
    const from = other(redis.spec!.nodeName!);
    await waitFor('redis-service programmed', () => inMap(nsOf(from), 'service-ips', `${ip} . tcp . 6379`), 30_000, 100);
    const r = await runClient('redis-client', from, 'nc redis-service 6379 && nc redis-service.default.svc.cluster.local 6379');
    assert.equal(r.phase, 'Succeeded', r.log);
    assert.equal(r.log.trim(), '+PONG\n+PONG');
  });

  test('a deleted backend leaves both nodes\' rules within a second of its EndpointSlice update', async () => {
    const victim = (await webPods()).filter(podReady).find((p) => p.spec?.nodeName === nodeA) ?? (await webPods()).filter(podReady)[0];
    const ip = victim.status!.podIP!;
    const dnat = `dnat to ${ip}:8080`;
    // the web Service's endpoint chain for it (upstream-style name: <hash>-<ns>/<svc>/<proto>/<port name>__<ip>/<port>)
    const webChain = `-default/web/tcp/__${ip}/8080`;
    for (const ns of [A(), B()]) assert.ok((await rules(ns)).includes(webChain), `${ip} not programmed for web in ${ns.name}`);
    const list = await api().list<EndpointSlice>(slicesRef, { namespace: 'default', labelSelector: 'kubernetes.io/service-name=web' });
    const ac = new AbortController();
    // when the slice stops listing the victim as ready, as the test's own watch sees it
    const sliceUpdated = (async (): Promise<number> => {
      for await (const ev of api().watch<EndpointSlice>(slicesRef, {
        namespace: 'default', labelSelector: 'kubernetes.io/service-name=web', resourceVersion: list.metadata?.resourceVersion, signal: ac.signal,
      })) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
        const ep = ev.object.endpoints?.find((e) => e.addresses.includes(ip));
        if (!ep || ep.conditions?.ready !== true) return Date.now();
      }
      throw new Error('the EndpointSlice watch ended');
    })();
    // when each node's kernel commits the transaction that drops it, as `nft monitor` there reports it
    const monitors = await Promise.all([A(), B()].map((ns) => nftMonitor(ns, `svc2probe${suffix}`)));
    const timer = setTimeout(() => ac.abort(), 30_000);
    try {
      await kubectl(['delete', 'pod', victim.metadata!.name!, '--grace-period=1', '--wait=false']);
      const dropped = (m: NftMonitor): Promise<number> => m.next((line) => line.startsWith('delete ') && line.includes(webChain), ac.signal);
      const [updated, goneA, goneB] = await Promise.all([sliceUpdated, dropped(monitors[0]), dropped(monitors[1])]);
      console.log(`# endpoint ${ip} removed: rule gone ${goneA - updated} ms (node A), ${goneB - updated} ms (node B) after the EndpointSlice update`);
      assert.ok(goneA - updated < 1000 && goneB - updated < 1000, `${goneA - updated} ms, ${goneB - updated} ms`);
    } finally {
      clearTimeout(timer);
      ac.abort();
      for (const m of monitors) await m.stop();
    }
    for (const ns of [A(), B()]) assert.ok(!(await rules(ns)).includes(webChain), `${ip} still programmed for web in ${ns.name}`);
    // the other Services over the same pods (web-np, web-named …) follow as their own slices are updated
    for (const ns of [A(), B()]) await waitFor(`${ip} gone from every service in ${ns.name}`, async () => !(await rules(ns)).includes(dnat), 10_000, 100);
    // and no request reaches it any more, while its container may still be running out its grace period
    for (let i = 0; i < 20; i++) assert.notEqual(await httpText(`http://${B().nodeIP}:${nodePort}/`), `200 ${victim.metadata!.name}`);
  });

  test('restarting the agent\'s kube-proxy (with the agent) keeps NodePort traffic on that node flowing and drops a Service deleted meanwhile', async () => {
    await servingWebPods(3);
    const target = `http://${B().nodeIP}:${nodePort}/`;
    let stop = false;
    const answers: string[] = [];
    const traffic = (async () => {
      while (!stop) answers.push(await httpText(target, 2000));
    })();
    try {
      const old = agent!;
      old.child.kill('SIGTERM');
      assert.deepEqual(await old.exited, { code: 0, signal: null });
      agent = undefined;
      // a Service deleted while node B's kube-proxy is down: only the new one's full sync can remove its rules
      const lbIP = (await service('web-lb')).spec!.clusterIP!;
      assert.ok(await inMap(B(), 'service-ips', `${lbIP} . tcp . 80`));
      await kubectl(['delete', 'service', 'web-lb']);
      agent = await startAgent();
      assert.match(agent.output(), /kube-proxy running in worker thread \d+/);
      // start() resolved after that first full sync was in the kernel
      assert.equal(await inMap(B(), 'service-ips', `${lbIP} . tcp . 80`), false);
      assert.equal(await inMap(B(), 'service-ips', `${B().nodeIP} . tcp . 80`), false);
      // a few requests after the new proxy's first full sync replaced the table
      const n = answers.length;
      await waitFor('requests after the restart', () => answers.length >= n + 10, 30_000, 50);
    } finally {
      stop = true;
      await traffic;
    }
    const failed = answers.filter((a) => !a.startsWith('200 web-'));
    console.log(`# ${answers.length} NodePort requests on ${B().nodeIP} across the agent restart, ${failed.length} failed`);
    assert.ok(answers.length >= 20, String(answers.length));
    assert.deepEqual(failed, []);
  });

  test('scaling to 0 makes the services refuse on both nodes; back to 3, they answer from the new pods', async () => {
    const ip = (await service('web')).spec!.clusterIP!;
    await kubectl(['scale', 'deployment', 'web', '--replicas=0']);
    for (const ns of [A(), B()]) {
      await waitFor(`web rejected in ${ns.name}`, () => inMap(ns, 'no-endpoint-services', `${ip} . tcp . 80`), 60_000, 100);
      await waitFor(`NodePort refuses on ${ns.nodeIP}`, async () => (await httpText(`http://${ns.nodeIP}:${nodePort}/`)) === 'ECONNREFUSED', 30_000, 100);
    }
    await kubectl(['scale', 'deployment', 'web', '--replicas=3']);
    const freshPods = await servingWebPods(3);
    const fresh = freshPods.map((p) => p.metadata!.name!).sort();
    assert.equal(fresh.filter((n) => names.includes(n)).length, 0);
    for (const ns of [A(), B()]) {
      const target = `http://${ns.nodeIP}:${nodePort}/`;
      await endpointsLive(ns, 'web-np', freshPods);
      await waitFor(`NodePort on ${ns.nodeIP} answers again`, async () => (await httpText(target)).startsWith('200 '), 30_000, 100);
      assert.deepEqual([...await spread(target, fresh)].sort(), fresh, target);
    }
  });
});
