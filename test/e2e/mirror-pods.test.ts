// `kubectl get pods -n kube-system` on `skiff server` (in this process, so a test can crash one of its hosted
// components) shows the architecture: a mirror pod per component it runs, with true READY, STATUS and RESTARTS.
// A crashed component is seen not ready and then restarted (RESTARTS 1), `kubectl logs` shows a component's
// log (-f until its instance ends, --previous the instance before) and kube-apiserver's is what the server printed, a deleted mirror pod is re-created, the
// kubelet runs none of them, the publisher runs in a worker thread (restarted when killed), and a restarted server keeps them (removing the pod of a component it no longer runs).
// The server gets an address of its own on a test bridge (its DNS listens on port 53 there), as the tour does.
// Cleaned up: the server and its kubelet, containerd (by PID), the kube-proxy table, bridges, CNI results, temp dirs.
import { after, before, describe, test } from 'node:test';
import { once } from 'node:events';
import { threadId } from 'node:worker_threads';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { parseServerFlags } from '../../src/cli/server-flags.ts';
import { runServer, type RunningServer } from '../../src/server/run-server.ts';
import { CriClient } from '../../src/node/cri/client.ts';
import { containerdLayout } from '../../src/node/cri/containerd-config.ts';
import { kubectlBinary } from '../support/server.ts';
import { cleanNodeHost, createNodeNamespace, type NodeNamespace } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';

const podsRef = resourceRef('v1', 'pods');
const nodesRef = resourceRef('v1', 'nodes', false);
const slicesRef = resourceRef('discovery.k8s.io/v1', 'endpointslices');
const proxyTable = 'skiff-proxy';

const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/containerd') && existsSync('/usr/lib/cni/bridge') && existsSync('/usr/sbin/nft');

interface Run { code: number; stdout: string; stderr: string }

