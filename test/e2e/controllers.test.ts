// Controller-manager part 2 against a real API server with real kubectl: serviceaccount, namespace deletion,
// garbage collection (background, foreground, orphan), endpoints and endpointslices. Only these controllers run
// (no replicaset/deployment controllers), so owners and dependents are created by hand.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Pod, Service, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RestClient, isNotFound, resourceRef } from '../../src/client/index.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { waitFor } from '../support/wait.ts';

const pods = resourceRef('v1', 'pods');
const services = resourceRef('v1', 'services');
const endpoints = resourceRef('v1', 'endpoints');
const slices = resourceRef('discovery.k8s.io/v1', 'endpointslices');
const serviceAccounts = resourceRef('v1', 'serviceaccounts');
const namespaces = resourceRef('v1', 'namespaces', false);
const nodes = resourceRef('v1', 'nodes', false);
const configmaps = resourceRef('v1', 'configmaps');
const deployments = resourceRef('apps/v1', 'deployments');
const replicasets = resourceRef('apps/v1', 'replicasets');

async function gone(client: RestClient, ref: ReturnType<typeof resourceRef>, name: string, namespace?: string): Promise<boolean> {
  try {
    await client.get(ref, name, { namespace });
    return false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

function pod(name: string, labels: Record<string, string>, ports: { name: string; containerPort: number }[] = []): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'nginx', ports }] },
  };
}

async function setPodStatus(client: RestClient, ns: string, name: string, ip: string, ready: boolean): Promise<void> {
  const p = await client.get<Pod>(pods, name, { namespace: ns });
  await client.updateStatus(pods, {
    ...p,
    status: {
      ...p.status, phase: 'Running', podIP: ip, podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z/, 'Z') }],
    },
  }, { namespace: ns });
}

