// Two real nodes, k3s's layout, driven by real kubectl: `skiff server` (a process, temp data dir, free port) runs
// its own kubelet (node A, role control-plane); a second host is simulated by a network namespace linked to a host
// bridge by a veth, where `skiff agent` joins with the server's node token (its own containerd, CNI bridge and
// data dir) — a wrong token is refused with a clear 401 and no certificate. Both nodes are Ready in `kubectl get
// nodes`; a Deployment of 3 spread over both runs, and a pod on each node fetches HTTP from a pod on the other by
// pod IP (host-gw routes), and an address no pod has does not answer. The server's kubelet, killed, is restarted
// and adopts containerd and its pods; a deleted Node is registered again by its running kubelet (and follows its
// new podCIDR); stopping the server leaves the containers running for the next server. Everything is cleaned up:
// sandboxes, processes by PID, containerds, bridges, the namespace, CNI results, temp dirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { mountsUnder } from '../../src/node/cri/containerd.ts';
import { buildTestImageArchive, busyboxImage } from '../../src/node/images/busybox.ts';
import { type RunResult, type SkiffProcess, freePort, runFile, skiffBin, startSkiff } from '../support/process.ts';
import { kubectlBinary } from '../support/server.ts';
import { createNodeNamespace, stopServerAndAgent, type NodeNamespace } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';
import { claimRun, serverRunFlags, type TestRun } from '../support/isolation.ts';

const podsRef = resourceRef('v1', 'pods');
const nodesRef = resourceRef('v1', 'nodes', false);

const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/containerd') && existsSync('/bin/busybox') && existsSync('/usr/lib/cni/bridge') && existsSync('/usr/bin/nsenter');

const ready = (n: Node | undefined): boolean => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

