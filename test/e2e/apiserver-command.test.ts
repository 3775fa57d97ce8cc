// The kubeadm layout: `skiff apiserver` (API server and its SQLite store, nothing hosted), `skiff scheduler` and
// `skiff controller-manager` as processes of their own joining it with the kubeconfigs it wrote, and simulated
// nodes (`skiff sim-nodes`); real kubectl creates a Deployment whose pods the separate controller-manager creates and
// the separate scheduler binds to the simulated nodes. --write-kubeconfig into a kubeconfig that already holds another
// cluster merges Skiff's entry in (kubectl sees both contexts, skiff current). A component flag given to
// `skiff apiserver` is refused.
// Processes are stopped by the PIDs started here; the temp dir goes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunResult, type SkiffProcess, freePort, runFile, skiffBin, startSkiff, stopSkiff } from '../support/process.ts';
import { kubectlBinary } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

describe('skiff apiserver, scheduler and controller-manager as separate processes', () => {
  const root = mkdtempSync(join(tmpdir(), 'skiff-apiserver-'));
  const dataDir = join(root, 'data');
  const cred = join(dataDir, 'server', 'cred');
  const procs: SkiffProcess[] = [];
  let apiserver: SkiffProcess;
  const kubectl = (args: string[]): Promise<RunResult> =>
    runFile(kubectlBinary(), ['--kubeconfig', join(cred, 'admin.kubeconfig'), '--cache-dir', join(root, 'kubectl-cache'), ...args], { ...process.env, HOME: root });

  // a user's kubeconfig with a cluster of its own, to merge into
  const userKubeconfig = join(root, 'home-kube-config');
  writeFileSync(userKubeconfig, [
    'apiVersion: v1', 'kind: Config',
    'clusters: [{name: prod, cluster: {server: "https://192.0.2.1:6443"}}]',
    'users: [{name: alice, user: {token: abc}}]',
    'contexts: [{name: prod, context: {cluster: prod, user: alice, namespace: shop}}]',
    'current-context: prod', '',
  ].join('\n'), { mode: 0o644 });

  before(async () => {
    const port = await freePort();
    apiserver = await startSkiff([
      'apiserver', '--data-dir', dataDir, '--https-listen-port', String(port), '--write-kubeconfig', userKubeconfig, '--write-kubeconfig-mode', '640',
    ], /skiff apiserver: node token at/);
    procs.push(apiserver);
    procs.push(await startSkiff(['scheduler', '--kubeconfig', join(cred, 'scheduler.kubeconfig'), '--secure-port', '0'], /skiff scheduler: started/));
    procs.push(await startSkiff(['controller-manager', '--kubeconfig', join(cred, 'controller-manager.kubeconfig'), '--secure-port', '0'], /controller-manager: running as/));
    procs.push(await startSkiff(['sim-nodes', '--kubeconfig', join(cred, 'admin.kubeconfig'), '--count', '2', '--prefix', 'kubeadm-sim'], /simulated nodes registered/));
  });

  after(async () => {
    for (const p of procs.reverse()) await stopSkiff(p);
    rmSync(root, { recursive: true, force: true });
  });

  test('the API server process hosts nothing and says where the components\' kubeconfigs are', () => {
    const out = apiserver.output();
    assert.match(out, /skiff scheduler --kubeconfig \S+scheduler\.kubeconfig, skiff controller-manager --kubeconfig \S+controller-manager\.kubeconfig/);
    assert.doesNotMatch(out, /running in (worker thread|child process)/);
  });

  test('a deployment gets its pods from the separate controller-manager, bound by the separate scheduler to the sim nodes', async () => {
    const created = await kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    assert.equal(created.code, 0, created.stderr);
    const nodes = await waitFor('3 pods bound', async () => {
      const r = await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}']);
      const bound = r.stdout.split('\n').filter(Boolean);
      return bound.length === 3 ? bound : undefined;
    }, 60_000, 250);
    for (const n of nodes) assert.match(n, /^kubeadm-sim-[01]$/);
    // the leases show who did it: each component under its own lock
    const leases = await kubectl(['get', 'leases', '-n', 'kube-system', '-o', 'name']);
    assert.match(leases.stdout, /lease\.coordination\.k8s\.io\/kube-scheduler/);
    assert.match(leases.stdout, /lease\.coordination\.k8s\.io\/kube-controller-manager/);
  });

  test('--write-kubeconfig merges into a kubeconfig with other clusters: kubectl sees both contexts, skiff current', async () => {
    const k = (args: string[]): Promise<RunResult> => runFile(kubectlBinary(), ['--kubeconfig', userKubeconfig, '--cache-dir', join(root, 'kubectl-cache'), ...args], { ...process.env, HOME: root });
    const contexts = await k(['config', 'get-contexts', '--no-headers']);
    assert.equal(contexts.code, 0, contexts.stderr);
    const rows = contexts.stdout.trim().split('\n').map((l) => l.replace(/^\*/, '* ').trim().split(/\s+/));
    assert.deepEqual(rows.map((r) => r.join(' ')).sort(), ['* skiff skiff skiff', 'prod prod alice shop']);
    assert.equal((await k(['get', 'ns', 'kube-system', '-o', 'name'])).stdout.trim(), 'namespace/kube-system');
    assert.equal((await k(['config', 'view', '--context', 'prod', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).stdout, 'https://192.0.2.1:6443');
    assert.equal(statSync(userKubeconfig).mode & 0o777, 0o640);
  });

  test('a node or component flag given to skiff apiserver is refused', async () => {
    const r = await runFile(process.execPath, [skiffBin, 'apiserver', '--data-dir', join(root, 'other'), '--node-name', 'x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unknown option '--node-name'/);
  });
});