describe('controllers (part 2) against a real server', () => {
  let s: TestServer;
  let client: RestClient;
  const ac = new AbortController();
  let done: Promise<void>;

  before(async () => {
    s = await startTestServer();
    client = RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'controllers-test' });
    const cm = await startControllerManager({
      client, signal: ac.signal, leaderElection: false,
      controllers: ['serviceaccount', 'namespace', 'garbage-collector', 'endpoints', 'endpointslice', 'node-ipam'],
    });
    done = cm.done;
  });
  after(async () => {
    ac.abort();
    await done;
    client.close();
    await s.stop();
  });

  test('every namespace gets a default ServiceAccount, recreated when deleted', async () => {
    assert.equal((await s.kubectl(['create', 'namespace', 'sa-test'])).code, 0);
    const first = await waitFor('default SA', () => client.get<ServiceAccount>(serviceAccounts, 'default', { namespace: 'sa-test' }));
    assert.equal((await s.kubectl(['delete', 'serviceaccount', 'default', '-n', 'sa-test'])).code, 0);
    const second = await waitFor('recreated SA', async () => {
      const sa = await client.get<ServiceAccount>(serviceAccounts, 'default', { namespace: 'sa-test' });
      return sa.metadata?.uid !== first.metadata?.uid ? sa : undefined;
    });
    assert.ok(second.metadata?.uid);
  });

  test('kubectl delete namespace empties it and returns once it is gone', async () => {
    assert.equal((await s.kubectl(['create', 'namespace', 'doomed'])).code, 0);
    await client.create(configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: 'b' } } as KubeObject, { namespace: 'doomed' });
    await client.create(pods, pod('p1', { app: 'x' }), { namespace: 'doomed' });
    const del = await s.kubectl(['delete', 'namespace', 'doomed', '--timeout=30s']);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /namespace "doomed" deleted/);
    assert.ok(await gone(client, namespaces, 'doomed'));
    const get = await s.kubectl(['get', 'configmaps', '-n', 'doomed', '-o', 'name']);
    assert.equal(get.stdout.trim(), '');
  });

  test('a namespace held by a finalized object says so in its conditions, and goes once the finalizer does', async () => {
    assert.equal((await s.kubectl(['create', 'namespace', 'held'])).code, 0);
    await client.create(configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sticky', finalizers: ['example.com/hold'] } } as KubeObject, { namespace: 'held' });
    assert.equal((await s.kubectl(['delete', 'namespace', 'held', '--wait=false'])).code, 0);
    const ns = await waitFor('conditions', async () => {
      const n = await client.get<KubeObject>(namespaces, 'held');
      const conds = (n.status as { conditions?: { type: string; status: string; message?: string }[] } | undefined)?.conditions ?? [];
      return conds.find((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True') ? conds : undefined;
    });
    const byType = Object.fromEntries(ns.map((c) => [c.type, c]));
    assert.equal(byType.NamespaceFinalizersRemaining.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    assert.equal(byType.NamespaceContentRemaining.message, 'Some resources are remaining: configmaps has 1 resource instances');
    assert.equal((await s.kubectl(['get', 'namespace', 'held', '-o', 'jsonpath={.status.phase}'])).stdout, 'Terminating');
    assert.equal((await s.kubectl(['patch', 'configmap', 'sticky', '-n', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'])).code, 0);
    await waitFor('namespace gone', () => gone(client, namespaces, 'held'));
  });

  /** A Deployment -> ReplicaSet -> 2 Pods chain with controller ownerReferences, made by hand. */
  async function chain(ns: string, name: string): Promise<{ rs: string; pods: string[] }> {
    const labels = { app: name };
    const d = await client.create<KubeObject>(deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    }, { namespace: ns });
    const owner = (o: KubeObject) => [{ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, uid: o.metadata!.uid!, controller: true, blockOwnerDeletion: true }];
    const rs = await client.create<KubeObject>(replicasets, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${name}-abc`, labels, ownerReferences: owner(d) },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    }, { namespace: ns });
    const names = [`${name}-abc-1`, `${name}-abc-2`];
    for (const n of names) {
      await client.create(pods, { ...pod(n, labels), metadata: { name: n, labels, ownerReferences: owner(rs) } } as Pod, { namespace: ns });
    }
    return { rs: rs.metadata!.name!, pods: names };
  }

  for (const cascade of ['background', 'foreground'] as const) {
    test(`kubectl delete deployment --cascade=${cascade} removes the ReplicaSet and its pods`, async () => {
      const c = await chain('default', `gc-${cascade}`);
      const del = await s.kubectl(['delete', 'deployment', `gc-${cascade}`, `--cascade=${cascade}`, '--timeout=30s']);
      assert.equal(del.code, 0, del.stderr);
      if (cascade === 'foreground') {
        // foreground: the owner is only gone once its blocking dependents are
        assert.ok(await gone(client, replicasets, c.rs, 'default'));
        for (const p of c.pods) assert.ok(await gone(client, pods, p, 'default'));
      }
      await waitFor('replicaset collected', () => gone(client, replicasets, c.rs, 'default'));
      for (const p of c.pods) await waitFor(`pod ${p} collected`, () => gone(client, pods, p, 'default'));
    });
  }

  test('kubectl delete deployment --cascade=orphan keeps the ReplicaSet without its ownerReference', async () => {
    const c = await chain('default', 'gc-orphan');
    const del = await s.kubectl(['delete', 'deployment', 'gc-orphan', '--cascade=orphan', '--timeout=30s']);
    assert.equal(del.code, 0, del.stderr);
    await waitFor('deployment gone', () => gone(client, deployments, 'gc-orphan', 'default'));
    const rs = await client.get<KubeObject>(replicasets, c.rs, { namespace: 'default' });
    assert.equal(rs.metadata?.ownerReferences, undefined);
    for (const p of c.pods) {
      const live = await client.get<Pod>(pods, p, { namespace: 'default' });
      assert.equal(live.metadata?.ownerReferences?.[0]?.name, c.rs, 'pods keep their ReplicaSet owner');
    }
  });

  test('endpoints and endpointslices follow selected pods, readiness and named ports', async () => {
    const ns = 'default';
    await client.create<Service>(services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    }, { namespace: ns });
    await client.create(pods, pod('web-1', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]), { namespace: ns });
    await client.create(pods, pod('web-2', { app: 'web' }, [{ name: 'http', containerPort: 9090 }]), { namespace: ns });
    await client.create(pods, pod('other', { app: 'other' }, [{ name: 'http', containerPort: 8080 }]), { namespace: ns });
    await setPodStatus(client, ns, 'web-1', '10.42.0.5', true);
    await setPodStatus(client, ns, 'web-2', '10.42.0.6', false);
    await setPodStatus(client, ns, 'other', '10.42.0.7', true);

    const ep = await waitFor('endpoints', async () => {
      const e = await client.get<Endpoints>(endpoints, 'web', { namespace: ns });
      const n = (e.subsets ?? []).reduce((a, s) => a + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
      return n === 2 ? e : undefined;
    });
    assert.ok(ep.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
    const bySubset = Object.fromEntries((ep.subsets ?? []).map((s) => [s.ports![0].port, s]));
    assert.deepEqual(bySubset[8080].addresses?.map((a) => a.ip), ['10.42.0.5']);
    assert.deepEqual(bySubset[9090].notReadyAddresses?.map((a) => a.ip), ['10.42.0.6']);
    assert.equal(bySubset[8080].addresses?.[0].targetRef?.name, 'web-1');

    const list = await waitFor('slices', async () => {
      const l = await client.list<EndpointSlice>(slices, { namespace: ns, labelSelector: 'kubernetes.io/service-name=web' });
      return l.items.reduce((a, s) => a + (s.endpoints?.length ?? 0), 0) === 2 ? l : undefined;
    });
    for (const sl of list.items) {
      assert.equal(sl.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
      assert.equal(sl.addressType, 'IPv4');
      assert.equal(sl.metadata?.ownerReferences?.[0]?.kind, 'Service');
    }
    const eps = list.items.flatMap((sl) => (sl.endpoints ?? []).map((e) => ({ ip: e.addresses[0], port: sl.ports?.[0]?.port, ...e.conditions })));
    eps.sort((a, b) => a.ip.localeCompare(b.ip));
    assert.deepEqual(eps, [
      { ip: '10.42.0.5', port: 8080, ready: true, serving: true, terminating: false },
      { ip: '10.42.0.6', port: 9090, ready: false, serving: false, terminating: false },
    ]);

    // readiness flips move the address between addresses and notReadyAddresses
    await setPodStatus(client, ns, 'web-2', '10.42.0.6', true);
    await waitFor('web-2 ready', async () => {
      const e = await client.get<Endpoints>(endpoints, 'web', { namespace: ns });
      return (e.subsets ?? []).every((s) => !s.notReadyAddresses?.length) && (e.subsets ?? []).length === 2;
    });
    const kubectl = await s.kubectl(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
    assert.deepEqual(kubectl.stdout.split(' ').sort(), ['10.42.0.5', '10.42.0.6']);

    // the apiserver's own Endpoints are left alone
    const k = await client.get<Endpoints>(endpoints, 'kubernetes', { namespace: 'default' });
    assert.equal(k.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], undefined);

    // deleting the service removes its endpoints and (through the garbage collector) its slices
    assert.equal((await s.kubectl(['delete', 'service', 'web'])).code, 0);
    await waitFor('endpoints gone', () => gone(client, endpoints, 'web', ns));
    await waitFor('slices gone', async () =>
      (await client.list(slices, { namespace: ns, labelSelector: 'kubernetes.io/service-name=web' })).items.length === 0);
  });

  // runs last: it restarts the controller-manager
  test('node-ipam: distinct podCIDRs, and a restarted allocator rebuilds its set from the nodes', async () => {
    const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
    const cidrOf = async (name: string): Promise<string | undefined> =>
      ((await client.get<KubeObject>(nodes, name)).spec as { podCIDR?: string } | undefined)?.podCIDR;
    await client.create(nodes, node('ipam-1'));
    await client.create(nodes, node('ipam-2'));
    const c1 = await waitFor('ipam-1 cidr', () => cidrOf('ipam-1'));
    const c2 = await waitFor('ipam-2 cidr', () => cidrOf('ipam-2'));
    assert.notEqual(c1, c2);

    ac.abort();
    await done;
    const ac2 = new AbortController();
    const cm2 = await startControllerManager({ client, signal: ac2.signal, leaderElection: false, controllers: ['node-ipam'] });
    try {
      await client.create(nodes, node('ipam-3'));
      const c3 = await waitFor('ipam-3 cidr', () => cidrOf('ipam-3'));
      assert.ok(![c1, c2].includes(c3), `${c3} handed out twice`);
    } finally {
      ac2.abort();
      await cm2.done;
    }
  });
});
