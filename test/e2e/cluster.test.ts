// The seed's walk through a whole (simulated-node) cluster: `skiff server` hosting the scheduler and the
// controller-manager, three simulated nodes, and real kubectl creating, scaling and exposing a deployment.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { RestClient } from '../../src/client/rest.ts';
import { startSimNodes } from '../../src/sim/index.ts';
import { waitFor } from '../support/wait.ts';

let s: TestServer;
const stop = new AbortController();
before(async () => {
  s = await startTestServer({ components: true });
  const client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'skiff-sim-nodes' });
  await startSimNodes({ client, count: 3, signal: stop.signal });
});
after(async () => {
  stop.abort();
  await s.stop();
});

const k = async (...args: string[]) => {
  const r = await s.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

test('create deployment → pods Running on simulated nodes; scale; expose → endpoints', async () => {
  assert.equal(await k('create', 'deployment', 'nginx', '--image=nginx', '--replicas=4'), 'deployment.apps/nginx created\n');
  await waitFor('4 ready replicas', async () => {
    const out = await k('get', 'deploy', 'nginx', '-o', 'jsonpath={.status.readyReplicas}');
    return out === '4' ? out : undefined;
  });
  const pods = await k('get', 'pods', '-o', 'wide');
  const rows = pods.trim().split('\n').slice(1);
  assert.equal(rows.length, 4);
  for (const row of rows) assert.match(row, /^nginx-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+\s+10\.42\.\d+\.\d+\s+sim-node-\d\s/);
  const nodesUsed = new Set(rows.map((r) => r.split(/\s+/)[6]));
  assert.ok(nodesUsed.size >= 2, `pods should spread: ${[...nodesUsed]}`);

  assert.equal(await k('scale', 'deployment', 'nginx', '--replicas=6'), 'deployment.apps/nginx scaled\n');
  await waitFor('6 ready replicas', async () => ((await k('get', 'deploy', 'nginx', '-o', 'jsonpath={.status.readyReplicas}')) === '6' ? true : undefined));

  assert.equal(await k('expose', 'deployment', 'nginx', '--port=80'), 'service/nginx exposed\n');
  const endpoints = await waitFor('6 endpoints', async () => {
    const ips = (await k('get', 'endpoints', 'nginx', '-o', 'jsonpath={.subsets[*].addresses[*].ip}')).split(' ').filter(Boolean);
    return ips.length === 6 ? ips : undefined;
  });
  assert.equal(new Set(endpoints).size, 6);
  const svc = await k('get', 'svc', 'nginx');
  assert.match(svc, /^nginx\s+ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m);

  const rs = await k('get', 'rs');
  assert.match(rs, /^nginx-[a-z0-9]+\s+6\s+6\s+6\s+\d+s$/m);
  await k('delete', 'deployment', 'nginx');
  await waitFor('pods gone', async () => ((await k('get', 'pods', '-o', 'name')) === '' ? true : undefined));
});

test('kubectl get pods -n kube-system and nodes show the simulated cluster', async () => {
  const nodes = await k('get', 'nodes');
  assert.match(nodes, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/m);
  assert.equal(nodes.trim().split('\n').filter((l) => /^sim-node-\d\s+Ready\s+\S+\s+\d+[smh]\S*\s+v\d+\.\d+\.\d+\S*$/.test(l)).length, 3, nodes);
  // no hosted component runs as a pod in a simulated cluster: kube-system lists no pods, and says so
  const sys = await s.kubectl(['get', 'pods', '-n', 'kube-system']);
  assert.equal(sys.code, 0, sys.stderr);
  assert.equal(sys.stdout, '');
  assert.equal(sys.stderr, 'No resources found in kube-system namespace.\n');
  // the serviceaccount controller gives every namespace its default ServiceAccount
  const sa = await waitFor('default service account', async () => {
    const r = await s.kubectl(['get', 'sa', 'default', '-n', 'kube-system', '-o', 'jsonpath={.metadata.namespace}/{.metadata.name}']);
    return r.code === 0 ? r.stdout : undefined;
  });
  assert.equal(sa, 'kube-system/default');
});
