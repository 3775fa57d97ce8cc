// The Node authorizer, NodeRestriction and system:node-proxier with real kubectl, using the certificates a joining
// agent gets (POST /v1-skiff/client-kubelet for system:node:a and system:node:b, /v1-skiff/client-kube-proxy): node
// a reads pods and the secret its pod mounts, and is refused (403, upstream's words) another node's Node and pod, a
// pod that is not its mirror pod, a secret none of its pods uses, the API server's /metrics; kube-proxy lists
// services and endpointslices and is refused secrets and pods; the admin is unaffected. Needs no root: no kubelet
// runs, the objects a kubelet would write are written with kubectl as that node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinCluster, joinKubeProxy } from '../../src/cli/agent-command.ts';
import { kubeconfigYaml } from '../../src/server/kubeconfig.ts';
import { adminClient } from '../support/http.ts';
import { kubectlBinary, startTestServer, type KubectlResult, type TestServer } from '../support/server.ts';

describe('node and kube-proxy identities', () => {
  let s: TestServer;
  const scratch = mkdtempSync(join(tmpdir(), 'skiff-node-authz-'));
  const kubeconfigs: Record<'a' | 'b' | 'proxy', string> = { a: '', b: '', proxy: '' };

  const kubectlAs = (who: keyof typeof kubeconfigs | 'admin', args: string[], stdin?: string): Promise<KubectlResult> => {
    const kubeconfig = who === 'admin' ? s.kubeconfig : kubeconfigs[who];
    return new Promise((resolve) => {
      const child = execFile(kubectlBinary(), ['--kubeconfig', kubeconfig, '--cache-dir', join(scratch, `cache-${who}`), ...args],
        { env: { ...process.env, HOME: scratch, KUBECONFIG: kubeconfig } }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        });
      child.stdin?.end(stdin ?? '');
    });
  };
  const ok = async (who: keyof typeof kubeconfigs | 'admin', args: string[], stdin?: string): Promise<string> => {
    const r = await kubectlAs(who, args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} as ${who}: ${r.stderr}`);
    return r.stdout;
  };
  const forbidden = async (who: keyof typeof kubeconfigs, args: string[], message: string, stdin?: string): Promise<void> => {
    const r = await kubectlAs(who, args, stdin);
    assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} as ${who} succeeded: ${r.stdout}`);
    assert.equal(r.stderr.trim(), `Error from server (Forbidden): ${message}`);
  };
  const pod = (name: string, node: string, volumes: object[] = []): string => JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], volumes },
  });
  const nodeObject = (name: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } });

  before(async () => {
    s = await startTestServer();
    for (const n of ['a', 'b'] as const) {
      const cert = await joinCluster(s.url, s.joinToken, n);
      kubeconfigs[n] = join(scratch, `node-${n}.kubeconfig`);
      writeFileSync(kubeconfigs[n], kubeconfigYaml({ server: s.url, ca: cert.ca, client: { certPem: cert.certificate, keyPem: cert.key } }), { mode: 0o600 });
    }
    const proxy = await joinKubeProxy(s.url, s.joinToken);
    kubeconfigs.proxy = join(scratch, 'kube-proxy.kubeconfig');
    writeFileSync(kubeconfigs.proxy, kubeconfigYaml({ server: s.url, ca: proxy.ca, client: { certPem: proxy.certificate, keyPem: proxy.key } }), { mode: 0o600 });
    // each node registers its own Node, as its kubelet does
    await ok('a', ['create', '-f', '-'], nodeObject('a'));
    await ok('b', ['create', '-f', '-'], nodeObject('b'));
    await ok('admin', ['create', 'secret', 'generic', 'web-secret', '--from-literal=k=v']);
    await ok('admin', ['create', 'secret', 'generic', 'unused', '--from-literal=k=v']);
    await ok('admin', ['create', '-f', '-'], pod('web', 'a', [{ name: 's', secret: { secretName: 'web-secret' } }]));
    await ok('admin', ['create', '-f', '-'], pod('elsewhere', 'b'));
  });
  after(async () => {
    await s.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a node reads pods, nodes and services', async () => {
    assert.match(await ok('a', ['get', 'pods', '-A', '-o', 'name']), /pod\/elsewhere\npod\/web/);
    assert.match(await ok('a', ['get', 'nodes', '-o', 'name']), /node\/a\nnode\/b/);
    await ok('a', ['get', 'services', '-A']);
  });

  test('a node writes its own Node, and is refused another node\'s (NodeRestriction)', async () => {
    await ok('a', ['label', 'node', 'a', 'example.com/rack=r1']);
    await forbidden('a', ['label', 'node', 'b', 'example.com/rack=r1'], 'nodes "b" is forbidden: node "a" is not allowed to modify node "b"');
    await forbidden('a', ['delete', 'node', 'b'], 'nodes "b" is forbidden: User "system:node:a" cannot delete resource "nodes" in API group "" at the cluster scope');
    await forbidden('a', ['taint', 'node', 'a', 'k=v:NoSchedule'], 'nodes "a" is forbidden: node "a" is not allowed to modify taints');
    await forbidden('a', ['label', 'node', 'a', 'node-role.kubernetes.io/control-plane=true'],
      'nodes "a" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane');
  });

  test('a node may not touch another node\'s pods, nor make pods that are not its mirror pods', async () => {
    await forbidden('a', ['delete', 'pod', 'elsewhere'], 'pods "elsewhere" is forbidden: node "a" can only delete pods with spec.nodeName set to itself');
    await forbidden('a', ['label', 'pod', 'web', 'x=y'], 'pods "web" is forbidden: User "system:node:a" cannot patch resource "pods" in API group "" in the namespace "default"');
    await forbidden('a', ['run', 'sneaky', '--image=busybox', '--overrides={"spec":{"nodeName":"a"}}'],
      'pods "sneaky" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "a" can only create mirror pods');
    await forbidden('a', ['logs', 'web'], 'pods "web" is forbidden: User "system:node:a" cannot get resource "pods/log" in API group "" in the namespace "default"');
  });

  test('a node writes the status of its own pods only (as its kubelet does: a merge patch, no read of pods/status)', async () => {
    const asA = adminClient(kubeconfigs.a);
    const patch = (name: string) => asA.send('PATCH', `/api/v1/namespaces/default/pods/${name}/status`, '{"status":{"message":"from node a"}}',
      { 'Content-Type': 'application/merge-patch+json' });
    const own = await patch('web');
    assert.equal(own.status, 200, own.body.toString());
    const other = await patch('elsewhere');
    assert.equal(other.status, 403);
    assert.equal(other.json().message, 'pods "elsewhere" is forbidden: node "a" can only update pod status for pods with spec.nodeName set to itself');
    // kubectl patch --subresource=status reads pods/status first, which upstream's node rules do not grant either
    await forbidden('a', ['patch', 'pod', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"message":"x"}}'],
      'pods "web" is forbidden: User "system:node:a" cannot get resource "pods/status" in API group "" in the namespace "default"');
  });

  test('a node creates a mirror pod owned by its Node, not one bound elsewhere', async () => {
    const uid = (await ok('a', ['get', 'node', 'a', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const mirror = (node: string) => JSON.stringify({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `static-${node}`, namespace: 'kube-system', annotations: { 'kubernetes.io/config.mirror': 'h' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'a', uid, controller: true }] },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
    });
    await ok('a', ['create', '-f', '-'], mirror('a'));
    await forbidden('a', ['create', '-f', '-'], 'error when creating "STDIN": pods "static-b" is forbidden: node "a" can only create pods with spec.nodeName set to itself', mirror('b'));
    await ok('a', ['delete', 'pod', '-n', 'kube-system', 'static-a', '--wait=false']);
  });

  test('a node reads the secrets its pods use, no other', async () => {
    assert.equal(await ok('a', ['get', 'secret', 'web-secret', '-o', 'jsonpath={.data.k}']), 'dg==');
    await forbidden('a', ['get', 'secret', 'unused'],
      'secrets "unused" is forbidden: User "system:node:a" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'a\' and this object');
    await forbidden('b', ['get', 'secret', 'web-secret'],
      'secrets "web-secret" is forbidden: User "system:node:b" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'b\' and this object');
    await forbidden('a', ['get', 'secrets'],
      'secrets is forbidden: User "system:node:a" cannot list resource "secrets" in API group "" in the namespace "default": No Object name found');
  });

  test('a node\'s 403 is upstream\'s Status; /metrics is not a node\'s', async () => {
    const r = await adminClient(kubeconfigs.a).send('DELETE', '/api/v1/namespaces/default/pods/elsewhere', '{}');
    assert.equal(r.status, 403);
    assert.deepEqual(r.json(), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'pods "elsewhere" is forbidden: node "a" can only delete pods with spec.nodeName set to itself',
      reason: 'Forbidden', details: { name: 'elsewhere', kind: 'pods' }, code: 403,
    });
    await forbidden('a', ['get', '--raw', '/metrics'], 'forbidden: User "system:node:a" cannot get path "/metrics"');
    assert.match(await ok('a', ['get', 'pod', 'elsewhere', '-o', 'name']), /pod\/elsewhere/);
  });

  test('a node renews its own Lease only', async () => {
    const lease = (name: string) => JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name } });
    await ok('a', ['create', '-f', '-'], lease('a'));
    await forbidden('a', ['create', '-f', '-'], 'error when creating "STDIN": leases.coordination.k8s.io "b" is forbidden: can only access node lease with the same name as the requesting node', lease('b'));
  });

  test('a node deletes a pod bound to it', async () => {
    await ok('a', ['delete', 'pod', 'web', '--wait=false']);
  });

  test('kube-proxy reads services, endpoints, endpointslices and nodes, nothing more', async () => {
    await ok('proxy', ['get', 'services', '-A']);
    await ok('proxy', ['get', 'endpointslices.discovery.k8s.io', '-A']);
    await ok('proxy', ['get', 'endpoints', '-A']);
    await ok('proxy', ['get', 'nodes']);
    await forbidden('proxy', ['get', 'secrets'], 'secrets is forbidden: User "system:kube-proxy" cannot list resource "secrets" in API group "" in the namespace "default"');
    await forbidden('proxy', ['get', 'pods', '-A'], 'pods is forbidden: User "system:kube-proxy" cannot list resource "pods" in API group "" at the cluster scope');
    await forbidden('proxy', ['delete', 'service', 'kubernetes'], 'services "kubernetes" is forbidden: User "system:kube-proxy" cannot delete resource "services" in API group "" in the namespace "default"');
  });

  test('the admin is unaffected', async () => {
    await ok('admin', ['get', 'secrets', '-A']);
    await ok('admin', ['delete', 'node', 'b']);
  });
});
