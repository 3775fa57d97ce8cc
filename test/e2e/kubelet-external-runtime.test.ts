// `skiff kubelet --container-runtime-endpoint unix:///…/containerd.sock` on a containerd the node does not own:
// this test starts containerd itself, as its own process with the config Skiff writes (containerd-config.ts) but
// its own temp root, state and socket, and CNI configuration read from where the kubelet writes it (as an admin
// points an existing containerd's conf_dir at the kubelet's network). The kubelet registers, imports its pause
// image into that runtime, and a pod runs there; the kubelet starts no containerd of its own (no pid file, no
// config, no containerd process under its data dir) and, when it exits, leaves that containerd running and
// answering CRI — it is stopped by this test, by the PID it started. The API server, scheduler and node-ipam run in
// this process; the run's own cluster CIDR and bridge (test/support/isolation.ts). Cleaned up: pods and
// sandboxes, the kubelet and containerd by PID, the bridge, CNI results, temp dirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { CriClient } from '../../src/node/cri/client.ts';
import { containerdConfig, containerdLayout } from '../../src/node/cri/containerd-config.ts';
import { mountsUnder } from '../../src/node/cri/containerd.ts';
import { buildTestImageArchive, busyboxImage, pauseImage } from '../../src/node/images/busybox.ts';
import { cniLayout } from '../../src/node/network/cni.ts';
import { processAlive } from '../../src/node/cri/pids.ts';
import { KubeletNode, nodeRunnable, skiff } from '../support/kubelet-node.ts';
import { TestControlPlane } from '../support/control-plane.ts';
import type { TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const podsRef = resourceRef('v1', 'pods');

/** PIDs of running containerd processes whose command line mentions `dir`. */
function containerdsUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('containerd') && argv.some((a) => a.includes(dir))) pids.push(Number(p));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

describe('skiff kubelet --container-runtime-endpoint on a containerd it does not own', { skip: nodeRunnable ? false : 'needs root, containerd, busybox-static and CNI plugins' }, () => {
  const cp = new TestControlPlane({ userAgent: 'external-runtime-test' });
  let s: TestServer;
  let client: RestClient;
  let node: KubeletNode;
  // containerd's own directory, apart from the kubelet's data dir
  const runtimeDir = mkdtempSync(join(tmpdir(), 'skiff-ext-containerd-'));
  const layout = containerdLayout(runtimeDir);
  const endpoint = `unix://${layout.socket}`;
  let containerd: ChildProcess | undefined;
  let containerdExited: Promise<void> = Promise.resolve();
  let cri: CriClient | undefined;

  before(async () => {
    await cp.start();
    ({ s, client } = cp);
    const nodeName = cp.run.name('extcri-');
    node = new KubeletNode({ kubeconfig: await cp.nodeKubeconfig(nodeName), nodeName, bridge: cp.run.name('ske'), args: ['--container-runtime-endpoint', endpoint] });
    const cni = cniLayout(node.dataDir);
    mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
    writeFileSync(layout.config, containerdConfig({ layout, sandboxImage: pauseImage, cniConfDir: cni.confDir, cniBinDir: cni.binDir }));
    const logFd = openSync(layout.log, 'a');
    containerd = spawn('/usr/bin/containerd', ['--config', layout.config], { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    containerdExited = new Promise((resolve) => containerd!.once('exit', () => resolve()));
    cri = new CriClient(endpoint);
    await cri.waitReady(30_000);
  });

  after(async () => {
    try {
      // the kubelet first (so it makes no new sandbox), then what the external runtime holds, while the bridge
      // is still there for CNI DEL; then the node's own cleanup (API pods, bridge, CNI results, its data dir)
      await node.stopKubelet();
      for (const sb of (await cri?.listPodSandbox().catch(() => [])) ?? []) {
        await cri!.stopPodSandbox(sb.id).catch(() => undefined);
        await cri!.removePodSandbox(sb.id).catch(() => undefined);
      }
      await node.cleanup(client);
    } finally {
      cri?.close();
      if (containerd?.pid !== undefined && processAlive(containerd.pid)) containerd.kill('SIGTERM');
      await containerdExited;
      await cp.stop();
      const left = mountsUnder(runtimeDir);
      if (left.length) throw new Error(`mounts left under ${runtimeDir}: ${left.join(' ')}`);
      rmSync(runtimeDir, { recursive: true, force: true });
    }
  });

  test('the kubelet runs on the given endpoint and a pod runs in that containerd', async () => {
    const kubelet = await node.start();
    // the image goes into the runtime named by the same flag
    const archive = join(node.dataDir, 'busybox.tar');
    writeFileSync(archive, buildTestImageArchive());
    assert.match(await skiff(['image', 'import', '--container-runtime-endpoint', endpoint, archive]), new RegExp(`imported ${busyboxImage.replace(/[.]/g, '\\.')} in \\d+ ms`));
    assert.doesNotMatch(kubelet.output(), /containerd \S+ (started|adopted)/);
    const r = await s.kubectl(['run', 'ext', `--image=${busyboxImage}`, '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.stderr);
    const p = await waitFor('ext Running', async () => {
      const x = await client.get<Pod>(podsRef, 'ext', { namespace: 'default' });
      return x.status?.phase === 'Running' ? x : undefined;
    }, 60_000, 250);
    const id = (p.status?.containerStatuses?.[0]?.containerID ?? '').replace(/^containerd:\/\//, '');
    assert.ok(id, 'a container ID');
    // the container is in the containerd this test started, with the pod's sandbox
    const containers = await cri!.listContainers();
    assert.ok(containers.some((c) => c.id === id), `container ${id} in the external containerd`);
    assert.ok((await cri!.imageStatus({ image: pauseImage })), 'the kubelet imported its pause image into that runtime');
    // and the kubelet made no runtime of its own
    assert.equal(existsSync(containerdLayout(node.dataDir).pidFile), false);
    assert.equal(existsSync(containerdLayout(node.dataDir).config), false);
    assert.deepEqual(containerdsUnder(node.dataDir), []);
    assert.deepEqual(containerdsUnder(runtimeDir), [containerd!.pid]);
  });

  test('the kubelet exits and leaves that containerd running, with the pod\'s container', async () => {
    const before = (await cri!.listContainers()).filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => c.id);
    assert.ok(before.length >= 1);
    await node.stopKubelet('SIGTERM');
    assert.ok(processAlive(containerd!.pid!), 'containerd still runs after the kubelet exited');
    assert.equal(containerd!.exitCode, null);
    const version = await cri!.version();
    assert.equal(version.runtimeName, 'containerd');
    const after = (await cri!.listContainers()).filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => c.id);
    assert.deepEqual(after.sort(), before.sort());
  });
});
