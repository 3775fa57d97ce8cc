// Registry behaviour real clients depend on, driven with the real kubectl where it applies: eviction honours
// its DeleteOptions (`kubectl drain --grace-period=0`, uid preconditions), the immortal namespaces cannot be
// deleted and terminating ones take no new content, a PUT whose only change is key order writes nothing, and
// the request shapes upstream refuses (resourceVersionMatch alone, apply-patch+cbor) are refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { adminClient } from '../support/http.ts';

type Obj = { metadata: { name: string; uid: string; resourceVersion: string; generation?: number; deletionTimestamp?: string }; [k: string]: unknown };

describe('registry behaviour with kubectl', () => {
  let s: TestServer;
  let c: ReturnType<typeof adminClient>;
  before(async () => {
    s = await startTestServer();
    c = adminClient(s.kubeconfig);
  });
  after(() => s.stop());

  const nodeAndPod = (node: string, pod: string) => `apiVersion: v1
kind: Node
metadata: {name: ${node}}
---
apiVersion: v1
kind: Pod
metadata: {name: ${pod}, namespace: default}
spec: {nodeName: ${node}, terminationGracePeriodSeconds: 30, containers: [{name: c, image: nginx}]}
`;

  test('kubectl drain --grace-period=0 evicts a bound pod at once (no kubelet needed to finish it)', async () => {
    assert.equal((await s.kubectl(['apply', '-f', '-'], { stdin: nodeAndPod('drain-1', 'drained') })).code, 0);
    const r = await s.kubectl(['drain', 'drain-1', '--grace-period=0', '--force', '--timeout=20s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pod\/drained evicted/);
    assert.equal((await c.send('GET', '/api/v1/namespaces/default/pods/drained')).status, 404);
  });

  test('an eviction with a mismatched uid precondition is a 409 and writes nothing; otherwise the pod is marked DisruptionTarget and deleted with its own grace period', async () => {
    assert.equal((await s.kubectl(['apply', '-f', '-'], { stdin: nodeAndPod('evict-1', 'evictee') })).code, 0);
    const path = '/api/v1/namespaces/default/pods/evictee';
    const pod = (await c.send('GET', path)).json<Obj>();
    const eviction = (deleteOptions: object) => JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictee', namespace: 'default' }, deleteOptions });
    const wrong = await c.send('POST', `${path}/eviction`, eviction({ preconditions: { uid: 'not-the-uid' } }));
    assert.equal(wrong.status, 409, wrong.body.toString());
    assert.equal(wrong.json().reason, 'Conflict');
    assert.equal(wrong.json().message, `Operation cannot be fulfilled on Pod "evictee": the UID in the precondition (not-the-uid) does not match the UID in record (${pod.metadata.uid}). The object might have been deleted and then recreated`);
    const still = (await c.send('GET', path)).json<Obj>();
    assert.equal(still.metadata.deletionTimestamp, undefined);
    assert.equal(still.metadata.resourceVersion, pod.metadata.resourceVersion, 'a refused eviction writes nothing');
    // The pod's own grace period applies when the eviction names none: it is marked, not removed.
    assert.equal((await c.send('POST', `${path}/eviction`, eviction({ preconditions: { uid: pod.metadata.uid } }))).status, 201);
    const marked = (await c.send('GET', path)).json<Obj & { metadata: { deletionGracePeriodSeconds?: number }; status: { conditions: { type: string; status: string; reason?: string; message?: string }[] } }>();
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 30);
    const target = marked.status.conditions.find((cond) => cond.type === 'DisruptionTarget');
    assert.deepEqual({ ...target, lastTransitionTime: undefined, lastProbeTime: undefined }, {
      type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: undefined, lastProbeTime: undefined,
    });
    assert.equal((await c.send('POST', `${path}/eviction`, eviction({ gracePeriodSeconds: 0 }))).status, 201);
    assert.equal((await c.send('GET', path)).status, 404);
  });

  test('the immortal namespaces cannot be deleted, one by one or with --all', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const r = await s.kubectl(['delete', 'namespace', ns]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), `Error from server (Forbidden): namespaces "${ns}" is forbidden: this namespace may not be deleted`);
    }
    const raw = await c.send('DELETE', '/api/v1/namespaces/kube-public');
    assert.equal(raw.status, 403);
    assert.deepEqual(raw.json().details, { name: 'kube-public', kind: 'namespaces' });
    assert.equal((await s.kubectl(['create', 'namespace', 'doomed'])).code, 0);
    const all = await s.kubectl(['delete', 'namespace', '--all', '--wait=false']);
    assert.equal(all.code, 1);
    assert.match(all.stdout, /namespace "doomed" deleted/);
    const phases = (await s.kubectl(['get', 'namespaces', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}'])).stdout;
    for (const ns of ['default', 'kube-system', 'kube-public']) assert.match(phases, new RegExp(`\\b${ns}=Active\\b`));
    assert.match(phases, /\bdoomed=Terminating\b/);
    // Nothing new in a terminating namespace (upstream NamespaceLifecycle).
    const refused = await s.kubectl(['create', 'configmap', 'late', '-n', 'doomed']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim(), 'error: failed to create configmap: configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
  });

  test('kubectl replace whose only change is key order writes nothing, keeps generation and is no change to immutable data', async () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: keyorder, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: keyorder, tier: web}}
  template:
    metadata: {labels: {app: keyorder, tier: web}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: keyorder, namespace: default}
immutable: true
data: {a: "1", b: "2", c: "3"}
`;
    assert.equal((await s.kubectl(['create', '-f', '-'], { stdin: manifest })).code, 0);
    const get = async (what: string) => JSON.parse((await s.kubectl(['get', what, 'keyorder', '-o', 'json'])).stdout) as Obj;
    const deploy = await get('deployment');
    const cm = await get('configmap');
    const spec = deploy.spec as { selector: { matchLabels: Record<string, string> } };
    spec.selector.matchLabels = { tier: 'web', app: 'keyorder' };
    cm.data = { c: '3', b: '2', a: '1' };
    const r = await s.kubectl(['replace', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [deploy, cm] }) });
    assert.equal(r.code, 0, r.stderr);
    const deployAfter = await get('deployment');
    const cmAfter = await get('configmap');
    assert.equal(deployAfter.metadata.generation, 1);
    assert.equal(deployAfter.metadata.resourceVersion, deploy.metadata.resourceVersion);
    assert.equal(cmAfter.metadata.resourceVersion, cm.metadata.resourceVersion);
    // A real change still writes (the check above is not vacuous).
    assert.equal((await s.kubectl(['scale', 'deployment', 'keyorder', '--replicas=2'])).code, 0);
    assert.equal((await get('deployment')).metadata.generation, 2);
  });

  test('resourceVersionMatch without resourceVersion is refused as upstream', async () => {
    const r = await c.send('GET', '/api/v1/namespaces/default/configmaps?resourceVersionMatch=NotOlderThan');
    assert.equal(r.status, 422);
    assert.equal(r.json().message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    assert.equal((await c.send('GET', '/api/v1/namespaces/default/configmaps?resourceVersionMatch=NotOlderThan&resourceVersion=0')).status, 200);
  });

  test('application/apply-patch+cbor is a 415 until CBOR is decoded', async () => {
    const r = await c.send('PATCH', '/api/v1/namespaces/default/configmaps/cbor?fieldManager=t', 'data: {a: "1"}', { 'Content-Type': 'application/apply-patch+cbor' });
    assert.equal(r.status, 415);
    assert.equal(r.json().reason, 'UnsupportedMediaType');
    assert.equal((await c.send('GET', '/api/v1/namespaces/default/configmaps/cbor')).status, 404);
  });
});
