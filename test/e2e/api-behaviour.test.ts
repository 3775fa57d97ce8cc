// The API's contract at the HTTP level: authentication, status codes and Status bodies for bad input,
// optimistic concurrency, list paging, watch semantics, status/scale isolation, dry-run and deletion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { adminClient } from '../support/http.ts';

type Client = ReturnType<typeof adminClient>;

const deployment = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
  ...extra,
});

describe('API behaviour', () => {
  let s: TestServer;
  let c: Client;
  before(async () => {
    s = await startTestServer();
    c = adminClient(s.kubeconfig);
  });
  after(() => s.stop());

  test('anonymous requests get 401, public endpoints stay open', async () => {
    const r = await c.send('GET', '/api/v1/namespaces', undefined, {}, true);
    assert.equal(r.status, 401);
    assert.equal(r.json().reason, 'Unauthorized');
    assert.equal((await c.send('GET', '/version', undefined, {}, true)).status, 200);
    assert.equal((await c.send('GET', '/healthz', undefined, {}, true)).body.toString(), 'ok');
  });

  test('no bearer token is an API credential of skiff server: the node join token and unknown ones get 401', async () => {
    for (const token of [s.joinToken, 'nope']) {
      const r = await c.send('GET', '/api/v1/namespaces', undefined, { Authorization: `Bearer ${token}` }, true);
      assert.equal(r.status, 401, token);
      assert.equal(r.json().reason, 'Unauthorized');
    }
  });

  test('bootstrap objects exist', async () => {
    const nss = (await c.send('GET', '/api/v1/namespaces')).json<{ items: { metadata: { name: string } }[] }>();
    const names = nss.items.map((n) => n.metadata.name).sort();
    assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const svc = (await c.send('GET', '/api/v1/namespaces/default/services/kubernetes')).json<{ spec: { clusterIP: string } }>();
    assert.equal(svc.spec.clusterIP, '10.43.0.1');
  });

  test('bad input gets the upstream status and changes nothing', async () => {
    const before = (await c.send('GET', '/apis/apps/v1/deployments')).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const cases: [string, string | Buffer, Record<string, string>, number, string][] = [
      ['malformed json', '{"apiVersion":', {}, 400, 'BadRequest'],
      ['not an object', '[1,2]', {}, 400, 'BadRequest'],
      ['malformed yaml', 'a: [b', { 'Content-Type': 'application/yaml' }, 400, 'BadRequest'],
      ['truncated protobuf', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff]), { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, 400, 'BadRequest'],
      ['unsupported media type', 'x', { 'Content-Type': 'text/plain' }, 415, 'UnsupportedMediaType'],
      ['wrong kind', JSON.stringify({ ...deployment('x'), kind: 'Pod', apiVersion: 'v1' }), {}, 400, 'BadRequest'],
      ['invalid name', JSON.stringify(deployment('Bad_Name')), {}, 422, 'Invalid'],
      ['too large', Buffer.alloc(3 * 1024 * 1024 + 10, 0x20), {}, 413, 'RequestEntityTooLarge'],
    ];
    for (const [what, body, headers, code, reason] of cases) {
      const r = await c.send('POST', path, body, headers);
      assert.equal(r.status, code, `${what}: ${r.body.toString().slice(0, 200)}`);
      assert.equal(r.json().kind, 'Status', what);
      assert.equal(r.json().reason, reason, what);
    }
    const unknown = await c.send('GET', '/apis/nope.example.com/v1/things');
    assert.equal(unknown.status, 404);
    const unknownRes = await c.send('GET', '/api/v1/widgets');
    assert.equal(unknownRes.status, 404);
    const after = (await c.send('GET', '/apis/apps/v1/deployments')).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    assert.equal(after, before);
  });

  test('invalid objects get 422 with causes', async () => {
    const bad = deployment('sel');
    (bad.spec.template.metadata.labels as Record<string, string>).app = 'other';
    const r = await c.send('POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify(bad));
    assert.equal(r.status, 422);
    const st = r.json<{ message: string; details: { causes: { field: string }[] } }>();
    assert.match(st.message, /^Deployment\.apps "sel" is invalid: /);
    assert.ok(st.details.causes.some((cause) => cause.field === 'spec.template.metadata.labels'));
  });

  test('create in a missing namespace is 404', async () => {
    const r = await c.send('POST', '/apis/apps/v1/namespaces/missing/deployments', JSON.stringify(deployment('x')));
    assert.equal(r.status, 404);
    assert.equal(r.json().message, 'namespaces "missing" not found');
  });

  test('two updates at one resourceVersion: exactly one wins, the other gets 409', async () => {
    const created = (await c.send('POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify(deployment('race')))).json<{ metadata: { resourceVersion: string } }>();
    const update = (replicas: number) => {
      const d = deployment('race');
      (d.metadata as Record<string, unknown>).resourceVersion = created.metadata.resourceVersion;
      d.spec.replicas = replicas;
      return c.send('PUT', '/apis/apps/v1/namespaces/default/deployments/race', JSON.stringify(d));
    };
    const results = await Promise.all([update(2), update(3), update(4)]);
    const codes = results.map((r) => r.status).sort();
    assert.deepEqual(codes, [200, 409, 409]);
    const conflict = results.find((r) => r.status === 409)!.json<{ reason: string; message: string }>();
    assert.equal(conflict.reason, 'Conflict');
    assert.equal(conflict.message, 'Operation cannot be fulfilled on deployments.apps "race": the object has been modified; please apply your changes to the latest version and try again');
  });

  test('status and spec writes are isolated; generation tracks spec', async () => {
    const d = (await c.send('POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify(deployment('iso')))).json<Record<string, unknown>>();
    assert.equal((d.metadata as { generation: number }).generation, 1);
    const withStatus = { ...d, status: { replicas: 7 }, spec: { ...(d.spec as object), replicas: 9 } };
    const st = (await c.send('PUT', '/apis/apps/v1/namespaces/default/deployments/iso/status', JSON.stringify(withStatus))).json<{ spec: { replicas: number }; status: { replicas: number }; metadata: { generation: number } }>();
    assert.equal(st.status.replicas, 7);
    assert.equal(st.spec.replicas, 1);
    assert.equal(st.metadata.generation, 1);
    const main = (await c.send('PATCH', '/apis/apps/v1/namespaces/default/deployments/iso', JSON.stringify({ spec: { replicas: 5 }, status: { replicas: 0 } }), { 'Content-Type': 'application/merge-patch+json' })).json<{ spec: { replicas: number }; status: { replicas: number }; metadata: { generation: number } }>();
    assert.equal(main.spec.replicas, 5);
    assert.equal(main.status.replicas, 7);
    assert.equal(main.metadata.generation, 2);
    const scale = (await c.send('GET', '/apis/apps/v1/namespaces/default/deployments/iso/scale')).json<{ kind: string; spec: { replicas: number }; status: { selector: string } }>();
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec.replicas, 5);
    assert.equal(scale.status.selector, 'app=iso');
  });

  test('dryRun=All validates and answers without storing', async () => {
    const r = await c.send('POST', '/apis/apps/v1/namespaces/default/deployments?dryRun=All', JSON.stringify(deployment('dry')));
    assert.equal(r.status, 201);
    assert.equal((await c.send('GET', '/apis/apps/v1/namespaces/default/deployments/dry')).status, 404);
  });

  test('list paging with limit and continue is one consistent snapshot', async () => {
    await c.send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } }));
    for (let i = 0; i < 7; i++) {
      const r = await c.send('POST', '/api/v1/namespaces/paging/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { even: String(i % 2 === 0) } } }));
      assert.equal(r.status, 201);
    }
    const names: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const r = (await c.send('GET', `/api/v1/namespaces/paging/configmaps?limit=3${token ? `&continue=${encodeURIComponent(token)}` : ''}`)).json<{ items: { metadata: { name: string } }[]; metadata: { continue?: string } }>();
      names.push(...r.items.map((i) => i.metadata.name));
      token = r.metadata.continue ?? '';
      pages++;
      if (pages === 1) await c.send('POST', '/api/v1/namespaces/paging/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-late' } }));
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(names, ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
    const even = (await c.send('GET', '/api/v1/namespaces/paging/configmaps?labelSelector=even%3Dtrue')).json<{ items: unknown[] }>();
    assert.equal(even.items.length, 4);
    const setBased = (await c.send('GET', '/api/v1/namespaces/paging/configmaps?labelSelector=even%20in%20(false)')).json<{ items: unknown[] }>();
    assert.equal(setBased.items.length, 3);
    const byName = (await c.send('GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Dcm-3')).json<{ items: unknown[] }>();
    assert.equal(byName.items.length, 1);
    const badField = await c.send('GET', '/api/v1/configmaps?fieldSelector=spec.nope%3Dx');
    assert.equal(badField.status, 400);
  });

  test('pods/binding sets the node once; a second binding is a 409', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bindme' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    assert.equal((await c.send('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod))).status, 201);
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bindme' }, target: { kind: 'Node', name: 'n1' } };
    const bound = await c.send('POST', '/api/v1/namespaces/default/pods/bindme/binding', JSON.stringify(binding));
    assert.equal(bound.status, 201, bound.body.toString());
    const got = (await c.send('GET', '/api/v1/namespaces/default/pods/bindme')).json<{ spec: { nodeName: string }; status: { conditions: { type: string; status: string }[] } }>();
    assert.equal(got.spec.nodeName, 'n1');
    assert.ok(got.status.conditions.some((cond) => cond.type === 'PodScheduled' && cond.status === 'True'));
    const again = await c.send('POST', '/api/v1/namespaces/default/pods/bindme/binding', JSON.stringify({ ...binding, target: { kind: 'Node', name: 'n2' } }));
    assert.equal(again.status, 409);
  });

  test('a Service update that omits clusterIP keeps the allocated one', async () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'keepip' }, spec: { clusterIP: '10.43.9.9', ports: [{ port: 80 }] } };
    const created = (await c.send('POST', '/api/v1/namespaces/default/services', JSON.stringify(svc))).json<{ metadata: { resourceVersion: string } }>();
    const upd = { ...svc, metadata: { name: 'keepip', resourceVersion: created.metadata.resourceVersion }, spec: { ports: [{ port: 81 }] } };
    const r = await c.send('PUT', '/api/v1/namespaces/default/services/keepip', JSON.stringify(upd));
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.json<{ spec: { clusterIP: string } }>().spec.clusterIP, '10.43.9.9');
  });

  test('delete with a stale precondition is 409; with finalizers it waits', async () => {
    const cm = (await c.send('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fin', finalizers: ['example.com/hold'] } }))).json<{ metadata: { uid: string } }>();
    const stale = await c.send('DELETE', '/api/v1/namespaces/default/configmaps/fin', JSON.stringify({ preconditions: { uid: 'other' } }));
    assert.equal(stale.status, 409);
    const del = await c.send('DELETE', '/api/v1/namespaces/default/configmaps/fin', JSON.stringify({ preconditions: { uid: cm.metadata.uid } }));
    assert.equal(del.status, 200);
    const held = (await c.send('GET', '/api/v1/namespaces/default/configmaps/fin')).json<{ metadata: { deletionTimestamp?: string } }>();
    assert.ok(held.metadata.deletionTimestamp);
    const release = await c.send('PATCH', '/api/v1/namespaces/default/configmaps/fin', JSON.stringify({ metadata: { finalizers: null } }), { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(release.status, 200);
    assert.equal((await c.send('GET', '/api/v1/namespaces/default/configmaps/fin')).status, 404);
  });

  test('service IPs and node ports: unique under concurrent creates, validated, freed on delete', async () => {
    await c.send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'svcs' } }));
    const make = (i: number, type = 'NodePort') => c.send('POST', '/api/v1/namespaces/svcs/services', JSON.stringify({
      apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}` }, spec: { type, selector: { app: 'x' }, ports: [{ port: 80 }] },
    }));
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => make(i)));
    assert.ok(created.every((r) => r.status === 201), created.map((r) => r.status).join(','));
    const specs = created.map((r) => r.json<{ spec: { clusterIP: string; clusterIPs: string[]; ports: { nodePort: number }[] } }>().spec);
    assert.equal(new Set(specs.map((sp) => sp.clusterIP)).size, 40);
    assert.equal(new Set(specs.map((sp) => sp.ports[0].nodePort)).size, 40);
    for (const sp of specs) {
      assert.match(sp.clusterIP, /^10\.43\.\d+\.\d+$/);
      assert.deepEqual(sp.clusterIPs, [sp.clusterIP]);
      assert.ok(sp.ports[0].nodePort >= 30000 && sp.ports[0].nodePort <= 32767);
    }
    const taken = specs[0].clusterIP;
    const dup = await c.send('POST', '/api/v1/namespaces/svcs/services', JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'dup' }, spec: { clusterIP: taken, ports: [{ port: 80 }] } }));
    assert.equal(dup.status, 422);
    assert.match(dup.json<{ message: string }>().message, /provided IP is already allocated/);
    const outside = await c.send('POST', '/api/v1/namespaces/svcs/services', JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'out' }, spec: { clusterIP: '192.0.2.1', ports: [{ port: 80 }] } }));
    assert.equal(outside.status, 422);
    assert.match(outside.json<{ message: string }>().message, /is not in the valid range/);
    assert.equal((await c.send('DELETE', '/api/v1/namespaces/svcs/services/s0')).status, 200);
    const reuse = await c.send('POST', '/api/v1/namespaces/svcs/services', JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reuse' }, spec: { clusterIP: taken, ports: [{ port: 80 }] } }));
    assert.equal(reuse.status, 201, reuse.body.toString());
    const headless = (await c.send('POST', '/api/v1/namespaces/svcs/services', JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hl' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }))).json<{ spec: { clusterIP: string } }>();
    assert.equal(headless.spec.clusterIP, 'None');
  });

  test('fieldValidation: Strict rejects unknown fields, Warn drops them with a warning', async () => {
    const body = JSON.stringify({ ...deployment('fv'), spec: { ...deployment('fv').spec, bogus: 1 } });
    const strict = await c.send('POST', '/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict', body);
    assert.equal(strict.status, 400);
    assert.equal(strict.json<{ message: string }>().message, 'strict decoding error: unknown field "spec.bogus"');
    const warn = await c.send('POST', '/apis/apps/v1/namespaces/default/deployments?fieldValidation=Warn', body);
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.warning, '299 - "unknown field \\"spec.bogus\\""');
    assert.equal((warn.json<{ spec: Record<string, unknown> }>().spec.bogus), undefined);
  });

  test('server-side apply: a second manager conflicts, force takes ownership', async () => {
    const applied = (replicas: number) => JSON.stringify({ ...deployment('ssa2'), spec: { ...deployment('ssa2').spec, replicas } });
    const path = '/apis/apps/v1/namespaces/default/deployments/ssa2';
    const first = await c.send('PATCH', `${path}?fieldManager=alice`, applied(2), { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(first.status, 201, first.body.toString());
    const clash = await c.send('PATCH', `${path}?fieldManager=bob`, applied(3), { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(clash.status, 409);
    assert.match(clash.json<{ message: string }>().message, /^Apply failed with \d+ conflicts?: conflict with "alice"/);
    const forced = await c.send('PATCH', `${path}?fieldManager=bob&force=true`, applied(3), { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(forced.status, 200);
    assert.equal(forced.json<{ spec: { replicas: number } }>().spec.replicas, 3);
  });

  test('deletecollection with a label selector deletes only the matches', async () => {
    await c.send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dc' } }));
    for (const [name, tier] of [['a', 'x'], ['b', 'x'], ['c', 'y']]) {
      await c.send('POST', '/api/v1/namespaces/dc/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { tier } } }));
    }
    const r = await c.send('DELETE', '/api/v1/namespaces/dc/configmaps?labelSelector=tier%3Dx');
    assert.equal(r.status, 200);
    const left = (await c.send('GET', '/api/v1/namespaces/dc/configmaps')).json<{ items: { metadata: { name: string } }[] }>();
    assert.deepEqual(left.items.map((i) => i.metadata.name), ['c']);
  });

  test('list at an exact resourceVersion sees the past', async () => {
    await c.send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'past' } }));
    const one = (await c.send('POST', '/api/v1/namespaces/past/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } }))).json<{ metadata: { resourceVersion: string } }>();
    await c.send('POST', '/api/v1/namespaces/past/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' } }));
    const then = (await c.send('GET', `/api/v1/namespaces/past/configmaps?resourceVersion=${one.metadata.resourceVersion}&resourceVersionMatch=Exact`)).json<{ items: unknown[]; metadata: { resourceVersion: string } }>();
    assert.equal(then.items.length, 1);
    assert.equal(then.metadata.resourceVersion, one.metadata.resourceVersion);
    const now = (await c.send('GET', '/api/v1/namespaces/past/configmaps')).json<{ items: unknown[] }>();
    assert.equal(now.items.length, 2);
  });

  test('pods/eviction deletes the pod', async () => {
    await c.send('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evictme' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }));
    const r = await c.send('POST', '/api/v1/namespaces/default/pods/evictme/eviction', JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictme' } }));
    assert.equal(r.status, 201, r.body.toString());
    assert.equal((await c.send('GET', '/api/v1/namespaces/default/pods/evictme')).status, 404);
  });

  test('metrics use upstream names', async () => {
    const text = (await c.send('GET', '/metrics')).body.toString();
    assert.match(text, /^apiserver_request_total\{/m);
    assert.match(text, /^apiserver_request_duration_seconds_bucket\{/m);
    assert.match(text, /^apiserver_storage_objects\{resource="namespaces"\} [1-9]\d*$/m);
  });
});
