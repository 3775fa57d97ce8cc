// The product's lifecycle on a real node, as a user meets it: `skiff server` (its kubelet on containerd, kube-proxy
// on nftables) runs pods; Ctrl-C and `skiff server` again keeps the objects and the running containers (same
// containerID, restartCount 0); `skiff uninstall` is refused while the server runs (or a kubelet runs the data
// dir's containerd), and after it stops removes everything Skiff made — pods' containers, shims and network
// namespaces, the CNI bridge and cached results, the kube-proxy table, the host-gw route to another Node's podCIDR,
// the data dir, the kubeconfig it wrote (and the directory it made for it), its entry in a kubeconfig it merged
// into — and nothing else: canaries named like Skiff's (an nft table, a bridge, a CNI result of a network whose
// name starts like ours, a netns, a sibling directory, the other cluster in the merged kubeconfig) are still there.
// Without root: `skiff server --reset` on a control-plane-only server, and the refusals.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { containerdLayout } from '../../src/node/cri/containerd-config.ts';
import { mountsUnder } from '../../src/node/cri/containerd.ts';
import { shimsOf } from '../../src/node/cri/teardown.ts';
import { buildTestImageArchive, busyboxImage } from '../../src/node/images/busybox.ts';
import { processAlive } from '../../src/node/cri/pids.ts';
import { type RunResult, type SkiffProcess, freePort, runFile, skiffBin, startSkiff } from '../support/process.ts';
import { cleanNodeHost, removeSandboxes } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';

const podsRef = resourceRef('v1', 'pods');
const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/containerd') && existsSync('/bin/busybox')
  && existsSync('/usr/lib/cni/bridge') && existsSync('/usr/sbin/nft');

const skiff = (args: string[]): Promise<RunResult> => runFile(process.execPath, [skiffBin, ...args]);

