// The kubelet's image pulls with credentials, its container events, and a deleted Node, with real containerd and
// real kubectl: Debian's docker-registry on 127.0.0.1 behind htpasswd basic auth holds the busybox test image.
// Without a pull secret the pull fails with the registry's 401 (ErrImagePull, then ImagePullBackOff); a
// `kubectl create secret docker-registry` secret with a wrong password fails the same way; the right one, named in
// spec.imagePullSecrets or in the pod's ServiceAccount (copied by admission), gives Running. Container events carry
// involvedObject.fieldPath spec.containers{NAME} / spec.initContainers{NAME} and source kubelet/<node>, as
// `kubectl describe pod` and `kubectl get events` show. A pod whose Node is deleted while its kubelet is down is
// removed by pod GC, and the kubelet, back, re-registers the Node and stops and removes the pod's containers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ContainerStateWaiting, Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { busyboxImage } from '../../src/node/images/busybox.ts';
import { podUidLabel } from '../../src/node/kubelet/runtime-config.ts';
import { TestControlPlane } from '../support/control-plane.ts';
import { KubeletNode, nodeRunnable } from '../support/kubelet-node.ts';
import { type TestRegistry, registryRunnable, startNodeRegistry } from '../support/registry.ts';
import type { TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const podsRef = resourceRef('v1', 'pods');
const nodesRef = resourceRef('v1', 'nodes', false);
const eventsRef = resourceRef('v1', 'events');

const skip = !nodeRunnable ? 'needs root, containerd, busybox-static and CNI plugins' : !registryRunnable ? 'needs docker-registry and perl' : false;

describe('kubelet: pull secrets, container events, a deleted node', { skip }, () => {
  // the run's cluster CIDR, Service CIDR and names (test/support/isolation.ts); the pod GC's periods shortened
  const cp = new TestControlPlane({
    userAgent: 'kubelet-pull-test', controllers: ['node-ipam', 'pod-garbage-collector'], controllerOptions: { podGcPeriodMs: 200, podGcQuarantineMs: 500 },
  });
  let nodeName = '';
  const creds = { user: 'skiff', password: randomBytes(8).toString('hex') };
  let s: TestServer;
  let client: RestClient;
  let node: KubeletNode;
  let registry: TestRegistry;

  const pod = (name: string) => client.get<Pod>(podsRef, name, { namespace: 'default' });
  /** Every waiting state pod `name` is written with (ErrImagePull lasts only until the next sync turns it into
   *  ImagePullBackOff, so polling could miss it): watched from before the pod exists. */
  const watchWaiting = (name: string): { seen: ContainerStateWaiting[]; stop(): Promise<void> } => {
    const seen: ContainerStateWaiting[] = [];
    const stop = new AbortController();
    const done = (async () => {
      for await (const ev of client.watch<Pod>(podsRef, { namespace: 'default', fieldSelector: `metadata.name=${name}`, signal: stop.signal })) {
        if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') continue;
        const w = ev.object.status?.containerStatuses?.[0]?.state?.waiting;
        if (w) seen.push(w);
      }
    })().catch(() => undefined);
    return { seen, stop: async () => { stop.abort(); await done; } };
  };
  const waiting = async (name: string, image: string, extra: Record<string, unknown> = {}): Promise<ContainerStateWaiting[]> => {
    const w = watchWaiting(name);
    try {
      await run(name, image, extra);
      return await waitFor(`${name} ErrImagePull then ImagePullBackOff`, () => {
        const i = w.seen.findIndex((x) => x.reason === 'ErrImagePull');
        return i >= 0 && w.seen.slice(i).some((x) => x.reason === 'ImagePullBackOff') ? w.seen : undefined;
      });
    } finally {
      await w.stop();
    }
  };
  const kubeletEvents = async (name: string): Promise<Event[]> =>
    (await client.list<Event>(eventsRef, { namespace: 'default' })).items.filter((e) => e.involvedObject.name === name && e.source?.component === 'kubelet');
  const run = async (name: string, image: string, extra: Record<string, unknown> = {}): Promise<void> => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image, command: ['sleep', '3600'] }], ...extra },
    };
    const r = await s.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    assert.equal(r.code, 0, r.stderr);
  };

  before(async () => {
    await cp.start();
    ({ s, client } = cp);
    nodeName = cp.run.name('kubelet-pull-');
    node = new KubeletNode({ kubeconfig: await cp.nodeKubeconfig(nodeName), nodeName, bridge: cp.run.name('skp') });
    registry = await startNodeRegistry(node.dataDir, ['skiff/private:1', 'skiff/private-sa:1'], creds);
    await node.start();
    await node.importTestImage();
  });

  after(async () => {
    try {
      await node.cleanup(client);
    } finally {
      await registry?.stop();
      await cp.stop();
    }
  });

  test('without a pull secret the registry\'s 401 gives ErrImagePull, then ImagePullBackOff', async (t) => {
    const image = `${registry.host}/skiff/private:1`;
    const seen = await waiting('nosecret', image);
    assert.match(seen.find((x) => x.reason === 'ErrImagePull')?.message ?? '', /401 Unauthorized/);
    t.diagnostic(`ErrImagePull: ${seen.find((x) => x.reason === 'ErrImagePull')?.message}`);
    assert.equal(seen.find((x) => x.reason === 'ImagePullBackOff')?.message, `Back-off pulling image "${image}"`);
    const evs = await kubeletEvents('nosecret');
    assert.ok(evs.some((e) => e.reason === 'Failed' && e.message?.startsWith(`Failed to pull image "${image}": rpc error: code = `) && /401 Unauthorized/.test(e.message)));
  });

  test('a docker-registry secret with a wrong password: ErrImagePull', async (t) => {
    const r = await s.kubectl(['create', 'secret', 'docker-registry', 'wrongcred', `--docker-server=${registry.host}`, `--docker-username=${creds.user}`, '--docker-password=nope']);
    assert.equal(r.code, 0, r.stderr);
    const seen = await waiting('wrongpw', `${registry.host}/skiff/private:1`, { imagePullSecrets: [{ name: 'wrongcred' }] });
    assert.match(seen.find((x) => x.reason === 'ErrImagePull')?.message ?? '', /401 Unauthorized/);
    t.diagnostic(`ErrImagePull: ${seen.find((x) => x.reason === 'ErrImagePull')?.message}`);
  });

  test('the right secret in spec.imagePullSecrets: Running; a missing one is reported and skipped', async () => {
    const r = await s.kubectl(['create', 'secret', 'docker-registry', 'regcred', `--docker-server=${registry.host}`, `--docker-username=${creds.user}`, `--docker-password=${creds.password}`]);
    assert.equal(r.code, 0, r.stderr);
    await run('withsecret', `${registry.host}/skiff/private:1`, { imagePullSecrets: [{ name: 'absent' }, { name: 'regcred' }] });
    const p = await waitFor('withsecret Running', async () => {
      const x = await pod('withsecret');
      return x.status?.phase === 'Running' ? x : undefined;
    });
    assert.match(p.status?.containerStatuses?.[0]?.imageID ?? '', new RegExp(`^${registry.host}/skiff/private@sha256:[0-9a-f]{64}$`));
    const evs = await kubeletEvents('withsecret');
    assert.ok(evs.some((e) => e.reason === 'FailedToRetrieveImagePullSecret' && e.type === 'Warning'
      && e.message === 'Unable to retrieve some image pull secrets (absent); attempting to pull the image may not succeed.'));
  });

  test('the ServiceAccount\'s imagePullSecrets are copied into the pod at admission and used', async () => {
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller' }, imagePullSecrets: [{ name: 'regcred' }] };
    assert.equal((await s.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(sa) })).code, 0);
    await run('viasa', `${registry.host}/skiff/private-sa:1`, { serviceAccountName: 'puller' });
    assert.deepEqual((await pod('viasa')).spec?.imagePullSecrets, [{ name: 'regcred' }]);
    await waitFor('viasa Running', async () => (await pod('viasa')).status?.phase === 'Running');
  });

  test('container events name the container (fieldPath) and the kubelet, in kubectl describe and get events', async () => {
    await run('described', busyboxImage, {
      initContainers: [{ name: 'prep', image: busyboxImage, imagePullPolicy: 'IfNotPresent', command: ['true'] }],
      containers: [{
        name: 'app', image: busyboxImage, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'],
        readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 },
      }],
    });
    const evs = await waitFor('described events', async () => {
      const e = await kubeletEvents('described');
      const got = e.map((x) => `${x.reason} ${x.involvedObject.fieldPath ?? ''}`);
      const want = ['Pulled spec.initContainers{prep}', 'Created spec.initContainers{prep}', 'Started spec.initContainers{prep}',
        'Pulled spec.containers{app}', 'Created spec.containers{app}', 'Started spec.containers{app}', 'Unhealthy spec.containers{app}'];
      return want.every((w) => got.includes(w)) ? e : undefined;
    });
    for (const e of evs) {
      assert.equal(e.source?.host, nodeName);
      assert.equal(e.reportingComponent, 'kubelet');
      assert.equal(e.reportingInstance, nodeName);
      assert.equal(e.involvedObject.kind, 'Pod');
      assert.ok(e.involvedObject.uid);
    }
    const d = await s.kubectl(['describe', 'pod', 'described']);
    assert.equal(d.code, 0, d.stderr);
    const events = d.stdout.slice(d.stdout.indexOf('\nEvents:'));
    assert.match(events, /\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/);
    assert.match(events, /\n\s+Normal\s+Started\s+\S+\s+kubelet\s+Started container prep\n/);
    assert.match(events, /\n\s+Normal\s+Created\s+\S+\s+kubelet\s+Created container: app\n/);
    assert.match(events, /\n\s+Warning\s+Unhealthy\s+\S+\s+kubelet\s+Readiness probe failed: /);
    const g = await s.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=described,reason=Started',
      '-o', 'custom-columns=REASON:.reason,PATH:.involvedObject.fieldPath,SOURCE:.source.component,HOST:.source.host', '--sort-by=.metadata.name']);
    assert.equal(g.code, 0, g.stderr);
    const rows = g.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/)).sort();
    assert.deepEqual(rows, [['Started', 'spec.containers{app}', 'kubelet', nodeName], ['Started', 'spec.initContainers{prep}', 'kubelet', nodeName]]);
    const del = await s.kubectl(['delete', 'pod', 'described', '--timeout=60s']);
    assert.equal(del.code, 0, del.stderr);
    const killing = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.find((e) => e.involvedObject.name === 'described' && e.reason === 'Killing');
    assert.equal(killing?.involvedObject.fieldPath, 'spec.containers{app}');
    assert.equal(killing?.message, 'Stopping container app');
  });

  test('a pod whose Node is deleted while its kubelet is down: pod GC removes it, the kubelet back removes its containers', async () => {
    await run('orphan', busyboxImage, { containers: [{ name: 'app', image: busyboxImage, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] });
    const p = await waitFor('orphan Running', async () => {
      const x = await pod('orphan');
      return x.status?.phase === 'Running' ? x : undefined;
    });
    const uid = p.metadata!.uid!;
    const before = await client.get<Node>(nodesRef, nodeName);
    // SIGKILL: the kubelet's containerd stays up (SIGTERM would stop it too), so the runtime can be asked meanwhile
    await node.stopKubelet('SIGKILL');
    const del = await s.kubectl(['delete', 'node', nodeName]);
    assert.equal(del.code, 0, del.stderr);
    await waitFor('orphan deleted by pod GC', async () => !(await pod('orphan').catch(() => undefined)));
    // the kubelet was away: its container still runs
    assert.equal((await node.cri.listContainers({ labelSelector: { [podUidLabel]: uid } }))[0]?.state, 'CONTAINER_RUNNING');
    await node.start();
    const again = await waitFor('node registered again', async () => {
      const n = await client.get<Node>(nodesRef, nodeName).catch(() => undefined);
      return n && n.metadata?.uid !== before.metadata?.uid ? n : undefined;
    });
    assert.equal(again.metadata?.labels?.['kubernetes.io/hostname'], nodeName);
    await waitFor('orphan containers and sandbox removed', async () => {
      const [cs, sbs] = await Promise.all([
        node.cri.listContainers({ labelSelector: { [podUidLabel]: uid } }),
        node.cri.listPodSandbox({ labelSelector: { [podUidLabel]: uid } }),
      ]);
      return cs.length === 0 && sbs.length === 0;
    });
  });
});
