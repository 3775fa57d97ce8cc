// The kubelet with real containerd, runc and CNI, driven by real kubectl: a Skiff API server with the scheduler
// and node-ipam, and `skiff kubelet` as its own process with a temp data dir (its own containerd, a CNI bridge and
// network name unique to this run, the run's own cluster CIDR so a concurrent test's bridge does not clash:
// test/support/isolation.ts).
// `kubectl run web … -- httpd` becomes Running with a pod IP that answers HTTP from the host; a kubelet restart
// keeps and re-adopts the container; deletion removes containers and sandbox; a crashing container goes to
// CrashLoopBackOff; an unpullable image gives ErrImagePull / ImagePullBackOff (from a registry on loopback that
// refuses), and one pulled through the docker.io mirror of registries.yaml from Debian's docker-registry on
// loopback; probes, volumes, hooks, activeDeadlineSeconds, and a containerd killed under the kubelet. Everything
// started is stopped by PID, and the bridge, CNI cache entries and temp dirs are removed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { CriClient } from '../../src/node/cri/client.ts';
import { containerdLayout } from '../../src/node/cri/containerd-config.ts';
import { busyboxImage } from '../../src/node/images/busybox.ts';

import { podUidLabel } from '../../src/node/kubelet/runtime-config.ts';
import { KubeletNode, nodeRunnable } from '../support/kubelet-node.ts';
import { TestControlPlane } from '../support/control-plane.ts';
import { freePort } from '../support/process.ts';
import { type TestRegistry, registryRunnable, startNodeRegistry, writeRegistriesYaml } from '../support/registry.ts';
import type { TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const podsRef = resourceRef('v1', 'pods');
const nodesRef = resourceRef('v1', 'nodes', false);
const leasesRef = resourceRef('coordination.k8s.io/v1', 'leases');
const eventsRef = resourceRef('v1', 'events');

function httpText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('kubelet with containerd', { skip: nodeRunnable ? false : 'needs root, containerd, busybox-static and CNI plugins' }, () => {
  const suffix = randomBytes(2).toString('hex');
  const nodeName = `kubelet-e2e-${suffix}`;
  const cp = new TestControlPlane({ userAgent: 'kubelet-test' });
  let bridge = '';
  let clusterCidr = '';
  let s: TestServer;
  let client: RestClient;
  let kubeletNode: KubeletNode;
  let dataDir: string;
  let cri: CriClient;
  let registry: TestRegistry | undefined;
  const hasRegistry = registryRunnable;

  const pod = (name: string) => client.get<Pod>(podsRef, name, { namespace: 'default' });

  before(async () => {
    await cp.start();
    ({ s, client } = cp);
    ({ clusterCidr } = cp.run);
    bridge = cp.run.name('skt');
    kubeletNode = new KubeletNode({ kubeconfig: await cp.nodeKubeconfig(nodeName), nodeName, bridge });
    dataDir = kubeletNode.dataDir;
    if (hasRegistry) {
      // Debian's docker-registry on loopback, as docker.io's mirror for this node (k3s's registries.yaml)
      registry = await startNodeRegistry(dataDir, ['skiff/mirrored:1']);
      writeRegistriesYaml(dataDir, `mirrors:\n  docker.io:\n    endpoint: ["${registry.url}"]\n`);
    }
    await kubeletNode.start();
    cri = kubeletNode.cri;
    const out = await kubeletNode.importTestImage();
    assert.match(out, new RegExp(`imported ${busyboxImage.replace(/[.]/g, '\\.')} in \\d+ ms`));
  });

  after(async () => {
    try {
      await kubeletNode.cleanup(client);
    } finally {
      await registry?.stop();
      await cp.stop();
    }
  });

  test('registers a Ready node with host capacity, nodeInfo, labels and a lease', async () => {
    const node = await waitFor('node Ready', async () => {
      const n = await client.get<Node>(nodesRef, nodeName);
      return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? n : undefined;
    });
    assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], nodeName);
    assert.equal(node.metadata?.labels?.['kubernetes.io/os'], 'linux');
    assert.ok(node.metadata?.labels?.['kubernetes.io/arch']);
    assert.equal(node.status?.capacity?.pods, '110');
    assert.match(String(node.status?.capacity?.memory), /^\d+Ki$/);
    assert.ok(Number(node.status?.capacity?.cpu) >= 1);
    assert.match(String(node.status?.nodeInfo?.containerRuntimeVersion), /^containerd:\/\/1\./);
    assert.equal(node.status?.nodeInfo?.kubeletVersion, (await client.request<{ gitVersion: string }>({ method: 'GET', path: '/version' })).gitVersion);
    assert.ok(node.status?.addresses?.some((a) => a.type === 'InternalIP'));
    assert.ok(node.spec?.podCIDR?.startsWith(clusterCidr.split('.').slice(0, 2).join('.')));
    const lease = await client.get<Lease>(leasesRef, nodeName, { namespace: 'kube-node-lease' });
    assert.equal(lease.spec?.holderIdentity, nodeName);
    assert.equal(lease.metadata?.ownerReferences?.[0]?.uid, node.metadata?.uid);
  });

  let webContainerID = '';
  let webIP = '';

  test('kubectl run httpd becomes Running with a pod IP that answers HTTP from the host', async () => {
    const r = await s.kubectl(['run', 'web', `--image=${busyboxImage}`, '--', 'httpd', '-f', '-p', '80']);
    assert.equal(r.code, 0, r.stderr);
    const p = await waitFor('web Running', async () => {
      const x = await pod('web');
      return x.status?.phase === 'Running' && x.status.containerStatuses?.[0]?.ready ? x : undefined;
    });
    const st = p.status!;
    webIP = st.podIP!;
    assert.ok(webIP.startsWith(`${clusterCidr.split('.').slice(0, 2).join('.')}.`), webIP);
    assert.deepEqual(st.podIPs, [{ ip: webIP }]);
    assert.ok(st.hostIP && st.startTime);
    assert.deepEqual(st.conditions?.map((c) => [c.type, c.status]), [
      ['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True'],
    ]);
    const cs = st.containerStatuses![0];
    assert.equal(cs.name, 'web');
    assert.equal(cs.restartCount, 0);
    assert.equal(cs.started, true);
    assert.ok(cs.state?.running?.startedAt);
    assert.match(cs.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
    assert.match(cs.imageID ?? '', /sha256:[0-9a-f]{64}/);
    webContainerID = cs.containerID!;
    assert.match(await waitFor('HTTP answer', () => httpText(`http://${webIP}/`)), /^200 .*skiff busybox/s);
    const get = await s.kubectl(['get', 'pod', 'web', '-o', 'wide']);
    assert.match(get.stdout, new RegExp(`web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${webIP.replace(/\./g, '\\.')}\\s+${nodeName}`));
    const reasons = await waitFor('events', async () => {
      const evs = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'web' && e.source?.component === 'kubelet');
      const rs = evs.map((e) => e.reason);
      return ['Pulled', 'Created', 'Started'].every((x) => rs.includes(x)) ? evs : undefined;
    });
    assert.ok(reasons.every((e) => e.source?.host === nodeName));
  });

  test('a killed kubelet restarts, adopts its containerd, and keeps and re-adopts the container', async () => {
    await kubeletNode.stopKubelet('SIGKILL');
    // with the kubelet gone, the container still serves
    assert.match(await httpText(`http://${webIP}/`), /^200 /);
    const kubelet = await kubeletNode.start();
    assert.match(kubelet.output(), /containerd \S+ adopted \(pid \d+\)/);
    await waitFor('node Ready again', async () => (await client.get<Node>(nodesRef, nodeName)).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    // A pod created after the restart reaches Running only after the informer's initial list (which holds web) was
    // handed to the pod workers, so by then web has been synced by the new kubelet.
    assert.equal((await s.kubectl(['run', 'later', `--image=${busyboxImage}`, '--', 'sleep', '3600'])).code, 0);
    await waitFor('later Running', async () => (await pod('later')).status?.phase === 'Running');
    const ids = await cri.listContainers({ labelSelector: { 'io.kubernetes.pod.name': 'web' } });
    assert.equal(ids.length, 1);
    assert.equal(`containerd://${ids[0].id}`, webContainerID);
    assert.equal(ids[0].state, 'CONTAINER_RUNNING');
    const p = await pod('web');
    assert.equal(p.status?.containerStatuses?.[0]?.containerID, webContainerID);
    assert.equal(p.status?.containerStatuses?.[0]?.restartCount, 0);
    assert.match(await httpText(`http://${webIP}/`), /^200 /);
    const created = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'web' && e.reason === 'Created');
    assert.deepEqual(created.map((e) => e.count), [1]);
    assert.equal((await s.kubectl(['delete', 'pod', 'later', '--grace-period=0', '--force'])).code, 0);
  });

  test('deleting the pod stops its container and removes container and sandbox', async () => {
    const uid = (await pod('web')).metadata!.uid!;
    const r = await s.kubectl(['delete', 'pod', 'web', '--grace-period=1', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    const gone = await s.kubectl(['get', 'pod', 'web']);
    assert.match(gone.stderr, /NotFound/);
    assert.deepEqual(await cri.listContainers({ labelSelector: { [podUidLabel]: uid } }), []);
    assert.deepEqual(await cri.listPodSandbox({ labelSelector: { [podUidLabel]: uid } }), []);
    const killing = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.find((e) => e.involvedObject.name === 'web' && e.reason === 'Killing');
    assert.equal(killing?.message, 'Stopping container web');
  });

  test('a container that keeps exiting 1 goes to CrashLoopBackOff with restarts', async () => {
    const r = await s.kubectl(['run', 'crash', `--image=${busyboxImage}`, '--', 'sh', '-c', 'exit 1']);
    assert.equal(r.code, 0, r.stderr);
    const cs = await waitFor('CrashLoopBackOff', async () => {
      const c = (await pod('crash')).status?.containerStatuses?.[0];
      return c?.state?.waiting?.reason === 'CrashLoopBackOff' && (c.restartCount ?? 0) >= 1 ? c : undefined;
    });
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.match(cs.state?.waiting?.message ?? '', /^back-off \d+s restarting failed container=crash pod=crash_default\(/);
    assert.equal((await pod('crash')).status?.phase, 'Running');
    const get = await s.kubectl(['get', 'pod', 'crash']);
    assert.match(get.stdout, /crash\s+0\/1\s+CrashLoopBackOff\s+\d/);
  });

  test('an image that cannot be pulled gives ErrImagePull, then ImagePullBackOff', async () => {
    // a registry address on loopback where nothing listens: the pull fails at once, without leaving the machine
    const r = await s.kubectl(['run', 'bad', '--image=127.0.0.1:1/skiff/nope:1']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('ImagePullBackOff', async () => (await pod('bad')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
    const evs = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'bad');
    assert.ok(evs.some((e) => e.reason === 'Failed' && e.message === 'Error: ErrImagePull'));
    assert.ok(evs.some((e) => e.reason === 'Failed' && /^Failed to pull image "127\.0\.0\.1:1\/skiff\/nope:1": rpc error: code = \w+ desc = /.test(e.message ?? '')));
    assert.equal((await pod('bad')).status?.phase, 'Pending');
  });

  async function containerOf(podName: string): Promise<string> {
    const id = (await pod(podName)).status?.containerStatuses?.[0]?.containerID ?? '';
    return id.replace(/^containerd:\/\//, '');
  }

  test('a readiness probe gates Ready: not ready while it fails, ready once it passes', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gated' },
      spec: { containers: [{ name: 'c', image: busyboxImage, command: ['sleep', '3600'],
        readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 } }] },
    };
    assert.equal((await s.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) })).code, 0);
    await waitFor('a failed readiness probe', async () => (await client.list<Event>(eventsRef, { namespace: 'default' })).items
      .some((e) => e.involvedObject.name === 'gated' && e.reason === 'Unhealthy' && e.message?.startsWith('Readiness probe failed:')));
    const before = await pod('gated');
    assert.equal(before.status?.phase, 'Running');
    assert.equal(before.status?.containerStatuses?.[0]?.ready, false);
    assert.equal(before.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    const r = await cri.execSync(await containerOf('gated'), ['touch', '/tmp/ready'], 5);
    assert.equal(r.exitCode, 0);
    await waitFor('Ready', async () => (await pod('gated')).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    assert.equal((await pod('gated')).status?.containerStatuses?.[0]?.restartCount, 0);
  });

  test('a failing liveness probe restarts the container', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lively' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: busyboxImage, command: ['sh', '-c', 'touch /tmp/alive; exec sleep 3600'],
        livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 } }] },
    };
    assert.equal((await s.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) })).code, 0);
    await waitFor('lively Running', async () => (await pod('lively')).status?.containerStatuses?.[0]?.state?.running);
    const first = await containerOf('lively');
    assert.equal((await cri.execSync(first, ['rm', '/tmp/alive'], 5)).exitCode, 0);
    const cs = await waitFor('restarted', async () => {
      const c = (await pod('lively')).status?.containerStatuses?.[0];
      return (c?.restartCount ?? 0) >= 1 && c?.state?.running ? c : undefined;
    });
    assert.notEqual(cs.containerID, `containerd://${first}`);
    assert.equal(cs.lastState?.terminated?.containerID, `containerd://${first}`);
    const evs = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'lively');
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container c failed liveness probe, will be restarted'));
    assert.ok(evs.some((e) => e.reason === 'Unhealthy' && e.message?.startsWith('Liveness probe failed:')));
  });

  test('env and volumes from a ConfigMap, a Secret, the downward API and an emptyDir', async () => {
    assert.equal((await s.kubectl(['create', 'configmap', 'cfg', '--from-literal=mode=fast', '--from-literal=greeting=hello'])).code, 0);
    assert.equal((await s.kubectl(['create', 'secret', 'generic', 'sec', '--from-literal=password=hunter2'])).code, 0);
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'wired', labels: { tier: 'gold' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'c', image: busyboxImage, command: ['sleep', '3600'], workingDir: '/tmp',
          env: [
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'MSG', value: '$(MODE)-mode' },
          ],
          volumeMounts: [
            { name: 'config', mountPath: '/etc/cfg' }, { name: 'secret', mountPath: '/etc/sec' },
            { name: 'info', mountPath: '/etc/info' }, { name: 'scratch', mountPath: '/scratch' },
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: 'cfg' } }, { name: 'secret', secret: { secretName: 'sec' } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: "metadata.labels['tier']" } }] } },
          { name: 'scratch', emptyDir: {} },
        ],
      },
    };
    assert.equal((await s.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) })).code, 0);
    const p = await waitFor('wired Running', async () => {
      const x = await pod('wired');
      return x.status?.phase === 'Running' ? x : undefined;
    });
    const id = await containerOf('wired');
    const sh = async (cmd: string) => {
      const r = await cri.execSync(id, ['sh', '-c', cmd], 5);
      return `${r.exitCode}:${r.stdout.toString().trim()}`;
    };
    assert.equal(await sh('echo $MODE $PASSWORD $MSG $POD_IP; pwd'), `0:fast hunter2 fast-mode ${p.status?.podIP}\n/tmp`);
    assert.equal(await sh('cat /etc/cfg/greeting /etc/sec/password /etc/info/labels'), '0:hellohunter2gold');
    assert.equal(await sh('echo x > /scratch/f && cat /scratch/f'), '0:x');
    assert.match(await sh('echo y > /etc/cfg/new'), /^1:/, 'configMap volumes are read-only');
  });

  test('a run-once pod that exits 0 Succeeds and its sandbox is stopped', async () => {
    assert.equal((await s.kubectl(['run', 'once', `--image=${busyboxImage}`, '--restart=Never', '--', 'true'])).code, 0);
    const p = await waitFor('Succeeded', async () => {
      const x = await pod('once');
      return x.status?.phase === 'Succeeded' ? x : undefined;
    });
    assert.equal(p.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
    await waitFor('sandbox stopped', async () => {
      const sbs = await cri.listPodSandbox({ labelSelector: { [podUidLabel]: p.metadata!.uid! } });
      return sbs.length === 1 && sbs[0].state === 'SANDBOX_NOTREADY';
    });
    const get = await s.kubectl(['get', 'pod', 'once']);
    assert.match(get.stdout, /once\s+0\/1\s+Completed\s+0/);
  });

  test('activeDeadlineSeconds: the pod is killed and ends Failed with DeadlineExceeded', async () => {
    const r = await s.kubectl(['run', 'deadline', `--image=${busyboxImage}`, '--overrides={"spec":{"activeDeadlineSeconds":2,"terminationGracePeriodSeconds":1}}', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.stderr);
    const p = await waitFor('Failed', async () => {
      const x = await pod('deadline');
      return x.status?.phase === 'Failed' ? x : undefined;
    });
    assert.equal(p.status?.reason, 'DeadlineExceeded');
    assert.equal(p.status?.message, 'Pod was active on the node longer than the specified deadline');
    assert.ok(p.status?.containerStatuses?.[0]?.state?.terminated);
    const ev = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.find((e) => e.involvedObject.name === 'deadline' && e.reason === 'DeadlineExceeded');
    assert.equal(ev?.type, 'Warning');
  });

  test('deleting a pod runs its preStop hook before stopping the container', async () => {
    const shared = join(dataDir, 'hook-out');
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hooked' },
      spec: {
        terminationGracePeriodSeconds: 5,
        containers: [{ name: 'c', image: busyboxImage, command: ['sleep', '3600'], volumeMounts: [{ name: 'out', mountPath: '/out' }],
          lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo stopping > /out/prestop'] } } } }],
        volumes: [{ name: 'out', hostPath: { path: shared, type: 'DirectoryOrCreate' } }],
      },
    };
    assert.equal((await s.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) })).code, 0);
    await waitFor('hooked Running', async () => (await pod('hooked')).status?.phase === 'Running');
    assert.equal(existsSync(join(shared, 'prestop')), false);
    const del = await s.kubectl(['delete', 'pod', 'hooked', '--timeout=60s']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(readFileSync(join(shared, 'prestop'), 'utf8'), 'stopping\n');
  });

  test('an image pulled through the docker.io mirror of registries.yaml (a registry on loopback)', { skip: hasRegistry ? false : 'needs docker-registry' }, async () => {
    const r = await s.kubectl(['run', 'mirrored', '--image=docker.io/skiff/mirrored:1', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.stderr);
    const p = await waitFor('mirrored Running', async () => {
      const x = await pod('mirrored');
      return x.status?.phase === 'Running' ? x : undefined;
    });
    assert.match(p.status?.containerStatuses?.[0]?.imageID ?? '', /^docker\.io\/skiff\/mirrored@sha256:[0-9a-f]{64}$/);
    const evs = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'mirrored');
    assert.ok(evs.some((e) => e.reason === 'Pulling' && e.message === 'Pulling image "docker.io/skiff/mirrored:1"'));
    const pulled = /^Successfully pulled image "docker\.io\/skiff\/mirrored:1" in [\d.]+s \([\d.]+s including waiting\)\. Image size: \d+ bytes\.$/;
    assert.ok(evs.some((e) => e.reason === 'Pulled' && pulled.test(e.message ?? '')));
  });

  test('containerd killed under the kubelet is restarted; running containers survive and new pods start', async () => {
    assert.equal((await s.kubectl(['run', 'survivor', `--image=${busyboxImage}`, '--', 'sleep', '3600'])).code, 0);
    await waitFor('survivor Running', async () => (await pod('survivor')).status?.phase === 'Running');
    const id = await containerOf('survivor');
    const pidFile = containerdLayout(dataDir).pidFile;
    const oldPid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(oldPid, 'SIGKILL');
    await waitFor('kubelet noticed', () => /containerd \(pid \d+\) exited unexpectedly; restarting it/.test(kubeletNode.kubelet!.output()));
    await waitFor('a new containerd', () => Number(readFileSync(pidFile, 'utf8')) !== oldPid);
    const c = await waitFor('CRI answers again', async () => (await cri.listContainers({ id }))[0]);
    assert.equal(c.state, 'CONTAINER_RUNNING');
    assert.equal((await s.kubectl(['run', 'newcomer', `--image=${busyboxImage}`, '--', 'sleep', '3600'])).code, 0);
    await waitFor('newcomer Running', async () => (await pod('newcomer')).status?.phase === 'Running');
    assert.equal(await containerOf('survivor'), id);
  });

  test('init containers run to completion, in order, before the app container', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'inited' },
      spec: {
        terminationGracePeriodSeconds: 1,
        initContainers: [
          { name: 'first', image: busyboxImage, command: ['sh', '-c', 'echo one > /work/log'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
          { name: 'second', image: busyboxImage, command: ['sh', '-c', 'echo two >> /work/log'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        ],
        containers: [{ name: 'app', image: busyboxImage, command: ['sleep', '3600'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
        volumes: [{ name: 'work', emptyDir: {} }],
      },
    };
    assert.equal((await s.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) })).code, 0);
    const p = await waitFor('inited Running', async () => {
      const x = await pod('inited');
      return x.status?.phase === 'Running' ? x : undefined;
    });
    assert.deepEqual(p.status?.initContainerStatuses?.map((c) => [c.name, c.state?.terminated?.reason, c.state?.terminated?.exitCode]), [
      ['first', 'Completed', 0], ['second', 'Completed', 0],
    ]);
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
    const r = await cri.execSync(await containerOf('inited'), ['cat', '/work/log'], 5);
    assert.equal(r.stdout.toString(), 'one\ntwo\n');
  });
});
