// In-cluster clients on a default `skiff server` (no --bind-address: it listens on 0.0.0.0 as k3s does): the
// `kubernetes` Service's Endpoints and EndpointSlice carry the advertised host address (here --node-ip), never
// loopback, while the admin kubeconfig stays on https://127.0.0.1:PORT; and a pod with the default ServiceAccount
// runs the real kubectl (a static binary from the host, mounted by hostPath into the busybox test image) with no
// kubeconfig, i.e. rest.InClusterConfig: KUBERNETES_SERVICE_HOST/PORT from the kubelet, the token, ca.crt and
// namespace from the kube-api-access volume admission gave it. Its requests go to the Service IP, which kube-proxy
// DNATs to the API server; a bogus token is refused there. The server gets an address of its own on a test bridge
// and the run's own Service CIDR, pod CIDR and kube-proxy table (test/support/isolation.ts), as the tour does.
// Cleaned up: pods and sandboxes, the server process by PID, containerd, the kube-proxy table, bridges, CNI
// results, temp dirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { RestClient, isNotFound, resourceRef } from '../../src/client/index.ts';
import { mountsUnder } from '../../src/node/cri/containerd.ts';
import { buildTestImageArchive, busyboxImage } from '../../src/node/images/busybox.ts';
import { firstAddress } from '../../src/api/net/ipv4.ts';
import { type SkiffProcess, freePort, skiffBin, startSkiff } from '../support/process.ts';
import { kubectlBinary } from '../support/server.ts';
import { cleanNodeHost, createNodeNamespace, removeSandboxes, type NodeNamespace } from '../support/nodes.ts';
import { waitFor } from '../support/wait.ts';
import { claimRun, serverRunFlags, type TestRun } from '../support/isolation.ts';

const podsRef = resourceRef('v1', 'pods');
const kubectlOnHost = kubectlBinary('1.33');

const runnable = process.getuid?.() === 0 && existsSync('/usr/bin/containerd') && existsSync('/bin/busybox')
  && existsSync('/usr/lib/cni/bridge') && existsSync('/usr/sbin/nft') && existsSync(kubectlOnHost);

interface Run { code: number; stdout: string; stderr: string }

