// The README's tour, as the README writes it, on the one-command product: `skiff server` (a process, temp data dir,
// free port) with everything it hosts for its own host — a kubelet on containerd, kube-proxy on nftables and the
// cluster DNS. Every command comes from the README's tour block (test/support/readme-tour.ts) and runs through `sh`
// with real kubectl; the tests assert what each shows: the node is Ready, kube-system lists the README's mirror pods,
// the busybox image is built and imported by the CLI, a Deployment is created, scaled and exposed, a client pod
// reaches it by its DNS name through the kube-dns Service and the ClusterIP (requests spread over the backends), and
// a NodePort answers on the node's address from the host; the last test checks that no README command was left out.
// Only the run's isolation is changed in the commands (see the README's note under the tour and `localise` below).
// The server gets an address of its own on a test bridge, so its DNS (port 53) and node IP collide with nothing else
// on the machine, and the run's own Service CIDR, cluster DNS IP, NodePort range, pod CIDRs and kube-proxy table
// (`--kube-proxy-arg table=…`, k3s's flag), so that no other test's kube-proxy DNATs what this one's pods send
// (test/support/isolation.ts). Cleaned up: pods and sandboxes, processes by PID, containerd, the kube-proxy table,
// bridges, CNI results, temp dirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { mountsUnder } from '../../src/node/cri/containerd.ts';
import { type SkiffProcess, freePort, skiffBin, startSkiff } from '../support/process.ts';
import { cleanNodeHost, createNodeNamespace, removeSandboxes, type NodeNamespace } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';
import { claimRun, serverRunFlags, type TestRun } from '../support/isolation.ts';
import { tourCommands, tourSampleListing } from '../support/readme-tour.ts';

const podsRef = resourceRef('v1', 'pods');

const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/containerd') && existsSync('/bin/busybox')
  && existsSync('/usr/lib/cni/bridge') && existsSync('/usr/sbin/nft') && existsSync('/usr/bin/curl');

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

