// The node's container runtime as the kubelet sees it: either the CRI endpoint it was given, or a containerd it
// runs under the data dir — supervised, so a containerd that dies is started again (containers keep running in
// their shims and are found again) — with the pause image imported; and upstream's runtime state check, which
// reports the runtime down or not ready so the node can say NotReady.
import { join } from 'node:path';
import { realClock, sleep } from '../../client/index.ts';
import { CriClient } from '../cri/client.ts';
import { containerdLayout } from '../cri/containerd-config.ts';
import { type RunningContainerd, startContainerd } from '../cri/containerd.ts';
import { loadRegistries } from '../cri/registries.ts';
import type { VersionResponse } from '../cri/types.ts';
import { buildPauseArchive, pauseImage } from '../images/busybox.ts';
import { ensureImage } from '../images/import.ts';
import type { CniLayout } from '../network/cni.ts';

export interface RuntimeOptions {
  dataDir: string;
  /** unix:///… of an existing CRI runtime; absent: run containerd under the data dir. */
  endpoint?: string;
  /** registries.yaml for the containerd run here. */
  privateRegistry?: string;
  cni: CniLayout;
  signal: AbortSignal;
  log: (msg: string) => void;
}

export interface NodeRuntime {
  endpoint: string;
  cri: CriClient;
  version: VersionResponse;
  /** The containerd currently supervised (undefined with an external endpoint). */
  containerd(): RunningContainerd | undefined;
}

/** Restarts containerd when it dies under us. */
async function supervise(first: RunningContainerd, start: () => Promise<RunningContainerd>, set: (c: RunningContainerd) => void, o: RuntimeOptions): Promise<void> {
  let current = first;
  for (;;) {
    await current.exited;
    if (o.signal.aborted) return;
    o.log(`containerd (pid ${current.pid}) exited unexpectedly; restarting it`);
    for (;;) {
      try {
        current = await start();
        set(current);
        break;
      } catch (err) {
        o.log(`restarting containerd failed: ${err instanceof Error ? err.message : String(err)}`);
        if (!(await sleep(realClock, 2000, o.signal))) return;
      }
    }
  }
}

export async function startRuntime(o: RuntimeOptions): Promise<NodeRuntime> {
  const agentDir = join(o.dataDir, 'agent');
  let containerd: RunningContainerd | undefined;
  let endpoint = o.endpoint;
  if (!endpoint) {
    const registries = loadRegistries(o.privateRegistry ?? join(agentDir, 'etc', 'registries.yaml'));
    const start = async (): Promise<RunningContainerd> => {
      const c = await startContainerd({ layout: containerdLayout(o.dataDir), sandboxImage: pauseImage, cniConfDir: o.cni.confDir, cniBinDir: o.cni.binDir, registries });
      o.log(`containerd ${c.version.runtimeVersion} ${c.started ? 'started' : 'adopted'} (pid ${c.pid}) at ${c.endpoint}`);
      return c;
    };
    containerd = await start();
    endpoint = containerd.endpoint;
    void supervise(containerd, start, (c) => (containerd = c), o);
  }
  const cri = new CriClient(endpoint);
  const version = await cri.waitReady(30_000, o.signal);
  if (await ensureImage(cri, endpoint, pauseImage, buildPauseArchive, join(agentDir, 'images'))) o.log(`imported ${pauseImage}`);
  return { endpoint, cri, version, containerd: () => containerd };
}

/**
 * Every period, asks the runtime for its status; calls onChange with the reason the node cannot be Ready
 * ("container runtime is down", "container runtime not ready: …") or undefined, whenever that changes.
 */
export async function watchRuntimeState(cri: CriClient, onChange: (problem: string | undefined) => void, signal: AbortSignal, periodMs = 5000): Promise<void> {
  let last: string | undefined;
  do {
    let problem: string | undefined;
    try {
      const rr = (await cri.status({ signal, timeoutMs: 5000 })).find((c) => c.type === 'RuntimeReady');
      if (rr && !rr.status) problem = `container runtime not ready: RuntimeReady=false reason:${rr.reason} message:${rr.message}`;
    } catch {
      if (signal.aborted) return;
      problem = 'container runtime is down';
    }
    if (problem !== last) {
      last = problem;
      onChange(problem);
    }
  } while (await sleep(realClock, periodMs, signal));
}