describe('skiff server with its kubelet and a joined agent', { skip: runnable ? false : 'needs root, containerd, busybox-static, CNI plugins and nsenter' }, () => {
  const suffix = randomBytes(2).toString('hex');
  const nodeA = `agent-e2e-a-${suffix}`;
  const nodeB = `agent-e2e-b-${suffix}`;
  // host bridges, the link /24 (where the server's node IP and its kubelet live) and the pod CIDRs are this run's
  // own (test/support/isolation.ts); bridgeB lives in the agent's namespace
  let testRun: TestRun;
  let bridgeA = '';
  const bridgeB = `skb${suffix}`;
  let linkBridge = '';
  let clusterCidr = '';
  const root = mkdtempSync(join(tmpdir(), 'skiff-agent-'));
  const serverDir = join(root, 'server');
  const agentDir = join(root, 'agent');
  let ns: NodeNamespace;
  let server: SkiffProcess | undefined;
  let agent: SkiffProcess | undefined;
  let client: RestClient;
  let url = '';
  let kubeconfig = '';
  const kubectl = (args: string[]): Promise<RunResult> =>
    runFile(kubectlBinary(), ['--kubeconfig', kubeconfig, '--cache-dir', join(root, 'kubectl-cache'), ...args], { ...process.env, HOME: root });
  let port = 0;
  const startServer = (): Promise<SkiffProcess> => startSkiff([
    'server', '--data-dir', serverDir, '--https-listen-port', String(port), '--bind-address', ns.hostIP,
    '--node-name', nodeA, '--node-ip', ns.hostIP, '--cni-bridge', bridgeA, ...serverRunFlags(testRun),
    // nodes, join and the pod network are under test here; kube-proxy and DNS have their own tests, and a host-wide
    // nftables table or port 53 would collide with them when files run in parallel
    '--disable-kube-proxy', '--disable', 'coredns',
  ], /API server listening/, 90_000);
  const skiffIn = (args: string[]): Promise<RunResult> => runFile(ns.wrap[0], [...ns.wrap.slice(1), process.execPath, skiffBin, ...args]);

  /** Runs a client pod on `node` that GETs http://<target>/ (Succeeded only if a 200 came back); waits for its end. */
  const fetchFrom = async (name: string, node: string, target: string): Promise<Pod> => {
    await client.create<Pod>(podsRef, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: {
        nodeName: node,
        restartPolicy: 'Never',
        // busybox-static's wget segfaults on these machines: an HTTP GET through nc, checked for a 200
        containers: [{
          name: 'get', image: busyboxImage, imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', `printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 ${target} 80 | grep -q '^HTTP/1.[01] 200'`],
        }],
      },
    }, { namespace: 'default' });
    return waitFor(`${name} finished`, async () => {
      const p = await client.get<Pod>(podsRef, name, { namespace: 'default' });
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 60_000, 250);
  };

  before(async () => {
    testRun = await claimRun();
    ({ clusterCidr } = testRun);
    bridgeA = testRun.name('ska');
    linkBridge = testRun.name('skl');
    ns = createNodeNamespace(testRun.name('skiff-agent-'), linkBridge, testRun.net(0));
    port = await freePort();
    server = await startServer();
    url = `https://${ns.hostIP}:${port}`;
    kubeconfig = join(serverDir, 'server', 'cred', 'admin.kubeconfig');
    client = RestClient.fromKubeconfig(kubeconfig, { userAgent: 'agent-test', qps: 0 });
    const archive = join(root, 'busybox.tar');
    writeFileSync(archive, buildTestImageArchive());
    const imported = await runFile(process.execPath, [skiffBin, 'image', 'import', '--data-dir', serverDir, archive]);
    assert.equal(imported.code, 0, imported.stderr);
  });

  after(async () => {
    await stopServerAndAgent({ client, server, agent, serverDir, agentDir, serverBridge: bridgeA, agentBridge: bridgeB });
    ns?.destroy();
    // never delete under live container mounts (that would delete the containers' files)
    assert.deepEqual(mountsUnder(root), []);
    rmSync(root, { recursive: true, force: true });
    await testRun?.release();
  });

  test('the server runs a kubelet for its own host: node Ready with the control-plane role', async () => {
    assert.match(server!.output(), new RegExp(`kubelet running for node ${nodeA}`));
    assert.match(server!.output(), /node token at \S+node-token/);
    await waitFor('node A Ready', async () => ready(await client.get<Node>(nodesRef, nodeA)), 60_000, 200);
    const r = await kubectl(['get', 'nodes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
    assert.match(r.stdout, new RegExp(`\\n${nodeA}\\s+Ready\\s+control-plane\\s+\\d+s\\s+v\\d+\\.\\d+\\.\\d+`));
    // the kubelet authenticates as its node
    const crt = readFileSync(join(serverDir, 'agent', 'client-kubelet.crt'), 'utf8');
    const { X509Certificate } = await import('node:crypto');
    assert.match(new X509Certificate(crt).subject, new RegExp(`O=system:nodes\\nCN=system:node:${nodeA}`));
  });

  test('a wrong join token is refused with a clear 401 and no certificate', async () => {
    const bad = join(root, 'bad-agent');
    const r = await skiffIn(['agent', '--server', url, '--token', 'not-the-token', '--node-name', 'intruder', '--data-dir', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused the join token \(401 Unauthorized: the join token is not valid for this server\)/);
    assert.equal(existsSync(join(bad, 'agent', 'client-kubelet.crt')), false);
    // a token whose CA hash is not this server's is refused before anything is sent
    const forged = `K10${'0'.repeat(64)}::server:whatever`;
    const f = await skiffIn(['agent', '--server', url, '--token', forged, '--node-name', 'intruder', '--data-dir', bad]);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /CA that does not match the token's hash/);
    await assert.rejects(client.get<Node>(nodesRef, 'intruder'), /not found/);
  });

  test('an agent in its own network namespace joins with the node token; kubectl get nodes shows both Ready', async () => {
    const token = readFileSync(join(serverDir, 'server', 'node-token'), 'utf8').trim();
    assert.match(token, /^K10[0-9a-f]{64}::server:\S+$/);
    agent = await startSkiff(['agent', '--server', url, '--token', token, '--node-name', nodeB, '--data-dir', agentDir, '--cni-bridge', bridgeB],
      /kubelet: node \S+ running/, 90_000, ns.wrap);
    assert.match(agent.output(), new RegExp(`joined ${url.replace(/[.]/g, '\\.')} as system:node:${nodeB}`));
    const archive = join(root, 'busybox.tar');
    const imported = await runFile(process.execPath, [skiffBin, 'image', 'import', '--data-dir', agentDir, archive]);
    assert.equal(imported.code, 0, imported.stderr);
    const b = await waitFor('node B Ready', async () => {
      const n = await client.get<Node>(nodesRef, nodeB);
      return ready(n) ? n : undefined;
    }, 60_000, 200);
    assert.equal(b.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, ns.nodeIP);
    const r = await kubectl(['get', 'nodes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`\\n${nodeA}\\s+Ready\\s+control-plane\\s+`));
    assert.match(r.stdout, new RegExp(`\\n${nodeB}\\s+Ready\\s+<none>\\s+\\d+s\\s+v\\d+\\.\\d+\\.\\d+`));
  });

  test('a Deployment of 3 spreads over both nodes and pods reach each other across nodes by pod IP', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
            containers: [{ name: 'web', image: busyboxImage, imagePullPolicy: 'IfNotPresent', command: ['httpd', '-f', '-p', '80'] }],
          },
        },
      },
    };
    const created = await kubectl(['apply', '-f', writeManifest(root, 'web.json', deployment)]);
    assert.equal(created.code, 0, created.stderr);
    const pods = await waitFor('3 web pods Running', async () => {
      const items = (await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: 'app=web' })).items;
      const running = items.filter((p) => p.status?.phase === 'Running' && p.status.podIP);
      return running.length === 3 ? running : undefined;
    }, 90_000, 250);
    const on = (node: string) => pods.filter((p) => p.spec?.nodeName === node);
    assert.ok(on(nodeA).length >= 1 && on(nodeB).length >= 1, `spread: ${pods.map((p) => p.spec?.nodeName).join(',')}`);
    const ipOn = (node: string): string => on(node)[0].status!.podIP!;
    assert.ok(ipOn(nodeB).startsWith(clusterCidr.split('.').slice(0, 2).join('.')));
    // A → B and B → A: a client pod pinned to one node fetches from a web pod on the other; Succeeded only if wget did
    const aToB = await fetchFrom('from-a', nodeA, ipOn(nodeB));
    assert.equal(aToB.status?.phase, 'Succeeded', JSON.stringify(aToB.status?.containerStatuses?.[0]?.state));
    const bToA = await fetchFrom('from-b', nodeB, ipOn(nodeA));
    assert.equal(bToA.status?.phase, 'Succeeded', JSON.stringify(bToA.status?.containerStatuses?.[0]?.state));
    // and an address no pod has does not answer (the check above can fail)
    const nowhere = await fetchFrom('to-nowhere', nodeA, `${clusterCidr.split('.').slice(0, 2).join('.')}.1.250`);
    assert.equal(nowhere.status?.phase, 'Failed');
  });

  test("the server's kubelet is a child process: killed, it is restarted, adopts containerd and keeps the pods", async () => {
    const started = (): number[] => [...server!.output().matchAll(/kubelet running in child process (\d+)/g)].map((m) => Number(m[1]));
    const pid = started().at(-1)!;
    assert.ok(pid > 0 && pid !== server!.child.pid);
    const webOnA = async (): Promise<Pod> => (await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: 'app=web' })).items.find((p) => p.spec?.nodeName === nodeA)!;
    const before = await webOnA();
    process.kill(pid, 'SIGKILL');
    await waitFor('kubelet restarted', () => started().length >= 2 && started().at(-1) !== pid, 60_000, 100);
    await waitFor('containerd adopted', () => /containerd \S+ adopted \(pid \d+\)/.test(server!.output()), 30_000, 100);
    const after = await webOnA();
    assert.equal(after.metadata?.uid, before.metadata?.uid);
    assert.equal(after.status?.containerStatuses?.[0]?.containerID, before.status?.containerStatuses?.[0]?.containerID);
    assert.equal(after.status?.containerStatuses?.[0]?.restartCount, 0);
    // and the restarted kubelet runs new pods
    const probe = await client.create<Pod>(podsRef, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'after-restart', namespace: 'default' },
      spec: { nodeName: nodeA, containers: [{ name: 'sleep', image: busyboxImage, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
    }, { namespace: 'default' });
    assert.ok(probe.metadata?.uid);
    await waitFor('after-restart Running', async () => (await client.get<Pod>(podsRef, 'after-restart', { namespace: 'default' })).status?.phase === 'Running', 60_000, 250);
  });

  test('kubectl delete node: the running kubelet registers its Node again', async () => {
    const before = await client.get<Node>(nodesRef, nodeB);
    const r = await kubectl(['delete', 'node', nodeB]);
    assert.equal(r.code, 0, r.stderr);
    const again = await waitFor('node B registered again', async () => {
      const n = await client.get<Node>(nodesRef, nodeB).catch(() => undefined);
      return n && n.metadata?.uid !== before.metadata?.uid ? n : undefined;
    }, 60_000, 250);
    assert.equal(again.metadata?.labels?.['kubernetes.io/hostname'], nodeB);
    // node-ipam hands the new Node the next free podCIDR; the kubelet follows it and the other node routes it
    const oldCIDR = before.spec?.podCIDR;
    const renewed = await waitFor('node B podCIDR', async () => {
      const n = await client.get<Node>(nodesRef, nodeB);
      return n.spec?.podCIDR && ready(n) ? n : undefined;
    }, 60_000, 250);
    const cidr = renewed.spec!.podCIDR!;
    const conflist = join(agentDir, 'agent', 'cni', 'net.d', '10-skiff.conflist');
    await waitFor('CNI config follows the podCIDR', () => readFileSync(conflist, 'utf8').includes(`"subnet": "${cidr}"`), 60_000, 250);
    await client.create<Pod>(podsRef, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-b2', namespace: 'default' },
      spec: { nodeName: nodeB, containers: [{ name: 'web', image: busyboxImage, imagePullPolicy: 'IfNotPresent', command: ['httpd', '-f', '-p', '80'] }] },
    }, { namespace: 'default' });
    const b2 = await waitFor('web-b2 Running', async () => {
      const p = await client.get<Pod>(podsRef, 'web-b2', { namespace: 'default' });
      return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
    }, 60_000, 250);
    const prefix = cidr.split('.').slice(0, 3).join('.') + '.';
    assert.ok(b2.status!.podIP!.startsWith(prefix), `${b2.status!.podIP} in ${cidr} (was ${oldCIDR})`);
    const get = await fetchFrom('from-a-again', nodeA, b2.status!.podIP!);
    assert.equal(get.status?.phase, 'Succeeded', JSON.stringify(get.status?.containerStatuses?.[0]?.state));
  });

  test('stopping the server stops its kubelet and leaves the containers running; a new server adopts them', async () => {
    const web = (await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: 'app=web' })).items.find((p) => p.spec?.nodeName === nodeA && p.status?.podIP)!;
    const kubeletPid = [...server!.output().matchAll(/kubelet running in child process (\d+)/g)].map((m) => Number(m[1])).at(-1)!;
    const old = server!;
    old.child.kill('SIGTERM');
    assert.deepEqual(await old.exited, { code: 0, signal: null });
    assert.throws(() => process.kill(kubeletPid, 0), /ESRCH/);
    // the pod's container still serves, straight from the host over node A's bridge
    assert.match(await httpStatus(`http://${web.status!.podIP}/`), /^200$/);
    server = await startServer();
    // the kubelet stopped its containerd with it (the containers live on in their shims): the new one starts it
    assert.match(server.output(), /kubelet: containerd \S+ started \(pid \d+\)[^]*skiff: kubelet running in child process \d+/);
    await waitFor('node A Ready again', async () => ready(await client.get<Node>(nodesRef, nodeA)), 60_000, 250);
    const later = await waitFor('web on A synced by the new kubelet', async () => {
      const p = await client.get<Pod>(podsRef, web.metadata!.name!, { namespace: 'default' });
      return p.status?.containerStatuses?.[0]?.ready ? p : undefined;
    }, 60_000, 250);
    assert.equal(later.status?.containerStatuses?.[0]?.containerID, web.status?.containerStatuses?.[0]?.containerID);
    assert.equal(later.status?.containerStatuses?.[0]?.restartCount, 0);
  });
});

function httpStatus(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { timeout: 5000 }, (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function writeManifest(dir: string, name: string, obj: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(obj));
  return path;
}
