// Real kubectl (the dispatcher and every kubectl 1.27…1.33) drives Skiff through the everyday commands, on the
// embedded SQLite store and on a real etcd. Outputs are compared with upstream's formats.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kubectlVersions, startTestServer, type TestServer } from '../support/server.ts';
import { startEtcd, type EtcdHandle } from '../support/etcd.ts';

interface Deployment {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; managedFields?: { manager: string }[] };
  spec: { replicas: number; strategy: { type: string; rollingUpdate: { maxSurge: string; maxUnavailable: string } }; template: { spec: { containers: { name: string; image: string }[] } } };
}

function deploymentYaml(name: string, replicas: number, image = 'nginx:1.27'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
`;
}

async function scenario(s: TestServer, version: string | undefined): Promise<void> {
  const tag = (version ?? 'dispatch').replace('.', '-');
  const ns = `t-${tag}`;
  const k = (args: string[], stdin?: string) => s.kubectl(args, { version, stdin });
  const ok = async (args: string[], stdin?: string) => {
    const r = await k(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };

  const ver = await ok(['version']);
  assert.match(ver, /Server Version: (version\.Info\{.*GitVersion:")?v1\.32\.0\+skiff/);

  const apiResources = await ok(['api-resources']);
  assert.match(apiResources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  assert.match(apiResources, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  assert.match(apiResources, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);

  const nodes = await k(['get', 'nodes']);
  assert.equal(nodes.code, 0);
  assert.match(nodes.stderr, /No resources found/);
  const pods = await k(['get', 'pods', '-A']);
  assert.equal(pods.code, 0);

  assert.equal(await ok(['create', 'namespace', ns]), `namespace/${ns} created\n`);
  assert.equal(await ok(['create', 'deployment', 'nginx', '--image=nginx', '--replicas=4', '-n', ns]), 'deployment.apps/nginx created\n');
  assert.equal(await ok(['create', 'configmap', 'cm1', '--from-literal=a=b', '-n', ns]), 'configmap/cm1 created\n');
  assert.equal(await ok(['create', 'secret', 'generic', 's1', '--from-literal=k=v', '-n', ns]), 'secret/s1 created\n');

  const wide = await ok(['get', 'deployments', '-o', 'wide', '-n', ns]);
  const [header, row] = wide.trimEnd().split('\n');
  assert.match(header, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
  assert.match(row, /^nginx\s+0\/4\s+0\s+0\s+\d+s\s+nginx\s+nginx\s+app=nginx$/);

  const dep = parse(await ok(['get', 'deploy', 'nginx', '-o', 'yaml', '--show-managed-fields', '-n', ns])) as Deployment;
  assert.equal(dep.spec.replicas, 4);
  assert.deepEqual(dep.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  assert.equal(dep.metadata.managedFields?.[0]?.manager, 'kubectl-create');

  assert.equal(await ok(['scale', 'deployment', 'nginx', '--replicas=6', '-n', ns]), 'deployment.apps/nginx scaled\n');
  assert.equal(await ok(['get', 'deploy', 'nginx', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '6');
  assert.equal(await ok(['label', 'deployment', 'nginx', 'tier=web', '-n', ns]), 'deployment.apps/nginx labeled\n');
  // kubectl 1.27 itself prints "annotate" here (fixed upstream in 1.28).
  assert.match(await ok(['annotate', 'deployment', 'nginx', 'note=hi', '-n', ns]), /^deployment\.apps\/nginx annotated?\n$/);
  const labelled = parse(await ok(['get', 'deploy', 'nginx', '-o', 'yaml', '-n', ns])) as Deployment;
  assert.equal(labelled.metadata.labels?.tier, 'web');
  assert.equal(labelled.metadata.annotations?.note, 'hi');

  const file = join(s.dataDir, `web-${tag}.yaml`);
  writeFileSync(file, deploymentYaml('web', 2));
  assert.equal(await ok(['apply', '-f', file, '-n', ns]), 'deployment.apps/web created\n');
  writeFileSync(file, deploymentYaml('web', 3, 'nginx:1.28'));
  assert.equal(await ok(['apply', '-f', file, '-n', ns]), 'deployment.apps/web configured\n');
  const web = parse(await ok(['get', 'deploy', 'web', '-o', 'yaml', '-n', ns])) as Deployment;
  assert.equal(web.spec.replicas, 3);
  assert.equal(web.spec.template.spec.containers[0].image, 'nginx:1.28');
  assert.ok(web.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);

  const ssaFile = join(s.dataDir, `ssa-${tag}.yaml`);
  writeFileSync(ssaFile, deploymentYaml('ssa', 1));
  assert.equal(await ok(['apply', '--server-side', '-f', ssaFile, '-n', ns]), 'deployment.apps/ssa serverside-applied\n');
  writeFileSync(ssaFile, deploymentYaml('ssa', 2));
  const diff = await k(['diff', '-f', ssaFile, '-n', ns]);
  assert.equal(diff.code, 1, `diff should report a difference: ${diff.stderr}`);
  assert.match(diff.stdout, /-  replicas: 1\n\+  replicas: 2/);

  assert.equal(await ok(['patch', 'deployment', 'nginx', '-n', ns, '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":2}]']), 'deployment.apps/nginx patched\n');
  assert.equal(await ok(['patch', 'deployment', 'nginx', '-n', ns, '--type=merge', '-p', '{"spec":{"replicas":3}}']), 'deployment.apps/nginx patched\n');
  assert.equal(await ok(['patch', 'deployment', 'nginx', '-n', ns, '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.29"}]}}}}']), 'deployment.apps/nginx patched\n');
  const patched = parse(await ok(['get', 'deploy', 'nginx', '-o', 'yaml', '-n', ns])) as Deployment;
  assert.equal(patched.spec.replicas, 3);
  assert.deepEqual(patched.spec.template.spec.containers.map((c) => c.image), ['nginx:1.29']);

  writeFileSync(file, deploymentYaml('web', 5));
  assert.equal(await ok(['replace', '-f', file, '-n', ns]), 'deployment.apps/web replaced\n');

  const explain = await ok(['explain', 'deployment.spec.strategy']);
  assert.match(explain, /KIND:\s+Deployment/);
  assert.match(explain, /rollingUpdate/);

  assert.equal(await ok(['delete', 'deployment', 'nginx', '-n', ns]), 'deployment.apps "nginx" deleted\n');
  const gone = await k(['get', 'deployment', 'nginx', '-n', ns]);
  assert.equal(gone.code, 1);
  assert.equal(gone.stderr, 'Error from server (NotFound): deployments.apps "nginx" not found\n');
}

/** The request bodies kubectl logged at -v=8 (1.27…1.29 print them raw, later versions as a quoted string). */
function requestBodies(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const quoted = /"Request Body" body="((?:[^"\\]|\\.)*)"/.exec(line);
    const raw = /Request Body: (.*)$/.exec(line);
    const body = quoted ? (JSON.parse(`"${quoted[1]}"`) as string) : raw?.[1];
    if (body) out.push(body);
  }
  return out;
}

/**
 * `kubectl run|create deployment … --dry-run=client -o yaml > f; kubectl apply -f f` twice. kubectl computes the
 * second apply's patch from the live object: Skiff's must differ from the file only where upstream's does, i.e.
 * in the top-level creationTimestamp the file holds as null (the template's null creationTimestamp is served as
 * upstream serves it). Without that null line a second apply is `unchanged`.
 */
async function applyTwiceScenario(s: TestServer, version: string | undefined): Promise<void> {
  const tag = (version ?? 'dispatch').replace('.', '-');
  const ns = `a-${tag}`;
  const ok = async (args: string[]) => {
    const r = await s.kubectl(args, { version });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r;
  };
  await ok(['create', 'namespace', ns]);
  for (const [resource, generate] of [
    ['pod/redis', ['run', 'redis', '--image=redis']],
    ['deployment.apps/web', ['create', 'deployment', 'web', '--image=nginx']],
  ] as const) {
    const manifest = (await ok([...generate, '--dry-run=client', '-o', 'yaml', '-n', ns])).stdout;
    assert.match(manifest, /creationTimestamp: null/);
    const file = join(s.dataDir, `${resource.replace(/\W/g, '-')}-${tag}.yaml`);
    writeFileSync(file, manifest);
    assert.equal((await ok(['apply', '-f', file, '-n', ns])).stdout, `${resource} created\n`);
    const again = await ok(['apply', '-f', file, '-n', ns, '-v=8']);
    assert.equal(again.stdout, `${resource} configured\n`);
    assert.deepEqual(requestBodies(again.stderr), ['{"metadata":{"creationTimestamp":null}}'], `${resource}: the patch kubectl computed`);

    writeFileSync(file, manifest.replace(/^\s*creationTimestamp: null\n/gm, ''));
    assert.equal((await ok(['apply', '-f', file, '-n', ns])).stdout, `${resource} configured\n`, 'the last-applied annotation changes');
    assert.equal((await ok(['apply', '-f', file, '-n', ns])).stdout, `${resource} unchanged\n`);
  }
}

async function watchScenario(s: TestServer, version: string | undefined): Promise<void> {
  const ns = `w-${(version ?? 'dispatch').replace('.', '-')}`;
  assert.equal((await s.kubectl(['create', 'namespace', ns], { version })).code, 0);
  const watcher = s.spawnKubectl(['get', 'pods', '-w', '--output-watch-events', '-n', ns], { version });
  let out = '';
  const waiters = new Set<() => void>();
  watcher.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  });
  const seen = (re: RegExp) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!re.test(out)) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`watch output never matched ${re}: ${JSON.stringify(out)}`));
    }, 30_000);
    waiters.add(check);
    check();
  });
  await new Promise((r) => setTimeout(r, 300));
  // Another client (a second kubectl) makes the changes.
  const run = await s.kubectl(['run', 'p1', '--image=nginx', '-n', ns], { version });
  assert.equal(run.code, 0, run.stderr);
  await seen(/^ADDED\s+p1\s+0\/1\s+Pending\s+0/m);
  assert.equal((await s.kubectl(['label', 'pod', 'p1', 'x=y', '-n', ns], { version })).code, 0);
  await seen(/^MODIFIED\s+p1\s/m);
  assert.equal((await s.kubectl(['delete', 'pod', 'p1', '-n', ns], { version })).code, 0);
  await seen(/^DELETED\s+p1\s/m);
  watcher.kill('SIGTERM');
}

for (const backend of ['sqlite', 'etcd'] as const) {
  describe(`kubectl against Skiff on ${backend}`, () => {
    let server: TestServer;
    let etcd: EtcdHandle | undefined;
    before(async () => {
      if (backend === 'etcd') etcd = await startEtcd();
      server = await startTestServer({ datastoreEndpoint: etcd?.endpoint });
    });
    after(async () => {
      await server?.stop();
      await etcd?.stop();
    });
    for (const version of [undefined, ...kubectlVersions]) {
      test(`kubectl ${version ?? '(dispatcher)'}: everyday commands`, () => scenario(server, version));
      test(`kubectl ${version ?? '(dispatcher)'}: get pods -w sees another client's changes`, () => watchScenario(server, version));
      if (backend === 'sqlite') {
        test(`kubectl ${version ?? '(dispatcher)'}: apply of a --dry-run=client manifest, twice`, () => applyTwiceScenario(server, version));
      }
    }
  });
}
