// Test harness for one real node with its kubelet API, used by kubelet-connect.test.ts (kubelet-node.ts is a second
// harness for the same job, written in parallel: to be folded into one). A Skiff API server (in this process) with
// the scheduler and node-ipam, and
// `skiff kubelet` as its own process with a temp data dir, its own containerd, a CNI bridge unique to the run, a
// random cluster CIDR and the kubelet API on a free port; the busybox test image imported. stop() deletes the
// pods, removes what the runtime still has, stops the kubelet and its containerd by PID, removes the bridge, its
// CNI cache entries and the temp dirs.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { startScheduler } from '../../src/control-plane/scheduler/index.ts';
import { CriClient } from '../../src/node/cri/client.ts';
import { containerdLayout } from '../../src/node/cri/containerd-config.ts';
import { mountsUnder } from '../../src/node/cri/containerd.ts';
import { buildTestImageArchive } from '../../src/node/images/busybox.ts';
import { type SkiffProcess, freePort, skiffBin, startSkiff } from './process.ts';
import { startTestServer, type TestServer } from './server.ts';
import { claimRun } from './isolation.ts';

export const kubeletRunnable = process.getuid?.() === 0 && existsSync('/usr/bin/containerd') && existsSync('/bin/busybox') && existsSync('/usr/lib/cni/bridge');

export interface KubeletNode {
  server: TestServer;
  client: RestClient;
  nodeName: string;
  dataDir: string;
  kubeletPort: number;
  cri: CriClient;
  kubelet: SkiffProcess;
  stop(): Promise<void>;
}

const podsRef = resourceRef('v1', 'pods');

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [skiffBin, ...args], (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)));
  });
}

export async function startKubeletNode(prefix: string): Promise<KubeletNode> {
  // the run's cluster CIDR, Service CIDR, NodePorts and bridge name: see isolation.ts
  const testRun = await claimRun();
  const nodeName = `${prefix}-${testRun.id}`;
  const bridge = testRun.name('skc');
  const { clusterCidr } = testRun;
  const ac = new AbortController();
  const server = await startTestServer({ network: testRun });
  const client = RestClient.fromKubeconfig(server.kubeconfig, { userAgent: 'kubelet-node-test', qps: 0 });
  const components = [
    startScheduler({ client, signal: ac.signal, leaderElect: false }).then((r) => r.done),
    startControllerManager({ client, signal: ac.signal, leaderElection: false, controllers: ['node-ipam'], options: { clusterCidr } }).then((m) => m.done),
  ];
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-kubelet-node-'));
  const kubeletPort = await freePort();
  const kubelet = await startSkiff(
    ['kubelet', '--kubeconfig', server.kubeconfig, '--node-name', nodeName, '--data-dir', dataDir, '--cni-bridge', bridge, '--port', String(kubeletPort)],
    /kubelet: node \S+ running/,
  );
  const cri = new CriClient(`unix://${containerdLayout(dataDir).socket}`);
  const archive = join(dataDir, 'busybox.tar');
  writeFileSync(archive, buildTestImageArchive());
  await run(['image', 'import', '--data-dir', dataDir, archive]);

  async function stop(): Promise<void> {
    try {
      for (const p of (await client.list<Pod>(podsRef, { namespace: 'default' })).items) {
        await client.delete(podsRef, p.metadata!.name!, { namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined);
      }
      for (const sb of await cri.listPodSandbox()) {
        await cri.stopPodSandbox(sb.id).catch(() => undefined);
        await cri.removePodSandbox(sb.id).catch(() => undefined);
      }
    } catch {
      // the runtime or server may already be gone
    }
    cri.close();
    if (kubelet.child.exitCode === null) kubelet.child.kill('SIGTERM');
    await kubelet.exited;
    const pidFile = containerdLayout(dataDir).pidFile;
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    } catch {
      // never created
    }
    const results = '/var/lib/cni/results';
    if (existsSync(results)) for (const f of readdirSync(results)) if (f.startsWith(`${bridge}-`)) rmSync(join(results, f), { force: true });
    ac.abort();
    await Promise.allSettled(components);
    client.close();
    await server.stop();
    await testRun.release();
    // never delete under live container mounts (that would delete the containers' files)
    if (mountsUnder(dataDir).length === 0) rmSync(dataDir, { recursive: true, force: true });
    else throw new Error(`mounts left under ${dataDir}: ${mountsUnder(dataDir).join(', ')}`);
  }

  return { server, client, nodeName, dataDir, kubeletPort, cri, kubelet, stop };
}
