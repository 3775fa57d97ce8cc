// Real kubectl 1.32 against a loopback server that answers discovery and lists with our Tables: the
// cells we build must come out of `kubectl get` exactly as upstream prints them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kindKey } from '../object.ts';
import { resources } from '../resources.ts';
import { buildTable, printers } from './index.ts';
import { now, objects } from './kubectl.fixtures.ts';

const kubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

function apiResourceList(group: string, version: string): unknown {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version,
    resources: resources.filter((r) => r.group === group && r.version === version).map((r) => ({
      name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, shortNames: r.shortNames,
    })),
  };
}

let server: Server;
let dir: string;
let kubeconfig: string;

function handle(path: string, accept: string, query: URLSearchParams): unknown {
  if (path === '/version') return { major: '1', minor: '32', gitVersion: 'v1.32.0' };
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const groups = [...new Set(resources.filter((r) => r.group).map((r) => `${r.group}/${r.version}`))];
    return {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: groups.map((gv) => {
        const [name, version] = gv.split('/');
        const v = { groupVersion: gv, version };
        return { name, versions: [v], preferredVersion: v };
      }),
    };
  }
  if (path === '/api/v1') return apiResourceList('', 'v1');
  const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (gv) return apiResourceList(gv[1], gv[2]);
  const list = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/[^/]+)?\/([a-z]+)(?:\/([^/]+))?$/.exec(path);
  const r = list ? resources.find((x) => x.resource === list[2] && x.group === (list[1] ?? '')) : undefined;
  if (list && r) {
    const all = objects[list[2]] ?? [];
    const items = list[3] ? all.filter((o) => o.metadata?.name === list[3]) : all;
    if (list[3] && items.length === 0) return undefined;
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    if (!accept.includes('as=Table')) return { kind: `${r.kind}List`, apiVersion, metadata: { resourceVersion: '9' }, items };
    return buildTable(printers[kindKey(r.group, r.version, r.kind)], items, {
      now, includeObject: (query.get('includeObject') ?? 'Metadata') as 'Metadata', kind: r.kind, apiVersion, resourceVersion: '9',
    });
  }
  return undefined;
}

before(() => {
  // kubectl is part of the test environment: without it the tests fail here instead of being skipped
  assert.ok(existsSync(kubectl), `${kubectl} not installed`);
  dir = mkdtempSync(join(tmpdir(), 'skiff-printers-'));
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.searchParams.get('watch') === 'true') {
      // Upstream sends column definitions with the first watch event only (NoHeaders afterwards).
      const opts = { now, includeObject: 'Metadata' as const, kind: 'Pod', apiVersion: 'v1' };
      const crash = objects.pods[1];
      const bumped = { ...crash, status: { ...(crash.status as object), phase: 'Running' } };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(JSON.stringify({ type: 'MODIFIED', object: buildTable(printers['v1/Pod'], [objects.pods[0]], opts) }) + '\n');
      res.end(JSON.stringify({ type: 'MODIFIED', object: buildTable(printers['v1/Pod'], [bumped], { ...opts, noHeaders: true }) }) + '\n');
      return;
    }
    const body = handle(url.pathname, String(req.headers.accept ?? ''), url.searchParams);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  return new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: t',
      'clusters: [{name: t, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
      'users: [{name: t, user: {}}]',
      'contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]', '',
    ].join('\n'));
    resolve();
  }));
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

test('kubectl get pods', async () => {
  assert.equal(await run('get', 'pods'), [
    'NAME                     READY   STATUS             RESTARTS     AGE',
    'nginx-7854ff8877-abcde   1/1     Running            0            5m',
    'crash                    0/1     CrashLoopBackOff   5 (5m ago)   10m',
    'init                     0/1     Init:0/1           0            3m2s',
    '',
  ].join('\n'));
});

test('kubectl get pods -o wide', async () => {
  assert.equal(await run('get', 'pods', '-o', 'wide'), [
    'NAME                     READY   STATUS             RESTARTS     AGE    IP          NODE     NOMINATED NODE   READINESS GATES',
    'nginx-7854ff8877-abcde   1/1     Running            0            5m     10.42.0.5   node-1   <none>           <none>',
    'crash                    0/1     CrashLoopBackOff   5 (5m ago)   10m    10.42.0.6   node-1   <none>           <none>',
    'init                     0/1     Init:0/1           0            3m2s   <none>      <none>   <none>           <none>',
    '',
  ].join('\n'));
});

test('kubectl get pods --show-labels reads the PartialObjectMetadata rows', async () => {
  const out = await run('get', 'pods', '--show-labels');
  assert.match(out.split('\n')[0], /AGE\s+LABELS$/);
  assert.match(out.split('\n')[1], /5m\s+app=nginx,pod-template-hash=7854ff8877$/);
  assert.match(out.split('\n')[2], /10m\s+<none>$/);
});

