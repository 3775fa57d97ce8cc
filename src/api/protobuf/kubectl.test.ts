// Real kubectl 1.32/1.33 against a loopback recorder: each `kubectl create ...` POSTs a protobuf body, which must
// decode to the same object the same kubectl prints for `--dry-run=client -o json` (nulls aside, since Go's
// JSON writes a zero Time as null where the decoder leaves the field absent). The decoded object must also
// survive encode -> decode unchanged. Skipped when the kubectl binaries are not installed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeK8sProtobuf, encodeK8sProtobuf } from './index.ts';

const run = promisify(execFile);
const BIN = '/usr/lib/google-cloud-sdk/bin';
// both binaries are part of the test environment: a missing one fails, never drops out silently
const versions = ['1.32', '1.33'];

interface Recorded { contentType: string; body: Buffer; url: string; userAgent: string }

const resourceLists: Record<string, unknown> = {
  '/api/v1': {
    kind: 'APIResourceList', groupVersion: 'v1', resources: [
      ['pods', 'Pod'], ['services', 'Service'], ['namespaces', 'Namespace', false], ['configmaps', 'ConfigMap'],
      ['secrets', 'Secret'], ['serviceaccounts', 'ServiceAccount'],
    ].map(([name, kind, namespaced]) => ({
      name, singularName: '', namespaced: namespaced !== false, kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  },
  '/apis/apps/v1': {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: [{
      name: 'deployments', singularName: '', namespaced: true, kind: 'Deployment',
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    }],
  },
};

/** Answers discovery and records each POST, replying 201 with the object it decoded. */
function recorder(minor: string, posts: Recorded[]): Server {
  const json = (res: ServerResponse, code: number, body: unknown): void => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'POST') {
        const rec = {
          contentType: String(req.headers['content-type']), body: Buffer.concat(chunks), url: req.url ?? '',
          userAgent: String(req.headers['user-agent']),
        };
        posts.push(rec);
        try {
          const obj = rec.contentType.includes('protobuf') ? decodeK8sProtobuf(rec.body) : JSON.parse(rec.body.toString());
          json(res, 201, obj);
        } catch (err) {
          json(res, 400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: String(err), code: 400 });
        }
      } else if (path === '/version') {
        json(res, 200, { major: '1', minor, gitVersion: `v1.${minor}.0`, platform: 'linux/amd64' });
      } else if (path === '/api') {
        json(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      } else if (path === '/apis') {
        const gv = { groupVersion: 'apps/v1', version: 'v1' };
        json(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [gv], preferredVersion: gv }] });
      } else if (resourceLists[path]) {
        json(res, 200, resourceLists[path]);
      } else {
        json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
      }
    });
  });
}

/** Drops nulls (Go's zero Time) so the two JSON forms compare on meaning. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  }
  return v;
}

for (const version of versions) {
  describe(`kubectl ${version} protobuf bodies`, () => {
    const posts: Recorded[] = [];
    let server: Server;
    let dir: string;
    let base: string[];

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'skiff-pb-'));
      server = recorder(version.split('.')[1], posts);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const kubeconfig = join(dir, 'kubeconfig');
      await writeFile(kubeconfig, [
        'apiVersion: v1', 'kind: Config', 'current-context: t',
        'clusters: [{name: t, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
        'users: [{name: t, user: {token: x}}]',
        'contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]', '',
      ].join('\n'));
      await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt'), '-subj', '/CN=skiff', '-days', '1']);
      await writeFile(join(dir, 'blob.bin'), Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x01]));
      base = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')];
    });

    after(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    });

    const kubectl = async (args: string[]): Promise<string> =>
      (await run(`${BIN}/kubectl.${version}`, [...base, ...args], { timeout: 30_000 })).stdout;

    // `@/` in an argument stands for the suite's temp dir.
    const cases: Array<{ args: string[]; protobuf: boolean }> = [
      { args: ['create', 'deployment', 'nginx', '--image=nginx', '--replicas=4'], protobuf: true },
      { args: ['create', 'deployment', 'web', '--image=nginx:1.25', '--image=busybox', '--port=80'], protobuf: true },
      { args: ['create', 'namespace', 'foo'], protobuf: true },
      { args: ['create', 'configmap', 'cm1', '--from-literal=a=b', '--from-literal=c=d'], protobuf: true },
      { args: ['create', 'configmap', 'bin1', '--from-file=blob=@/blob.bin'], protobuf: true },
      { args: ['create', 'secret', 'generic', 's1', '--from-literal=k=v'], protobuf: true },
      { args: ['create', 'secret', 'tls', 't1', '--cert=@/tls.crt', '--key=@/tls.key'], protobuf: true },
      { args: ['create', 'secret', 'docker-registry', 'd1', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p'], protobuf: true },
      { args: ['create', 'service', 'clusterip', 's1', '--tcp=80:8080'], protobuf: true },
      { args: ['create', 'service', 'clusterip', 'headless', '--clusterip=None'], protobuf: true },
      { args: ['create', 'service', 'nodeport', 'n1', '--tcp=80:8080', '--node-port=30080'], protobuf: true },
      { args: ['create', 'service', 'loadbalancer', 'lb1', '--tcp=443:8443'], protobuf: true },
      { args: ['create', 'service', 'externalname', 'e1', '--external-name=example.com'], protobuf: true },
      { args: ['create', 'serviceaccount', 'sa1'], protobuf: true },
      // kubectl run posts JSON even in 1.32/1.33; checked here so a change shows up.
      { args: ['run', 'nginx', '--image=nginx', '--labels=app=web', '--port=80', '--env=A=1'], protobuf: false },
    ];

    for (const c of cases) {
      it(`decodes what "kubectl ${c.args.join(' ')}" sends`, async () => {
        const args = c.args.map((a) => a.replace('@/', `${dir}/`));
        const before = posts.length;
        const out = await kubectl(args);
        assert.match(out, /created/);
        assert.equal(posts.length, before + 1, 'one POST per command');
        const post = posts[posts.length - 1];
        assert.equal(post.contentType.includes('protobuf'), c.protobuf, `content type ${post.contentType}`);
        const sent = c.protobuf ? decodeK8sProtobuf(post.body) : JSON.parse(post.body.toString());
        const printed = JSON.parse(await kubectl([...args, '--dry-run=client', '-o', 'json']));
        assert.deepEqual(withoutNulls(sent), withoutNulls(printed));
        if (c.protobuf) assert.deepEqual(decodeK8sProtobuf(encodeK8sProtobuf(sent)), sent);
      });
    }

    it('gets the same protobuf body through the /usr/bin/kubectl dispatcher (which picks 1.minor from /version)', async () => {
      assert.ok(existsSync(`${BIN}/kubectl`), `${BIN}/kubectl (the dispatcher) is part of the test environment`);
      const before = posts.length;
      const { stdout } = await run(`${BIN}/kubectl`, [...base, 'create', 'namespace', 'via-dispatcher'], { timeout: 30_000 });
      assert.match(stdout, /namespace\/via-dispatcher created/);
      assert.equal(posts.length, before + 1);
      assert.match(posts[before].contentType, /protobuf/);
      assert.ok(posts[before].userAgent.startsWith(`kubectl/v${version}.`), posts[before].userAgent);
      assert.deepEqual(decodeK8sProtobuf(posts[before].body), {
        apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'via-dispatcher' }, spec: {}, status: {},
      });
    });
  });
}