interface Run { code: number; stdout: string; stderr: string }

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    // a bound per command: a tour line that hangs (a `kubectl wait` that never sees its condition) fails the test
    execFile(file, args, { env, maxBuffer: 16 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
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

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

describe('the README tour on skiff server (kubelet, kube-proxy, DNS)', { skip: runnable ? false : 'needs root, containerd, busybox-static, CNI plugins, nft and curl' }, () => {
  let testRun: TestRun;
  let node = '';
  let bridge = '';
  let linkBridge = '';
  // the table the hosted kube-proxy programs (not its default skiff-proxy, which a real Skiff on this host may own)
  let proxyTable = '';
  const root = mkdtempSync(join(tmpdir(), 'skiff-tour-'));
  const dataDir = join(root, 'server');
  const kubeconfig = join(root, 'skiff.yaml');
  let ns: NodeNamespace;
  let server: SkiffProcess | undefined;
  let client: RestClient;

  // The tour's lines not yet run; `step` takes each once, the last test checks none is left.
  const pending = tourCommands(readme);
  // What the tour's `export` and `VAR=$(…)` lines set, as a shell would keep it for the lines after them.
  const shellEnv: NodeJS.ProcessEnv = { ...process.env, HOME: root, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };

  /** The run's isolation, and nothing else: temp paths, this run's node name and data dir, the sources' CLI entry. */
  function localise(line: string): string {
    return line
      .replaceAll('/etc/skiff/skiff.yaml', kubeconfig)
      .replaceAll('/tmp/busybox.tar', join(root, 'busybox.tar'))
      .replaceAll('node dist/cli/main.js', `node ${quote(skiffBin)}`)
      .replaceAll(' image import ', ` image import --data-dir ${quote(dataDir)} `)
      .replaceAll('$(hostname)', node);
  }

  function take(prefix: string): string {
    const matches = pending.filter((c) => c.startsWith(prefix));
    assert.equal(matches.length, 1, `one README tour line starts with "${prefix}"; left: ${pending.join(' | ')}`);
    pending.splice(pending.indexOf(matches[0]!), 1);
    return matches[0]!;
  }

  /** Runs one README line (the one starting with `prefix`) through sh; with `accept`, again until its output shows
   *  what the tour says (as a user looks again: the node turning Ready, pods Running, a NodePort programmed). */
  async function step(prefix: string, accept?: (r: Run) => boolean, timeoutMs = 60_000): Promise<string> {
    const line = localise(take(prefix));
    const exported = /^export (\w+)=(\S+)$/.exec(line);
    if (exported) {
      shellEnv[exported[1]!] = exported[2]!;
      return '';
    }
    const assigned = /^(\w+)=\$\((.*)\)$/.exec(line);
    const command = assigned ? assigned[2]! : line;
    let last: Run | undefined;
    const once = async (): Promise<Run> => (last = await run('/bin/sh', ['-c', command], shellEnv));
    const r = !accept ? await once() : await waitFor(`\`${line}\` to show what the tour says`, async () => {
      const again = await once();
      return again.code === 0 && accept(again) ? again : undefined;
    }, timeoutMs, 250).catch((err: Error) => assert.fail(`${err.message}\nlast output: ${last?.stdout}${last?.stderr}`));
    assert.equal(r.code, 0, `${line}: ${r.stderr}`);
    if (assigned) shellEnv[assigned[1]!] = r.stdout.trim();
    return r.stdout;
  }

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
      '--write-kubeconfig', kubeconfig, '--node-name', node, '--node-ip', ns.hostIP, '--cni-bridge', bridge,
      ...serverRunFlags(testRun),
    ], /API server listening/, 90_000);
    client = RestClient.fromKubeconfig(kubeconfig, { userAgent: 'tour-test', qps: 0 });
    await step('export KUBECONFIG=');
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
    const readyRow = new RegExp(`^${node}\\s+Ready\\s+control-plane\\s`, 'm');
    await step('kubectl get nodes', (r) => readyRow.test(r.stdout));
    assert.ok(nftTableExists(proxyTable), `the hosted kube-proxy programs its table ${proxyTable}`);
  });

  test("kube-system shows the architecture: the README's mirror pods, ready, and their logs", async () => {
    const sample = tourSampleListing(readme);
    const want = sample.names.map((n) => n.replace(/-myhost$/, `-${node}`));
    const rowsOf = (out: string): string[][] => out.trim().split('\n').map((l) => l.trim().split(/\s+/));
    const out = await step('kubectl get pods -n kube-system', (r) => {
      const rows = rowsOf(r.stdout).slice(1);
      const ready = rows.filter(([, ready, status, restarts]) => ready === '1/1' && status === 'Running' && restarts === '0').map(([name]) => name);
      return want.every((n) => ready.includes(n));
    });
    const rows = rowsOf(out);
    assert.deepEqual(rows[0], sample.header);
    assert.deepEqual(rows.slice(1).map(([name]) => name), want);
    assert.match(await step('kubectl logs -n kube-system kube-scheduler-'), /^skiff scheduler: started$/m);
    const dnsRow = new RegExp(`^kube-dns\\s+ClusterIP\\s+${testRun.clusterDns.replaceAll('.', '\\.')}\\s+<none>\\s+53/UDP,53/TCP,9153/TCP\\s`, 'm');
    assert.match(await step('kubectl get svc -n kube-system'), dnsRow);
  });

  test('the CLI builds the busybox image and imports it into the node', async () => {
    assert.match(await step('node dist/cli/main.js image build-busybox '), /^wrote docker\.io\/skiff\/busybox:1\.35 to /m);
    assert.match(await step('node dist/cli/main.js image import '), /^imported docker\.io\/skiff\/busybox:1\.35 in \d+ ms$/m);
  });

  test('create, scale and expose a deployment; a pod reaches it by name and the backends share the requests', async () => {
    await step('kubectl create deployment web ');
    await step('kubectl scale deployment web ');
    assert.match(await step('kubectl rollout status deployment web'), /successfully rolled out/);
    assert.match(await step('kubectl expose deployment web --port'), /service\/web exposed/);
    await step('kubectl run client ');
    await step('kubectl wait --for=jsonpath=');
    const lines = (await step('kubectl logs client')).split('\n').filter(Boolean);
    const backends = new Set(lines.filter((l) => l.startsWith('web-')));
    assert.equal(lines.filter((l) => l.startsWith('web-')).length, 12, lines.join('\n'));
    assert.ok(backends.size >= 2, `12 requests all went to ${[...backends].join(', ')}`);
  });

  test('a NodePort service answers on the node address from the host', async () => {
    assert.match(await step('kubectl expose deployment web --name=web-np'), /service\/web-np exposed/);
    await step('NODE_IP=');
    assert.equal(shellEnv.NODE_IP, ns.hostIP);
    await step('NODE_PORT=');
    const nodePort = Number(shellEnv.NODE_PORT);
    const [low, high] = testRun.nodePortRange.split('-').map(Number);
    assert.ok(nodePort >= low! && nodePort <= high!, `NodePort ${nodePort} in --service-node-port-range ${testRun.nodePortRange}`);
    assert.match(await step('curl http://', (r) => /^web-/.test(r.stdout), 30_000), /^web-/);
  });

  test('every line of the README tour was run', () => {
    assert.deepEqual(pending, []);
  });
});