test('kubectl get nodes, services, deployments', async () => {
  assert.equal(await run('get', 'nodes'), [
    'NAME     STATUS                     ROLES           AGE    VERSION',
    'node-1   Ready,SchedulingDisabled   control-plane   2d1h   v1.32.0',
    '',
  ].join('\n'));
  assert.equal(await run('get', 'nodes', '-o', 'wide'), [
    'NAME     STATUS                     ROLES           AGE    VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION   CONTAINER-RUNTIME',
    'node-1   Ready,SchedulingDisabled   control-plane   2d1h   v1.32.0   10.0.0.2      <none>        Debian GNU/Linux 12 (bookworm)   6.1.0-18-amd64   containerd://1.6.20',
    '',
  ].join('\n'));
  assert.equal(await run('get', 'services', '-o', 'wide'), [
    'NAME         TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE    SELECTOR',
    'kubernetes   ClusterIP      10.43.0.1    <none>        443/TCP        2d1h   <none>',
    'web          LoadBalancer   10.43.7.7    <pending>     80:30080/TCP   2m     app=nginx',
    '',
  ].join('\n'));
  assert.equal(await run('get', 'deployments', '-o', 'wide'), [
    'NAME    READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES   SELECTOR',
    'nginx   1/3     3            1           5m    nginx        nginx    app=nginx',
    '',
  ].join('\n'));
});

test('kubectl get events (core/v1 and events.k8s.io/v1)', async () => {
  const want = [
    'LAST SEEN   TYPE      REASON    OBJECT      MESSAGE',
    '30s         Warning   BackOff   pod/crash   Back-off restarting failed container c in pod crash_default(u1)',
    '',
  ].join('\n');
  assert.equal(await run('get', 'events'), want);
  // The same stored event read through events.k8s.io prints identically, as upstream.
  assert.equal(await run('get', 'events.v1.events.k8s.io'), want);
  assert.equal(await run('get', 'events', '-o', 'wide'), [
    'LAST SEEN   TYPE      REASON    OBJECT      SUBOBJECT            SOURCE            MESSAGE                                                           FIRST SEEN   COUNT   NAME',
    '30s         Warning   BackOff   pod/crash   spec.containers{c}   kubelet, node-1   Back-off restarting failed container c in pod crash_default(u1)   9m           12      crash.17c1',
    '',
  ].join('\n'));
});

test('kubectl get a single pod, replicasets, endpoints, endpointslices, leases, configmaps, secrets, serviceaccounts, namespaces', async () => {
  assert.equal(await run('get', 'pod', 'crash'), [
    'NAME    READY   STATUS             RESTARTS     AGE',
    'crash   0/1     CrashLoopBackOff   5 (5m ago)   10m',
    '',
  ].join('\n'));
  assert.equal(await run('get', 'rs', '-o', 'wide'), [
    'NAME               DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES   SELECTOR',
    'nginx-7854ff8877   3         3         1       5m    nginx        nginx    app=nginx,pod-template-hash=7854ff8877',
    '',
  ].join('\n'));
  assert.equal(await run('get', 'endpoints'), [
    'NAME   ENDPOINTS                                            AGE',
    'web    10.42.0.5:80,10.42.0.6:80,10.42.0.7:80 + 1 more...   2m',
    '',
  ].join('\n'));
  assert.equal(await run('get', 'endpointslices'), [
    'NAME        ADDRESSTYPE   PORTS   ENDPOINTS             AGE',
    'web-x7k2p   IPv4          80      10.42.0.5,10.42.0.6   2m',
    '',
  ].join('\n'));
  assert.equal(await run('get', 'leases'), [
    'NAME     HOLDER   AGE',
    'node-1   node-1   2d1h',
    '',
  ].join('\n'));
  assert.equal(await run('get', 'configmaps,secrets,serviceaccounts'), [
    'NAME                         DATA   AGE',
    'configmap/kube-root-ca.crt   1      2d1h',
    '',
    'NAME        TYPE     DATA   AGE',
    'secret/s1   Opaque   2      30s',
    '',
    'NAME                     SECRETS   AGE',
    'serviceaccount/default   0         2d1h',
    '',
  ].join('\n'));
  assert.equal(await run('get', 'namespaces'), [
    'NAME      STATUS        AGE',
    'default   Active        2d1h',
    'old       Terminating   400d',
    '',
  ].join('\n'));
});

test('kubectl get pods -w: the list, then one row per watch event (headers only on the first)', async () => {
  assert.equal(await run('get', 'pods', '-w'), [
    'NAME                     READY   STATUS             RESTARTS     AGE',
    'nginx-7854ff8877-abcde   1/1     Running            0            5m',
    'crash                    0/1     CrashLoopBackOff   5 (5m ago)   10m',
    'init                     0/1     Init:0/1           0            3m2s',
    'nginx-7854ff8877-abcde   1/1     Running            0            5m',
    'crash                    0/1     CrashLoopBackOff   5 (5m ago)   10m',
    '',
  ].join('\n'));
});