function run(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env ?? process.env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function nftTableExists(): boolean {
  try {
    execFileSync('nft', ['list', 'table', 'ip', proxyTable], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Row { name: string; ready: string; status: string; restarts: string; age: string }

/** `kubectl get pods` rows: NAME READY STATUS RESTARTS AGE (RESTARTS may read "1 (5s ago)"). */
function rows(out: string): Row[] {
  return out.trim().split('\n').filter(Boolean).map((line) => {
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\d+(?: \([^)]*\))?)\s+(\S+)$/.exec(line.trim());
    assert.ok(m, `unexpected row: ${line}`);
    return { name: m[1]!, ready: m[2]!, status: m[3]!, restarts: m[4]!, age: m[5]! };
  });
}

describe('kubectl get pods -n kube-system on skiff server', { skip: runnable ? false : 'needs root, containerd, CNI plugins and nft' }, () => {
  const suffix = randomBytes(2).toString('hex');
  const node = `mirror-${suffix}`;
  const bridge = `smp${suffix}`;
  const linkBridge = `smn${suffix}`;
  const rnd = randomBytes(2);
  const root = mkdtempSync(join(tmpdir(), 'skiff-mirror-'));
  const dataDir = join(root, 'server');
  let ns: NodeNamespace | undefined;
  let server: RunningServer | undefined;
  let client: RestClient;
  let flags: string[] = [];
  const kubectlArgs = (args: string[]): string[] => ['--kubeconfig', server!.kubeconfig, '--cache-dir', join(root, 'kubectl-cache'), ...args];
  const kubectl = (args: string[]): Promise<Run> => run(kubectlBinary(), kubectlArgs(args), { ...process.env, HOME: root });
  const ok = async (args: string[]): Promise<string> => {
    const r = await kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const systemPods = async (): Promise<Map<string, Row>> =>
    new Map(rows(await ok(['get', 'pods', '-n', 'kube-system', '--no-headers'])).map((r) => [r.name, r]));
  const expected = ['kube-apiserver', 'sqlite', 'kube-scheduler', 'kube-controller-manager', 'kube-proxy', 'skiff-dns'].map((c) => `${c}-${node}`);

  before(async () => {
    // a kube-proxy of another Skiff on this host owns the table: this test would fight it, so it says so
    assert.equal(nftTableExists(), false, `nft table ip ${proxyTable} exists: another Skiff kube-proxy runs on this host`);
    ns = createNodeNamespace(`skiff-mirror-${suffix}`, linkBridge, `172.30.${rnd[1]}`);
    flags = [
      '--data-dir', dataDir, '--https-listen-port', '0', '--bind-address', ns.hostIP, '--node-name', node, '--node-ip', ns.hostIP,
      '--cni-bridge', bridge, '--cluster-cidr', `10.${60 + (rnd[0] % 30)}.0.0/16`, '--kubelet-port', '0',
      '--kube-scheduler-secure-port', '0', '--kube-controller-manager-secure-port', '0',
    ];
    server = await runServer(parseServerFlags(flags));
    client = RestClient.fromKubeconfig(server.kubeconfig, { userAgent: 'mirror-pods-test', qps: 0 });
  });

  after(async () => {
    client?.close();
    await server?.stop();
    cleanNodeHost(dataDir, bridge);
    if (nftTableExists()) execFileSync('nft', ['delete', 'table', 'ip', proxyTable]);
    ns?.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  test('each component the server runs is a Running, ready mirror pod of its node', async () => {
    const pods = await waitFor('all kube-system pods 1/1 Running', async () => {
      const all = await systemPods();
      return expected.every((n) => all.get(n)?.ready === '1/1' && all.get(n)?.status === 'Running') ? all : undefined;
    }, 60_000, 250);
    assert.deepEqual([...pods.keys()].sort(), [...expected].sort());
    for (const name of expected) assert.equal(pods.get(name)!.restarts, '0', name);

    const nodeObj = await client.get<Node>(nodesRef, node);
    const pod = await client.get<Pod>(podsRef, `kube-scheduler-${node}`, { namespace: 'kube-system' });
    const a = pod.metadata!.annotations!;
    assert.equal(a['kubernetes.io/config.mirror'], a['kubernetes.io/config.hash']);
    assert.equal(a['kubernetes.io/config.source'], 'skiff-server');
    assert.deepEqual(pod.metadata!.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeObj.metadata!.uid, controller: true }]);
    assert.deepEqual(pod.metadata!.labels, { component: 'kube-scheduler', tier: 'control-plane' });
    assert.equal(pod.spec!.priority, 2000001000);
    assert.equal(pod.spec!.priorityClassName, 'system-node-critical');
    assert.equal(pod.spec!.hostNetwork, true);
    assert.equal(pod.status!.podIP, ns!.hostIP);
    assert.equal(pod.status!.hostIP, ns!.hostIP);
    // the DNS pod carries CoreDNS's label; the selector-less kube-dns Service still has only the slice the DNS publishes
    const dns = await client.get<Pod>(podsRef, `skiff-dns-${node}`, { namespace: 'kube-system' });
    assert.equal(dns.metadata!.labels!['k8s-app'], 'kube-dns');
    const slices = (await client.list<EndpointSlice>(slicesRef, { namespace: 'kube-system', labelSelector: 'kubernetes.io/service-name=kube-dns' })).items;
    assert.deepEqual(slices.map((s) => s.metadata!.labels!['endpointslice.kubernetes.io/managed-by']), ['skiff-dns']);
    // the kubelet runs no sandbox for a mirror pod
    const cri = new CriClient(`unix://${containerdLayout(dataDir).socket}`);
    try {
      assert.deepEqual((await cri.listPodSandbox()).filter((s) => s.metadata.namespace === 'kube-system').map((s) => s.metadata.name), []);
    } finally {
      cri.close();
    }
  });

  test('kubectl logs shows a component\'s log', async () => {
    const out = await ok(['logs', '-n', 'kube-system', `kube-scheduler-${node}`]);
    assert.match(out, /^skiff scheduler: started$/m);
    assert.equal((await ok(['logs', '-n', 'kube-system', `kube-scheduler-${node}`, '--tail=1'])).split('\n').filter(Boolean).length, 1);
  });

  test('kubectl logs of kube-apiserver shows what the server process printed; sqlite\'s log names its database', async () => {
    // the scheduler's own line is in its log first, so it has been printed by the time the server's log is read
    assert.match(await ok(['logs', '-n', 'kube-system', `kube-scheduler-${node}`]), /^skiff scheduler: started$/m);
    const out = await ok(['logs', '-n', 'kube-system', `kube-apiserver-${node}`]);
    // a line the server prints at start (its supervisor's), on the terminal and in this log alike
    assert.match(out, /^skiff: kubelet running in child process \d+$/m);
    assert.match(out, /^skiff: scheduler running in worker thread \d+/m);
    // the hosted components' output is in their own logs, not repeated in the server's
    assert.doesNotMatch(out, /skiff scheduler: started/);
    const sqlite = await ok(['logs', '-n', 'kube-system', `sqlite-${node}`]);
    assert.match(sqlite, new RegExp(`^skiff: embedded SQLite store ${join(dataDir, 'server', 'db', 'state.db').replaceAll('.', '\\.')}, run inside the kube-apiserver process`, 'm'));
  });

  test('a crashed component shows not ready, then restarted: RESTARTS 1, ready again, its previous log kept', async (t) => {
    const name = `kube-scheduler-${node}`;
    const scheduler = server!.hosted.get('scheduler')!;
    // every status the pod goes through, from a watch (a transient state is never missed by polling)
    const seen: string[] = [];
    const ac = new AbortController();
    const watching = (async () => {
      for await (const ev of client.watch<Pod>(podsRef, { namespace: 'kube-system', fieldSelector: `metadata.name=${name}`, signal: ac.signal })) {
        if (ev.type === 'ERROR') continue;
        const c = ev.object.status?.containerStatuses?.[0];
        if (c) seen.push(`${c.ready ? 'ready' : 'not-ready'}/${c.restartCount}/${Object.keys(c.state ?? {})[0]}`);
      }
    })().catch(() => undefined);
    // kubectl logs -f streams the running instance's log and ends when that instance is gone
    const follow = spawn(kubectlBinary(), kubectlArgs(['logs', '-f', '-n', 'kube-system', name]), { env: { ...process.env, HOME: root }, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => void (follow.exitCode === null && follow.kill('SIGKILL')));
    let followed = '';
    follow.stdout.on('data', (d: Buffer) => (followed += d.toString()));
    await waitFor('kubectl logs -f printing', async () => followed.includes('skiff scheduler: started') || undefined, 30_000, 100);
    await scheduler.kill();
    const row = await waitFor('scheduler restarted and ready', async () => {
      const r = (await systemPods()).get(name);
      return r?.ready === '1/1' && r.restarts.startsWith('1 ') ? r : undefined;
    }, 60_000, 250);
    ac.abort();
    await watching;
    await waitFor('kubectl logs -f ended with the instance it followed', async () => (follow.exitCode !== null ? true : undefined), 30_000, 100);
    assert.equal(follow.exitCode, 0);
    assert.equal(followed.match(/skiff scheduler: started/g)?.length, 1, followed);
    assert.equal(row.status, 'Running');
    assert.match(row.restarts, /^1 \(\d+s ago\)$/);
    // not ready in between: waiting in CrashLoopBackOff, or (on a loaded machine, the backoff over before the
    // publisher's turn) the new instance running but not yet ready
    assert.ok(seen.some((s) => s.startsWith('not-ready/1/')), `statuses seen: ${seen.join(', ')}`);
    const pod = await client.get<Pod>(podsRef, name, { namespace: 'kube-system' });
    assert.equal(pod.status!.containerStatuses![0]!.lastState!.terminated!.reason, 'Error');
    assert.match(await ok(['logs', '-n', 'kube-system', name]), /^skiff scheduler: started$/m);
    assert.match(await ok(['logs', '-n', 'kube-system', name, '--previous']), /^skiff scheduler: started$/m);
  });

  test('the publisher runs off the API server\'s loop, in a worker thread of its own; killed, it is restarted and follows again', async () => {
    const publisher = server!.mirrorPods!;
    assert.ok(publisher, 'the server hosts a mirror-pod publisher');
    // in this process (pid) but not on its main thread, where the API server serves
    assert.equal(publisher.pid, process.pid);
    assert.notEqual(publisher.threadId, undefined);
    assert.notEqual(publisher.threadId, threadId);
    assert.equal(publisher.isolation, 'thread');
    // it is no pod itself, as upstream's kubelet, which does this job, is none
    assert.equal([...(await systemPods()).keys()].some((n) => n.startsWith('mirror-pods')), false);
    const restarted = once(publisher, 'ready');
    await publisher.kill();
    await restarted;
    assert.equal(publisher.restarts, 1);
    // the new instance hears of supervisors' changes: a crash of the controller-manager shows
    const name = `kube-controller-manager-${node}`;
    await server!.hosted.get('controller-manager')!.kill();
    const row = await waitFor('controller-manager restarted: RESTARTS 1, ready', async () => {
      const r = (await systemPods()).get(name);
      return r?.ready === '1/1' && r.restarts.startsWith('1 ') ? r : undefined;
    }, 60_000, 250);
    assert.equal(row.status, 'Running');
  });

  test('a deleted mirror pod is re-created', async () => {
    const name = `kube-controller-manager-${node}`;
    const before = await client.get<Pod>(podsRef, name, { namespace: 'kube-system' });
    await ok(['delete', 'pod', '-n', 'kube-system', name, '--timeout=30s']);
    const again = await waitFor('a new mirror pod', async () => {
      const p = await client.get<Pod>(podsRef, name, { namespace: 'kube-system' }).catch(() => undefined);
      return p && p.metadata!.uid !== before.metadata!.uid && p.status?.containerStatuses?.[0]?.ready ? p : undefined;
    }, 30_000, 250);
    assert.equal(again.metadata!.annotations!['kubernetes.io/config.mirror'], before.metadata!.annotations!['kubernetes.io/config.mirror']);
    const row = (await systemPods()).get(name);
    assert.equal(row?.ready, '1/1');
    assert.equal(row?.status, 'Running');
  });

  test('a restart keeps the pods (their hash is the same) and removes the one of a component no longer run', async () => {
    const before = new Map((await client.list<Pod>(podsRef, { namespace: 'kube-system' })).items.map((p) => [p.metadata!.name!, p.metadata!.uid!]));
    client.close();
    const first = server!;
    server = undefined;
    await first.stop();
    server = await runServer(parseServerFlags([...flags, '--disable-kube-proxy']));
    client = RestClient.fromKubeconfig(server.kubeconfig, { userAgent: 'mirror-pods-test', qps: 0 });
    const kept = expected.filter((n) => !n.startsWith('kube-proxy-'));
    const pods = await waitFor('kube-proxy\'s pod gone, the others 1/1 Running with no restarts', async () => {
      const all = await systemPods();
      const fresh = kept.every((n) => all.get(n)?.ready === '1/1' && all.get(n)?.restarts === '0');
      return fresh && !all.has(`kube-proxy-${node}`) ? all : undefined;
    }, 60_000, 250);
    assert.deepEqual([...pods.keys()].sort(), [...kept].sort());
    const after = (await client.list<Pod>(podsRef, { namespace: 'kube-system' })).items;
    for (const p of after) assert.equal(p.metadata!.uid, before.get(p.metadata!.name!), `${p.metadata!.name} kept`);
    // the publisher (a worker thread, no pod of its own) says what it removed in the server's log, kube-apiserver's
    await waitFor('the removal in the kube-apiserver log', async () => {
      const out = await ok(['logs', '-n', 'kube-system', `kube-apiserver-${node}`]);
      return /^mirror-pods: removing mirror pod kube-system\/kube-proxy-\S+: no such component here any more$/m.test(out) || undefined;
    }, 30_000, 250);
  });
});
