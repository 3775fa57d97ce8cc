// The README's tour on the one-command product: `skiff server` (a process, temp data dir, free port) with
// everything it hosts for its own host — a kubelet on containerd, kube-proxy on nftables and the cluster DNS —
// driven by real kubectl: the node is Ready, kube-system lists a mirror pod per component, a Deployment is
// created, scaled and exposed, a client pod reaches it by its DNS name through the kube-dns Service and the
// ClusterIP (requests spread over the backends), and a NodePort answers on the node's address from the host. The
// server gets an address of its own on a test bridge, so its DNS (port 53) and node IP collide with nothing else
// on the machine, and the run's own Service CIDR, cluster DNS IP, NodePort range, pod CIDRs and kube-proxy table
// (`--kube-proxy-arg table=…`, k3s's flag), so that no other test's kube-proxy DNATs what this one's pods send
// (test/support/isolation.ts). Cleaned up: pods and sandboxes, processes by PID, containerd, the kube-proxy table,
// bridges, CNI results, temp dirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { mountsUnder } from '../../src/node/cri/containerd.ts';
import { buildTestImageArchive, busyboxImage } from '../../src/node/images/busybox.ts';
import { type SkiffProcess, freePort, skiffBin, startSkiff } from '../support/process.ts';
import { kubectlBinary } from '../support/server.ts';
import { cleanNodeHost, createNodeNamespace, removeSandboxes, type NodeNamespace } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';
import { claimRun, serverRunFlags, type TestRun } from '../support/isolation.ts';

const podsRef = resourceRef('v1', 'pods');
const servicesRef = resourceRef('v1', 'services');

const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/containerd') && existsSync('/bin/busybox')
  && existsSync('/usr/lib/cni/bridge') && existsSync('/usr/sbin/nft');

interface Run { code: number; stdout: string; stderr: string }