function run(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env ?? process.env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function getOrUndefined<T extends object>(client: RestClient, ref: ReturnType<typeof resourceRef>, name: string, namespace: string): Promise<T | undefined> {
  try {
    return await client.get<T & { metadata?: object }>(ref, name, { namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

describe('in-cluster config on a default skiff server', { skip: runnable ? false : `needs root, containerd, busybox-static, CNI plugins, nft and ${kubectlOnHost}` }, () => {
  let testRun: TestRun;
  let bridge = '';
  let proxyTable = '';
  const root = mkdtempSync(join(tmpdir(), 'skiff-incluster-'));
  const dataDir = join(root, 'server');
  let ns: NodeNamespace;
  let server: SkiffProcess | undefined;
  let client: RestClient;
  let port = 0;
  const kubeconfig = join(dataDir, 'server', 'cred', 'admin.kubeconfig');
  const kubectl = (args: string[]): Promise<Run> =>
    run(kubectlBinary(), ['--kubeconfig', kubeconfig, '--cache-dir', join(root, 'kubectl-cache'), ...args], { ...process.env, HOME: root });
  const ok = async (args: string[]): Promise<string> => {
    const r = await kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    testRun = await claimRun();
    bridge = testRun.name('ski');
    proxyTable = testRun.name('skiff-p');
    ns = createNodeNamespace(testRun.name('skiff-ic-'), testRun.name('skj'), testRun.net(0));
    port = await freePort();
    // no --bind-address: the default is what this test is about
    server = await startSkiff([
      'server', '--data-dir', dataDir, '--https-listen-port', String(port), '--node-name', testRun.name('incluster-'),
      '--node-ip', ns.hostIP, '--cni-bridge', bridge, '--disable', 'coredns', ...serverRunFlags(testRun),
    ], /API server listening/, 90_000);
    client = RestClient.fromKubeconfig(kubeconfig, { userAgent: 'in-cluster-test', qps: 0 });
    const archive = join(root, 'busybox.tar');
    writeFileSync(archive, buildTestImageArchive());
    const imported = await run(process.execPath, [skiffBin, 'image', 'import', '--data-dir', dataDir, archive]);
    assert.equal(imported.code, 0, imported.stderr);
  });

  after(async () => {
    try {
      await client.delete(podsRef, 'incluster', { namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined);
      await waitFor('no pods left', async () => (await client.list<Pod>(podsRef, { namespace: 'default' })).items.length === 0, 60_000, 250);
    } catch {
      // the server may be gone
    }
    await removeSandboxes(dataDir);
    client?.close();
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
    await server?.exited;
    cleanNodeHost(dataDir, bridge);
    try {
      execFileSync('nft', ['delete', 'table', 'ip', proxyTable], { stdio: 'ignore' });
    } catch {
      // never made
    }
    ns?.destroy();
    assert.deepEqual(mountsUnder(root), []);
    rmSync(root, { recursive: true, force: true });
    await testRun?.release();
  });

  test('it listens everywhere, advertises the node address to pods and keeps its own kubeconfig on loopback', async () => {
    assert.match(server!.output(), new RegExp(`skiff: API server listening on https://127\\.0\\.0\\.1:${port}\\n`));
    assert.match(readFileSync(kubeconfig, 'utf8'), new RegExp(`server: https://127\\.0\\.0\\.1:${port}\\n`));
    assert.equal(await ok(['get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.subsets[*].addresses[*].ip}:{.subsets[*].ports[*].port}']), `${ns.hostIP}:${port}`);
    assert.equal(await ok(['get', 'endpointslice', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.endpoints[*].addresses[*]}']), ns.hostIP);
  });

  test('a pod with the default ServiceAccount runs kubectl in-cluster through the kubernetes Service', async () => {
    const serviceIP = firstAddress(testRun.serviceCidr);
    // the kubelet requests the token for the account, and the volume carries the namespace's kube-root-ca.crt
    await waitFor('the default ServiceAccount and kube-root-ca.crt', async () =>
      (await getOrUndefined<ServiceAccount>(client, resourceRef('v1', 'serviceaccounts'), 'default', 'default'))
      && (await getOrUndefined<ConfigMap>(client, resourceRef('v1', 'configmaps'), 'kube-root-ca.crt', 'default')), 60_000, 250);
    const k = '/kubectl --cache-dir /tmp/kc';
    const script = [
      'set -e',
      'echo "env $KUBERNETES_SERVICE_HOST $KUBERNETES_SERVICE_PORT $KUBERNETES_SERVICE_PORT_HTTPS $KUBERNETES_PORT"',
      'echo "namespace $(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"',
      `${k} get --raw /version | tr -d ' \\n'; echo`,
      `${k} get pods -o name`,
      `if ${k} --token=bogus get pods 2>/tmp/err; then echo "bogus token accepted"; exit 1; fi`,
      'echo "bogus: $(cat /tmp/err)"',
    ].join('\n');
    const pod: Pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'incluster', namespace: 'default' },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'c', image: busyboxImage, command: ['sh', '-c', script], volumeMounts: [{ name: 'kubectl', mountPath: '/kubectl', readOnly: true }] }],
        volumes: [{ name: 'kubectl', hostPath: { path: kubectlOnHost, type: 'File' } }],
      },
    };
    const created = await client.create<Pod>(podsRef, pod, { namespace: 'default' });
    const apiAccess = created.spec!.volumes!.find((v) => v.name.startsWith('kube-api-access-'));
    assert.ok(apiAccess?.projected, 'admission gave the pod its token volume');
    const done = await waitFor('the pod finished', async () => {
      const p = await client.get<Pod>(podsRef, 'incluster', { namespace: 'default' });
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 120_000, 250);
    const logs = await ok(['logs', 'incluster']);
    assert.equal(done.status?.phase, 'Succeeded', logs);
    assert.match(logs, new RegExp(`^env ${serviceIP.replaceAll('.', '\\.')} 443 443 tcp://${serviceIP.replaceAll('.', '\\.')}:443$`, 'm'));
    assert.match(logs, /^namespace default$/m);
    assert.match(logs, /^\{"major":"1","minor":"\d+".*"gitVersion":"v1\.\d+\.\d+/m);
    assert.match(logs, /^pod\/incluster$/m);
    assert.match(logs, /^bogus: .*Unauthorized/m);
  });
});