function succeeds(file: string, args: string[]): boolean {
  try {
    execFileSync(file, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const nftTable = (name: string): boolean => succeeds('nft', ['list', 'table', 'ip', name]);
const link = (name: string): boolean => succeeds('ip', ['link', 'show', 'dev', name]);
const netnsNames = (): string[] => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
/** The kubeconfig a user already had, with a cluster of their own. */
function userKubeconfig(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, [
    'apiVersion: v1', 'kind: Config',
    'clusters: [{name: prod, cluster: {server: "https://192.0.2.1:6443"}}]',
    'users: [{name: alice, user: {token: abc}}]',
    'contexts: [{name: prod, context: {cluster: prod, user: alice}}]',
    'current-context: prod', '',
  ].join('\n'));
}

describe('skiff server restart keeps running pods; skiff uninstall removes what Skiff made and nothing else', { skip: runnable ? false : 'needs root, containerd, busybox-static, CNI plugins and nft' }, () => {
  const suffix = randomBytes(3).toString('hex');
  const node = `uninst-${suffix}`;
  const bridge = `sku${suffix}`;
  const table = `skiffu${suffix}`;
  const clusterCidr = `10.${60 + (randomBytes(1)[0] % 30)}.0.0/16`;
  const root = mkdtempSync(join(tmpdir(), 'skiff-uninstall-'));
  const dataDir = join(root, 'data');
  const mergedKubeconfig = join(root, 'home', '.kube', 'config');
  const freshKubeconfig = join(root, 'etc', 'skiff', 'skiff.yaml');
  // canaries: Skiff-like names that are not this server's
  const canary = { table: `skiffc${suffix}`, bridge: `skc${suffix}`, netns: `skiff-canary-${suffix}`, result: `/var/lib/cni/results/${bridge}x-${'a'.repeat(64)}-eth0`, dir: join(root, 'data-sibling') };
  let server: SkiffProcess | undefined;
  let client: RestClient;
  let port = 0;
  const start = (kubeconfig: string): Promise<SkiffProcess> => startSkiff([
    'server', '--data-dir', dataDir, '--https-listen-port', String(port), '--node-name', node, '--cni-bridge', bridge,
    '--cluster-cidr', clusterCidr, '--kubelet-port', '0', '--kube-proxy-arg', `table=${table}`, '--disable', 'coredns',
    '--kube-scheduler-secure-port', '0', '--kube-controller-manager-secure-port', '0', '--write-kubeconfig', kubeconfig,
  ], /API server listening/, 90_000);
  /** Ctrl-C, as a user stops it. */
  const interrupt = async (): Promise<void> => {
    server!.child.kill('SIGINT');
    assert.deepEqual(await server!.exited, { code: 0, signal: null }, server!.output());
  };

  before(async () => {
    userKubeconfig(mergedKubeconfig);
    execFileSync('nft', ['add', 'table', 'ip', canary.table]);
    execFileSync('ip', ['link', 'add', canary.bridge, 'type', 'bridge']);
    execFileSync('ip', ['netns', 'add', canary.netns]);
    mkdirSync('/var/lib/cni/results', { recursive: true });
    writeFileSync(canary.result, '{}');
    mkdirSync(canary.dir);
    port = await freePort();
    server = await start(mergedKubeconfig);
    client = RestClient.fromKubeconfig(join(dataDir, 'server', 'cred', 'admin.kubeconfig'), { userAgent: 'uninstall-test', qps: 0 });
    const archive = join(root, 'busybox.tar');
    writeFileSync(archive, buildTestImageArchive());
    const imported = await skiff(['image', 'import', '--data-dir', dataDir, archive]);
    assert.equal(imported.code, 0, imported.stderr);
  });

  after(async () => {
    client?.close();
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
    await server?.exited;
    // what a failed uninstall would have left
    if (routedCidr && execFileSync('ip', ['route', 'show', routedCidr], { encoding: 'utf8' }).trim()) execFileSync('ip', ['route', 'del', routedCidr]);
    await removeSandboxes(dataDir);
    cleanNodeHost(dataDir, bridge);
    for (const t of [table, canary.table]) if (nftTable(t)) execFileSync('nft', ['delete', 'table', 'ip', t]);
    if (link(canary.bridge)) execFileSync('ip', ['link', 'del', canary.bridge]);
    if (netnsNames().includes(canary.netns)) execFileSync('ip', ['netns', 'del', canary.netns]);
    rmSync(canary.result, { force: true });
    assert.deepEqual(mountsUnder(root), []);
    rmSync(root, { recursive: true, force: true });
  });

  let containerPids: number[] = [];
  let podNetns: string[] = [];

  test('pods run; after Ctrl-C and skiff server again they are the same containers, not restarted', async () => {
    await client.create(resourceRef('apps/v1', 'deployments'), {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sleeper', namespace: 'default' },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'sleeper' } },
        template: { metadata: { labels: { app: 'sleeper' } }, spec: { containers: [{ name: 's', image: busyboxImage, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] } },
      },
    }, { namespace: 'default' });
    await client.create(resourceRef('v1', 'services'), {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'sleeper', namespace: 'default' },
      spec: { selector: { app: 'sleeper' }, ports: [{ port: 80 }] },
    }, { namespace: 'default' });
    const running = async (): Promise<Pod[] | undefined> => {
      const pods = (await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: 'app=sleeper' })).items;
      return pods.length === 2 && pods.every((p) => p.status?.containerStatuses?.[0]?.ready) ? pods : undefined;
    };
    const before = await waitFor('2 pods ready', running, 90_000, 250);
    await waitFor(`nft table ${table} programmed`, () => nftTable(table), 30_000, 100);
    await interrupt();
    server = await start(freshKubeconfig);
    const again = await waitFor('2 pods ready after the restart', async () => {
      const pods = await running();
      // ready as reported by the new kubelet: it has synced them
      return pods && pods.every((p) => before.some((b) => b.metadata!.uid === p.metadata!.uid)) ? pods : undefined;
    }, 90_000, 250);
    for (const p of again) {
      const b = before.find((x) => x.metadata!.uid === p.metadata!.uid)!;
      assert.equal(p.status!.containerStatuses![0].containerID, b.status!.containerStatuses![0].containerID);
      assert.equal(p.status!.containerStatuses![0].restartCount, 0);
    }
    // the containers' processes and network namespaces, to look for after the uninstall
    const shims = shimsOf(containerdLayout(dataDir).socket);
    assert.ok(shims.length >= 2, `shims of this containerd: ${shims.join(',')}`);
    containerPids = shims.flatMap((s) => execFileSync('pgrep', ['-P', String(s)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number));
    podNetns = [...new Set(containerPids.map((pid) => execFileSync('ip', ['netns', 'identify', String(pid)], { encoding: 'utf8' }).trim()).filter(Boolean))];
    assert.equal(podNetns.length, 2, `pod network namespaces: ${podNetns.join(',')}`);
  });

  // a second Node whose podCIDR the server's kubelet routes via its address (host-gw): the default gateway, on-link
  let routedCidr = '';
  let gateway = '';
  test('the kubelet routes another Node\'s podCIDR (host-gw)', async () => {
    gateway = (JSON.parse(execFileSync('ip', ['-4', '-j', 'route', 'show', 'default'], { encoding: 'utf8' })) as { gateway?: string }[])[0]?.gateway ?? '';
    assert.ok(gateway, 'this host has a default gateway');
    routedCidr = `${clusterCidr.split('.').slice(0, 2).join('.')}.250.0/24`;
    const nodesRef = resourceRef('v1', 'nodes', false);
    await client.create(nodesRef, { apiVersion: 'v1', kind: 'Node', metadata: { name: `${node}-other` }, spec: { podCIDR: routedCidr, podCIDRs: [routedCidr], unschedulable: true } });
    await client.patch(nodesRef, `${node}-other`, { status: { addresses: [{ type: 'InternalIP', address: gateway }] } }, 'merge', { subresource: 'status' });
    await waitFor(`route ${routedCidr} via ${gateway}`, () => execFileSync('ip', ['route', 'show', routedCidr], { encoding: 'utf8' }).includes(`via ${gateway}`), 30_000, 100);
  });

  test('skiff uninstall is refused while the server runs, and removes nothing', async () => {
    const r = await skiff(['uninstall', '--data-dir', dataDir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`a Skiff server \\(PID ${server!.child.pid}\\) is running on ${dataDir}: stop it first .*nothing was removed`));
    assert.ok(existsSync(join(dataDir, 'server', 'db')));
    assert.ok(nftTable(table));
  });

  test("a node without a server (skiff kubelet, as an agent runs it) takes no lock: uninstall is refused while its kubelet runs containerd", async () => {
    const agentDir = join(root, 'agent-data');
    const kubelet = await startSkiff([
      'kubelet', '--kubeconfig', join(dataDir, 'server', 'cred', 'admin.kubeconfig'), '--node-name', `${node}-k`, '--data-dir', agentDir,
      '--cni-bridge', `skv${suffix}`, '--port', '0',
    ], /kubelet: node \S+ running/, 90_000);
    try {
      // no record there: the server's defaults would be assumed, and this host is shared
      writeFileSync(join(agentDir, 'host-record.json'), JSON.stringify({ kubeconfigs: [], proxies: [], clusterCidrs: [] }));
      const refused = await skiff(['uninstall', '--data-dir', agentDir]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`a kubelet \\(PID ${kubelet.child.pid}\\) runs the containerd of ${agentDir}: stop it first .*nothing was removed`));
      kubelet.child.kill('SIGTERM');
      assert.equal((await kubelet.exited).code, 0);
      const r = await skiff(['uninstall', '--data-dir', agentDir]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(existsSync(agentDir), false);
    } finally {
      if (kubelet.child.exitCode === null && kubelet.child.signalCode === null) kubelet.child.kill('SIGKILL');
      await kubelet.exited;
      cleanNodeHost(agentDir, `skv${suffix}`);
    }
  });

  test('after Ctrl-C, skiff uninstall removes containers, namespaces, bridge, CNI cache, nft table, kubeconfigs and data dir — nothing else', async () => {
    await interrupt();
    const socket = containerdLayout(dataDir).socket;
    const r = await skiff(['uninstall', '--data-dir', dataDir]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const said = r.stdout;
    assert.match(said, /skiff uninstall: starting containerd from \S+ to remove its pods/);
    assert.match(said, /removed 2 pod sandbox\(es\)/);
    assert.match(said, new RegExp(`removed bridge ${bridge}\\n`));
    assert.match(said, new RegExp(`removed nftables table ip ${table}\\n`));
    assert.match(said, new RegExp(`removed route ${routedCidr.replace(/\./g, '\\.')} via ${gateway}\\n`));
    assert.equal(execFileSync('ip', ['route', 'show', routedCidr], { encoding: 'utf8' }).trim(), '');
    assert.match(said, new RegExp(`removed ${dataDir}\\n`));
    assert.match(said, /skiff uninstall: done/);
    // gone
    assert.deepEqual(shimsOf(socket), []);
    for (const pid of containerPids) assert.equal(processAlive(pid), false, `container process ${pid} still runs`);
    const namespaces = netnsNames();
    for (const n of podNetns) assert.ok(!namespaces.includes(n), `pod netns ${n} left`);
    assert.equal(nftTable(table), false);
    assert.equal(link(bridge), false);
    assert.equal(existsSync(dataDir), false);
    assert.deepEqual(mountsUnder(root), []);
    assert.equal(existsSync(join(root, 'etc')), false, 'the kubeconfig it wrote and the directories made for it');
    const merged = parse(readFileSync(mergedKubeconfig, 'utf8')) as { contexts: { name: string }[]; clusters: { name: string }[] };
    assert.deepEqual(merged.contexts.map((c) => c.name), ['prod']);
    assert.deepEqual(merged.clusters.map((c) => c.name), ['prod']);
    // not touched
    assert.ok(nftTable(canary.table));
    assert.ok(link(canary.bridge));
    assert.ok(namespaces.includes(canary.netns));
    assert.ok(existsSync(canary.result));
    assert.ok(existsSync(canary.dir));
  });
});

describe('skiff server --reset and the refusals (no root needed)', () => {
  const root = mkdtempSync(join(tmpdir(), 'skiff-reset-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('--reset on a stopped control-plane-only server removes its data dir and kubeconfig, then exits without starting', async () => {
    const dataDir = join(root, 'cp');
    const kubeconfig = join(root, 'kube', 'config');
    const args = ['server', '--disable-agent', '--data-dir', dataDir, '--https-listen-port', String(await freePort()), '--write-kubeconfig', kubeconfig];
    const s = await startSkiff(args, /API server listening/);
    s.child.kill('SIGINT');
    assert.deepEqual(await s.exited, { code: 0, signal: null }, s.output());
    assert.ok(existsSync(kubeconfig));
    const r = await skiff([...args, '--reset']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`skiff server --reset: removed kubeconfig ${kubeconfig}\\n[^]*removed ${dataDir}\\n[^]*run skiff server again \\(without --reset\\)`));
    assert.doesNotMatch(r.stdout, /listening/);
    assert.equal(existsSync(dataDir), false);
    assert.equal(existsSync(join(root, 'kube')), false);
  });

  test('when the pods cannot be removed (no containerd to ask), the data dir is kept for another try and the exit is 1', async () => {
    const dataDir = join(root, 'node');
    mkdirSync(join(dataDir, 'agent', 'containerd'), { recursive: true });
    writeFileSync(join(dataDir, 'agent', 'containerd', 'config.toml'), 'version = 2\n');
    // a record naming no routes or proxy tables: without one the server's defaults would be assumed, on this shared host
    writeFileSync(join(dataDir, 'host-record.json'), JSON.stringify({ kubeconfigs: [], proxies: [], clusterCidrs: [] }));
    const empty = join(root, 'empty-path');
    mkdirSync(empty);
    const r = await new Promise<RunResult>((resolve) => execFile(process.execPath, [skiffBin, 'uninstall', '--data-dir', dataDir], { env: { PATH: empty, HOME: root } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    }));
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /2 step\(s\) failed[^]*pods: containerd did not start \(is containerd installed\?\)[^]*data dir \S+: kept: the pods could not be removed/);
    assert.ok(existsSync(join(dataDir, 'agent', 'containerd', 'config.toml')));
  });

  test('a directory that is not a Skiff data dir is refused and left alone; a missing one has nothing to remove', async () => {
    const other = join(root, 'not-skiff');
    mkdirSync(other);
    writeFileSync(join(other, 'precious'), 'x');
    const r = await skiff(['uninstall', '--data-dir', other]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not look like a Skiff data dir .*nothing was removed/);
    assert.ok(existsSync(join(other, 'precious')));
    const missing = await skiff(['uninstall', '--data-dir', join(root, 'nowhere')]);
    assert.equal(missing.code, 0, missing.stderr);
    assert.match(missing.stdout, /does not exist: no cluster state to remove there/);
  });
});