function run(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env ?? process.env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function nftTableExists(proxyTable: string): boolean {
  try {
    execFileSync('nft', ['list', 'table', 'ip', proxyTable], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function httpBody(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
  });
}

describe('the README tour on skiff server (kubelet, kube-proxy, DNS)', { skip: runnable ? false : 'needs root, containerd, busybox-static, CNI plugins and nft' }, () => {
  let testRun: TestRun;
  let node = '';
  let bridge = '';
  let linkBridge = '';
  // the table the hosted kube-proxy programs (not its default skiff-proxy, which a real Skiff on this host may own)
  let proxyTable = '';
  const root = mkdtempSync(join(tmpdir(), 'skiff-tour-'));
  const dataDir = join(root, 'server');
  let ns: NodeNamespace;
  let server: SkiffProcess | undefined;
  let client: RestClient;
  let kubeconfig = '';
  const kubectl = (args: string[]): Promise<Run> =>
    run(kubectlBinary(), ['--kubeconfig', kubeconfig, '--cache-dir', join(root, 'kubectl-cache'), ...args], { ...process.env, HOME: root });
  const ok = async (args: string[]): Promise<string> => {
    const r = await kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    testRun = await claimRun();
    node = testRun.name('tour-');
    bridge = testRun.name('skt');
    linkBridge = testRun.name('skn');
    proxyTable = testRun.name('skiff-p'); // serverRunFlags passes it as --kube-proxy-arg table=…
    ns = createNodeNamespace(testRun.name('skiff-tour-'), linkBridge, testRun.net(0));
    const port = await freePort();
    server = await startSkiff([
      'server', '--data-dir', dataDir, '--https-listen-port', String(port), '--bind-address', ns.hostIP,
      '--node-name', node, '--node-ip', ns.hostIP, '--cni-bridge', bridge, ...serverRunFlags(testRun),
    ], /API server listening/, 90_000);
    kubeconfig = join(dataDir, 'server', 'cred', 'admin.kubeconfig');
    client = RestClient.fromKubeconfig(kubeconfig, { userAgent: 'tour-test', qps: 0 });
    const archive = join(root, 'busybox.tar');
    writeFileSync(archive, buildTestImageArchive());
    const imported = await run(process.execPath, [skiffBin, 'image', 'import', '--data-dir', dataDir, archive]);
    assert.equal(imported.code, 0, imported.stderr);
  });

  after(async () => {
    try {
      // foreground: the ReplicaSet is gone before the Deployment, so no replacement pod starts during teardown
      await client.delete(resourceRef('apps/v1', 'deployments'), 'web', { namespace: 'default', propagationPolicy: 'Foreground' }).catch(() => undefined);
      await waitFor('no pods left', async () => {
        const pods = (await client.list<Pod>(podsRef, { namespace: 'default' })).items;
        for (const p of pods) await client.delete(podsRef, p.metadata!.name!, { namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined);
        return pods.length === 0;
      }, 60_000, 250);
    } catch {
      // the server may be gone
    }
    await removeSandboxes(dataDir);
    client?.close();
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
    await server?.exited;
    cleanNodeHost(dataDir, bridge);
    if (proxyTable && nftTableExists(proxyTable)) execFileSync('nft', ['delete', 'table', 'ip', proxyTable]);
    ns?.destroy();
    assert.deepEqual(mountsUnder(root), []);
    rmSync(root, { recursive: true, force: true });
    await testRun?.release();
  });

  test('one node, Ready, with kube-proxy and the DNS running beside its kubelet', async () => {
    const out = server!.output();
    for (const c of ['kubelet', 'kube-proxy', 'dns']) assert.match(out, new RegExp(`skiff: ${c} running in`));
    await waitFor('node Ready', async () => {
      const r = await kubectl(['get', 'nodes', '--no-headers']);
      return new RegExp(`^${node}\\s+Ready\\s+control-plane\\s`).test(r.stdout);
    }, 60_000, 250);
    assert.match(await ok(['get', 'svc', '-n', 'kube-system', 'kube-dns']), new RegExp(`kube-dns\\s+ClusterIP\\s+${testRun.clusterDns.replaceAll('.', '\\.')}\\s+<none>\\s+53/UDP,53/TCP,9153/TCP`));
    assert.ok(nftTableExists(proxyTable), `the hosted kube-proxy programs its table ${proxyTable}`);
  });

  test('kube-system shows the architecture: a ready mirror pod per component, and their logs', async () => {
    const want = ['kube-apiserver', 'kube-controller-manager', 'kube-proxy', 'kube-scheduler', 'skiff-dns', 'sqlite'].map((c) => `${c}-${node}`);
    const listing = await waitFor('every component 1/1 Running', async () => {
      const out = await ok(['get', 'pods', '-n', 'kube-system', '--no-headers']);
      const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/));
      const ready = rows.filter(([, r, status, restarts]) => r === '1/1' && status === 'Running' && restarts === '0').map(([name]) => name);
      return want.every((n) => ready.includes(n)) ? rows.map(([name]) => name) : undefined;
    }, 60_000, 250);
    assert.deepEqual(listing, want);
    assert.match(await ok(['logs', '-n', 'kube-system', `kube-scheduler-${node}`]), /^skiff scheduler: started$/m);
  });

  test('create, scale and expose a deployment; a pod reaches it by name and the backends share the requests', async () => {
    await ok(['create', 'deployment', 'web', `--image=${busyboxImage}`, '--replicas=2', '--',
      'sh', '-c', 'mkdir -p /srv && hostname > /srv/index.html && exec httpd -f -p 8080 -h /srv']);
    await ok(['scale', 'deployment', 'web', '--replicas=3']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    assert.match(await ok(['expose', 'deployment', 'web', '--port=80', '--target-port=8080']), /service\/web exposed/);
    await waitFor('3 ready endpoints', async () => {
      const r = await kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[*].endpoints[*].addresses[0]}']);
      return r.stdout.trim().split(/\s+/).filter(Boolean).length === 3;
    }, 60_000, 250);
    // busybox-static's wget segfaults on these machines: HTTP GETs through nc, by the Service's DNS name
    const gets = Array.from({ length: 12 }, () => "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 web.default.svc.cluster.local 80 | tail -n 1").join('; ');
    await ok(['run', 'client', `--image=${busyboxImage}`, '--restart=Never', '--', 'sh', '-c', `set -e; ${gets}`]);
    const pod = await waitFor('client finished', async () => {
      const p = await client.get<Pod>(podsRef, 'client', { namespace: 'default' });
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 60_000, 250);
    const logDir = join(dataDir, 'agent', 'logs', 'pods', `default_client_${pod.metadata!.uid}`, 'client');
    const lines = readdirSync(logDir).flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n'))
      .map((l) => l.split(' ').slice(3).join(' ')).filter(Boolean);
    assert.equal(pod.status?.phase, 'Succeeded', `client pod output:\n${lines.join('\n')}`);
    const backends = new Set(lines.filter((l) => l.startsWith('web-')));
    assert.equal(lines.filter((l) => l.startsWith('web-')).length, 12, lines.join('\n'));
    assert.ok(backends.size >= 2, `12 requests all went to ${[...backends].join(', ')}`);
  });

  test('a NodePort service answers on the node address from the host', async () => {
    await ok(['expose', 'deployment', 'web', '--name=web-np', '--type=NodePort', '--port=80', '--target-port=8080']);
    const svc = await client.get<Service>(servicesRef, 'web-np', { namespace: 'default' });
    const nodePort = svc.spec!.ports![0]!.nodePort!;
    const [low, high] = testRun.nodePortRange.split('-').map(Number);
    assert.ok(nodePort >= low! && nodePort <= high!, `NodePort ${nodePort} in --service-node-port-range ${testRun.nodePortRange}`);
    const body = await waitFor('NodePort answers', async () => httpBody(`http://${ns.hostIP}:${nodePort}/`).catch(() => undefined), 30_000, 250);
    assert.match(body, /^web-/);
  });
});
