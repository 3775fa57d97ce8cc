// A real node for e2e tests: `skiff kubelet` as its own process with a temp data dir (its own containerd, a CNI
// bridge named per run, optionally its HTTPS API on a given port), the busybox test image imported, and a cleanup
// that removes exactly what it made — pods (through the API, then whatever CRI still holds), the kubelet and its
// containerd by PID, the bridge, this bridge's CNI cache entries, and the data dir once no container mount is left
// under it. startKubeletNode() wraps one such node in a TestControlPlane of its own (control-plane.ts: API server,
// scheduler, node-ipam and the root CA publisher; a one-node cluster, for the kubelet API tests); kubelet-api-node.ts re-exports it under its former names.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { CriClient } from '../../src/node/cri/client.ts';
import { containerdLayout } from '../../src/node/cri/containerd-config.ts';
import { mountsUnder } from '../../src/node/cri/containerd.ts';
import { buildTestImageArchive, busyboxImage } from '../../src/node/images/busybox.ts';
import { type SkiffProcess, freePort, skiffBin, startSkiff } from './process.ts';
import type { TestServer } from './server.ts';
import { TestControlPlane } from './control-plane.ts';

const podsRef = resourceRef('v1', 'pods');

/** Root, containerd, busybox-static and the CNI plugins: what a real node needs on this machine. */
export const nodeRunnable = process.getuid?.() === 0 && existsSync('/usr/bin/containerd') && existsSync('/bin/busybox') && existsSync('/usr/lib/cni/bridge');

export function skiff(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [skiffBin, ...args], (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)));
  });
}

export interface KubeletNodeOptions {
  kubeconfig: string;
  nodeName: string;
  bridge: string;
  /** The kubelet's HTTPS API port (`--port`); absent: the kubelet's default. */
  port?: number;
  /** Extra `skiff kubelet` flags. */
  args?: string[];
}

export class KubeletNode {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'skiff-kubelet-'));
  kubelet: SkiffProcess | undefined;
  private criClient: CriClient | undefined;

  constructor(readonly o: KubeletNodeOptions) {}

  args(): string[] {
    // a free port, or 0 (isolation.ts): never the product's 10250, which concurrent test files would both claim
    return ['kubelet', '--kubeconfig', this.o.kubeconfig, '--node-name', this.o.nodeName, '--data-dir', this.dataDir, '--cni-bridge', this.o.bridge, '--port', String(this.o.port ?? 0), ...(this.o.args ?? [])];
  }

  get cri(): CriClient {
    this.criClient ??= new CriClient(`unix://${containerdLayout(this.dataDir).socket}`);
    return this.criClient;
  }

  async start(): Promise<SkiffProcess> {
    this.kubelet = await startSkiff(this.args(), /kubelet: node \S+ running/);
    return this.kubelet;
  }

  /** Imports the busybox test image into this node's containerd; returns `skiff image import`'s output. */
  async importTestImage(): Promise<string> {
    const archive = join(this.dataDir, 'busybox.tar');
    writeFileSync(archive, buildTestImageArchive());
    return skiff(['image', 'import', '--data-dir', this.dataDir, archive]);
  }

  /** The lines a container wrote, from the kubelet's CRI log file (<logs>/<ns>_<name>_<uid>/<container>/<n>.log). */
  containerLog(pod: Pod, container: string, restart = 0): string {
    const dir = join(this.dataDir, 'agent', 'logs', 'pods', `${pod.metadata?.namespace}_${pod.metadata?.name}_${pod.metadata?.uid}`, container);
    const file = join(dir, `${restart}.log`);
    if (!existsSync(file)) return '';
    // CRI log lines: "<RFC3339Nano> <stream> <P|F> <text>"
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').slice(3).join(' ')).join('\n');
  }

  async stopKubelet(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const k = this.kubelet;
    if (!k) return;
    this.kubelet = undefined;
    if (k.child.exitCode === null) k.child.kill(signal);
    await k.exited;
  }

  /** Pods in `namespaces` first (through the kubelet), then whatever the runtime still has, then everything else. */
  async cleanup(client: RestClient, namespaces = ['default']): Promise<void> {
    try {
      for (const namespace of namespaces) {
        for (const p of (await client.list<Pod>(podsRef, { namespace })).items) {
          await client.delete(podsRef, p.metadata!.name!, { namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
        }
      }
      for (const sb of await this.cri.listPodSandbox()) {
        await this.cri.stopPodSandbox(sb.id).catch(() => undefined);
        await this.cri.removePodSandbox(sb.id).catch(() => undefined);
      }
    } catch {
      // the runtime or server may already be gone
    }
    this.criClient?.close();
    await this.stopKubelet();
    const pidFile = containerdLayout(this.dataDir).pidFile;
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      execFileSync('ip', ['link', 'del', this.o.bridge], { stdio: 'ignore' });
    } catch {
      // never created
    }
    const results = '/var/lib/cni/results';
    if (existsSync(results)) for (const f of readdirSync(results)) if (f.startsWith(`${this.o.bridge}-`)) rmSync(join(results, f), { force: true });
    // never delete under live container mounts (that would delete the containers' files)
    const left = mountsUnder(this.dataDir);
    if (left.length) throw new Error(`mounts left under ${this.dataDir}: ${left.join(' ')}`);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export { busyboxImage };

/** A one-node cluster: an API server in this process with the scheduler and node-ipam, and one KubeletNode. */
export interface KubeletCluster {
  server: TestServer;
  client: RestClient;
  node: KubeletNode;
  nodeName: string;
  dataDir: string;
  kubeletPort: number;
  cri: CriClient;
  kubelet: SkiffProcess;
  /** The node's cleanup, then the components and the server (the server stops even if the cleanup fails). */
  stop(): Promise<void>;
}

/** Starts a KubeletCluster whose node is `<prefix>-<run id>`, on the run's cluster CIDR (control-plane.ts), with the
 * kubelet API on a free port and the node's own identity (system:node:<name>). */
export async function startKubeletNode(prefix: string): Promise<KubeletCluster> {
  const cp = new TestControlPlane({ userAgent: 'kubelet-node-test' });
  let node: KubeletNode | undefined;
  try {
    await cp.start();
    const nodeName = `${prefix}-${cp.run.id}`;
    node = new KubeletNode({ kubeconfig: await cp.nodeKubeconfig(nodeName), nodeName, bridge: cp.run.name('skc'), port: await freePort() });
    const kubelet = await node.start();
    await node.importTestImage();
    const started = node;
    return {
      server: cp.s, client: cp.client, node, nodeName, dataDir: node.dataDir, kubeletPort: node.o.port!, cri: node.cri, kubelet,
      async stop() {
        try {
          await started.cleanup(cp.client);
        } finally {
          await cp.stop();
        }
      },
    };
  } catch (err) {
    await node?.cleanup(cp.client).catch(() => undefined);
    await cp.stop();
    throw err;
  }
}
