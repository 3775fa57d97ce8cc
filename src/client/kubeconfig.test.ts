import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultKubeconfigPath, inClusterConfig, loadKubeconfig, parseKubeconfig } from './kubeconfig.ts';

const doc = `
apiVersion: v1
kind: Config
current-context: admin
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority: pki/ca.crt
- name: other
  cluster:
    server: https://10.0.0.1:6443
    insecure-skip-tls-verify: true
    tls-server-name: kubernetes
users:
- name: admin
  user:
    client-certificate: /abs/admin.crt
    client-key-data: ${Buffer.from('KEY').toString('base64')}
- name: robot
  user:
    tokenFile: token
contexts:
- name: admin
  context: {cluster: local, user: admin}
- name: robot
  context: {cluster: other, user: robot, namespace: kube-system}
`;

test('loads cluster, user and context; relative files resolve next to the kubeconfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kcfg-'));
  try {
    mkdirSync(join(dir, 'pki'));
    writeFileSync(join(dir, 'pki', 'ca.crt'), 'CA');
    writeFileSync(join(dir, 'token'), 'tok-123\n');
    const file = join(dir, 'config');
    writeFileSync(file, doc.replace('/abs/admin.crt', join(dir, 'admin.crt')));
    writeFileSync(join(dir, 'admin.crt'), 'CERT');
    const admin = loadKubeconfig(file);
    assert.equal(admin.server, 'https://127.0.0.1:6443');
    assert.equal(admin.ca?.toString(), 'CA');
    assert.equal(admin.cert?.toString(), 'CERT');
    assert.equal(admin.key?.toString(), 'KEY');
    assert.equal(admin.token, undefined);
    assert.equal(admin.namespace, 'default');
    const robot = loadKubeconfig(file, { context: 'robot' });
    assert.equal(robot.token, 'tok-123');
    assert.equal(robot.insecureSkipTLSVerify, true);
    assert.equal(robot.tlsServerName, 'kubernetes');
    assert.equal(robot.namespace, 'kube-system');
    assert.throws(() => loadKubeconfig(file, { context: 'nope' }), /context "nope" does not exist/);
    assert.equal(defaultKubeconfigPath({ KUBECONFIG: `/missing:${file}` }), file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('errors name what is missing', () => {
  assert.throws(() => parseKubeconfig('clusters: []\ncontexts: []\n'), /no current-context/);
  assert.throws(() => parseKubeconfig('current-context: a\ncontexts: [{name: a, context: {cluster: c}}]\n'), /cluster "c" has no server/);
});

test('in-cluster config reads the service account mount', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sa-'));
  try {
    writeFileSync(join(dir, 'token'), 'sa-token');
    writeFileSync(join(dir, 'ca.crt'), 'CA');
    writeFileSync(join(dir, 'namespace'), 'apps');
    const cfg = inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.43.0.1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    assert.deepEqual({ ...cfg, ca: cfg.ca?.toString() }, { server: 'https://10.43.0.1:443', token: 'sa-token', ca: 'CA', namespace: 'apps' });
    assert.throws(() => inClusterConfig({}, dir), /KUBERNETES_SERVICE_HOST/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
