// Real kubectl 1.27…1.33 against a loopback server that serves only /version, plain discovery and Skiff's OpenAPI:
// `explain deployment.spec.strategy` must print upstream's fields and wording, and `apply --dry-run=server`,
// `create -f` and `replace -f` must leave validation to the server (fieldValidation=Strict) without
// "failed to download openapi". The discovery harness lives here only; the real one is the apiserver's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resources } from '../resources.ts';
import { OpenApi, handleOpenApiRequest } from './index.ts';

const kubectlDir = '/usr/lib/google-cloud-sdk/bin';
// Every version must be installed: a missing kubectl is a failure (below), never a quietly smaller test.
const versions = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];

interface Seen { method: string; url: string; accept: string; contentType: string; body: string }

function discovery(port: number): (path: string) => object | undefined {
  const gvs = new Map<string, typeof resources>();
  for (const r of resources) {
    const key = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
    gvs.set(key, [...(gvs.get(key) ?? []), r]);
  }
  return (path) => {
    if (path === '/api') {
      return { kind: 'APIVersions', versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] };
    }
    if (path === '/apis') {
      const groups = [...new Set(resources.filter((r) => r.group !== '').map((r) => r.group))].map((name) => {
        const gv = { groupVersion: `${name}/v1`, version: 'v1' };
        return { name, versions: [gv], preferredVersion: gv };
      });
      return { kind: 'APIGroupList', apiVersion: 'v1', groups };
    }
    const rs = gvs.get(path);
    if (!rs) return undefined;
    const list: object[] = [];
    for (const r of rs) {
      list.push({ name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.categories.length ? { categories: r.categories } : {}) });
      if (r.subresources.status) {
        list.push({ name: `${r.resource}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind,
          verbs: ['get', 'patch', 'update'] });
      }
      if (r.subresources.scale) {
        list.push({ name: `${r.resource}/scale`, singularName: '', namespaced: r.namespaced, group: 'autoscaling',
          version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: rs[0].group ? `${rs[0].group}/v1` : 'v1', resources: list };
  };
}

function run(bin: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
  labels: {app: x}
spec:
  replicas: 2
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
`;

describe('real kubectl against the served OpenAPI', () => {
  it('has every kubectl version installed', () => {
    assert.deepEqual(versions.filter((v) => !existsSync(join(kubectlDir, `kubectl.${v}`))), []);
  });

  let server: Server;
  let dir: string;
  let port = 0;
  const seen: Seen[] = [];
  /** Whether the harness pretends deployment x exists (GET answers it) for the command being run. */
  let present = false;

  before(async () => {
    const api = await OpenApi.load(resources);
    dir = mkdtempSync(join(tmpdir(), 'skiff-openapi-'));
    let disc: (path: string) => object | undefined = () => undefined;
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = req.url ?? '/';
        const path = url.split('?')[0];
        seen.push({ method: req.method ?? '', url, accept: String(req.headers.accept ?? ''),
          contentType: String(req.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString() });
        const json = (status: number, body: object) => {
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (path === '/version') {
          return json(200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
        }
        const oa = handleOpenApiRequest(api, url, String(req.headers.accept ?? ''),
          req.headers['if-none-match'] as string | undefined);
        if (oa) {
          res.writeHead(oa.status, oa.headers);
          return res.end(oa.body);
        }
        const d = disc(path);
        if (d) return json(200, d);
        if (path.startsWith('/apis/apps/v1/namespaces/default/deployments')) {
          if (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') {
            const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as object;
            return json(req.method === 'POST' ? 201 : 200,
              { ...body, apiVersion: 'apps/v1', kind: 'Deployment',
                metadata: { name: 'x', namespace: 'default', uid: 'u1', resourceVersion: '2' } });
          }
          if (req.method === 'GET' && path.endsWith('/x') && present) {
            return json(200, { apiVersion: 'apps/v1', kind: 'Deployment',
              metadata: { name: 'x', namespace: 'default', uid: 'u1', resourceVersion: '1', labels: { app: 'x' } },
              spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } },
                spec: { containers: [{ name: 'nginx', image: 'nginx:1.24' }, { name: 'side', image: 'busybox' }] } } } });
          }
        }
        json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404,
          message: `the server could not find the requested resource (${path})` });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    disc = discovery(port);
    writeFileSync(join(dir, 'kubeconfig'), `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: u, user: {}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]
current-context: x
`);
    writeFileSync(join(dir, 'x.yaml'), deployment);
  });

  after(async () => {
    if (process.env.SKIFF_OPENAPI_TRACE) for (const s of seen) console.log(s.method, s.url, s.accept, s.contentType);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = (v: string, ...args: string[]) =>
    run(join(kubectlDir, `kubectl.${v}`), ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, `cache-${v}`), ...args]);

  for (const v of versions) {
    it(`kubectl ${v}: explain deployment.spec.strategy`, async () => {
      const r = await kubectl(v, 'explain', 'deployment.spec.strategy');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /strategy\s+<(DeploymentStrategy|Object)>/);
      assert.match(r.stdout, /The deployment strategy to use to replace existing pods with new ones\./);
      assert.match(r.stdout, /rollingUpdate\s+<(RollingUpdateDeployment|Object)>/);
      assert.match(r.stdout, /type\s+<string>/);
      assert.match(r.stdout, /Type of deployment\. Can be "Recreate" or "RollingUpdate"\. Default is\s+RollingUpdate\./);
    });

    it(`kubectl ${v}: explain from the v2 protobuf document`, async () => {
      // kube-openapi parses the whole gnostic document first, so this proves the encoding end to end.
      const r = await kubectl(v, 'explain', 'pods.spec.containers.ports', '--output=plaintext-openapiv2');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /containerPort\s+<integer> -required-/);
      assert.match(r.stdout, /Protocol for port\. Must be UDP, TCP, or SCTP\./);
    });

    it(`kubectl ${v}: apply --dry-run=server leaves validation to the server`, async () => {
      const before = seen.length;
      const r = await kubectl(v, 'apply', '-f', join(dir, 'x.yaml'), '--dry-run=server');
      assert.doesNotMatch(r.stderr, /failed to download openapi/);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /deployment\.apps\/x created \(server dry run\)/);
      const post = seen.slice(before).find((s) => s.method === 'POST');
      assert.ok(post, 'kubectl sent the object');
      assert.match(post.url, /fieldValidation=Strict/);
      assert.match(post.url, /dryRun=All/);
    });

    it(`kubectl ${v}: apply to an existing object sends a strategic merge patch`, async () => {
      const before = seen.length;
      present = true;
      const r = await kubectl(v, 'apply', '-f', join(dir, 'x.yaml'), '--dry-run=server');
      present = false;
      assert.doesNotMatch(r.stderr, /failed to download openapi/);
      assert.equal(r.code, 0, r.stderr);
      const patch = seen.slice(before).find((s) => s.method === 'PATCH');
      assert.ok(patch, 'kubectl sent a patch');
      assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
      assert.match(patch.url, /fieldValidation=Strict/);
      // The containers list merges by name (x-kubernetes-patch-merge-key), so only the changed image travels.
      const body = JSON.parse(patch.body) as { spec: { template: { spec: { containers: unknown[] } } } };
      assert.deepEqual(body.spec.template.spec.containers, [{ image: 'nginx:1.25', name: 'nginx' }]);
    });

    it(`kubectl ${v}: replace -f and diff -f`, async () => {
      let before = seen.length;
      present = true;
      const r = await kubectl(v, 'replace', '-f', join(dir, 'x.yaml'));
      assert.doesNotMatch(r.stderr, /failed to download openapi/);
      assert.equal(r.code, 0, r.stderr);
      const put = seen.slice(before).find((s) => s.method === 'PUT');
      assert.match(put?.url ?? '', /fieldValidation=Strict/);
      before = seen.length;
      const d = await kubectl(v, 'diff', '-f', join(dir, 'x.yaml'));
      present = false;
      assert.doesNotMatch(d.stderr, /failed to download openapi|error/i);
      assert.ok(d.code === 0 || d.code === 1, d.stderr);
      assert.ok(seen.slice(before).some((s) => /dryRun=All/.test(s.url)), 'diff asked the server for a dry run');
    });

    it(`kubectl ${v}: create -f asks for strict validation`, async () => {
      const before = seen.length;
      const r = await kubectl(v, 'create', '-f', join(dir, 'x.yaml'));
      assert.doesNotMatch(r.stderr, /failed to download openapi/);
      assert.equal(r.code, 0, r.stderr);
      const post = seen.slice(before).find((s) => s.method === 'POST');
      assert.match(post?.url ?? '', /fieldValidation=Strict/);
    });
  }
});
