// A real node for e2e tests: `skiff kubelet` as its own process with a temp data dir (its own containerd, a CNI
// bridge named per run), the busybox test image imported, and a cleanup that removes exactly what it made — pods
// (through the API, then whatever CRI still holds), the kubelet and its containerd by PID, the bridge, this
// bridge's CNI cache entries, and the data dir once no container mount is left under it.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { type RestClient, resourceRef } from '../../src/client/index.ts';
import { CriClient } from '../../src/node/cri/client.ts';
import { containerdLayout } from '../../src/node/cri/containerd-config.ts';
import { mountsUnder } from '../../src/node/cri/containerd.ts';
import { buildTestImageArchive, busyboxImage } from '../../src/node/images/busybox.ts';
import { type SkiffProcess, skiffBin, startSkiff } from './process.ts';

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
  /** Extra `skiff kubelet` flags. */
  args?: string[];
}

export class KubeletNode {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'skiff-kubelet-'));
  kubelet: SkiffProcess | undefined;
  private criClient: CriClient | undefined;

  constructor(readonly o: KubeletNodeOptions) {}

  args(): string[] {
    // a free port for the kubelet API unless told: 10250 is shared by every test run on this machine
    const port = this.o.args?.includes('--port') ? [] : ['--port', '0'];
    return ['kubelet', '--kubeconfig', this.o.kubeconfig, '--node-name', this.o.nodeName, '--data-dir', this.dataDir, '--cni-bridge', this.o.bridge, ...port, ...(this.o.args ?? [])];
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
