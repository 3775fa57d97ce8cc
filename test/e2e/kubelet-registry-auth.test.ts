// registries.yaml auth for real: Debian's docker-registry on 127.0.0.1 with htpasswd basic auth, made docker.io's
// mirror for a `skiff kubelet` node by `<data-dir>/agent/etc/registries.yaml` in k3s's format (mirrors.docker.io
// endpoint + configs."127.0.0.1:PORT".auth username/password). A pod of `docker.io/skiff/private:1` — an image only
// that registry has, which it refuses without credentials — is pulled through the mirror with the file's
// credentials and runs. Then the file gets a wrong password and the kubelet restarts (its containerd is started
// again from the new file): a pod of another tag gets ErrImagePull whose message carries the registry's 401. Real
// containerd, runc, CNI and kubectl; the API server, scheduler and node-ipam in this process; the run's own cluster
// CIDR and bridge (test/support/isolation.ts). Cleaned up: pods and sandboxes, the kubelet, containerd and the
// registry by PID, the bridge, CNI results, temp dirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { RestClient, resourceRef } from '../../src/client/index.ts';
import { KubeletNode, nodeRunnable } from '../support/kubelet-node.ts';
import { TestControlPlane } from '../support/control-plane.ts';
import { type TestRegistry, registryRunnable, startNodeRegistry, writeRegistriesYaml } from '../support/registry.ts';
import type { TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const podsRef = resourceRef('v1', 'pods');
const eventsRef = resourceRef('v1', 'events');

const auth = { user: 'puller', password: 'right-horse-battery' };

/** k3s's registries.yaml: docker.io mirrored to the registry, with basic auth for the registry's host. */
function registriesYaml(registry: TestRegistry, password: string): string {
  return [
    'mirrors:',
    '  docker.io:',
    `    endpoint: ["${registry.url}"]`,
    'configs:',
    `  "${registry.host}":`,
    '    auth:',
    `      username: ${auth.user}`,
    `      password: ${password}`,
    '',
  ].join('\n');
}

describe('registries.yaml auth: a docker.io mirror with basic auth', { skip: !nodeRunnable ? 'needs root, containerd, busybox-static and CNI plugins' : !registryRunnable ? 'needs docker-registry and perl' : false }, () => {
  const cp = new TestControlPlane({ userAgent: 'registry-auth-test' });
  let s: TestServer;
  let client: RestClient;
  let node: KubeletNode;
  let registry: TestRegistry | undefined;
  let registriesFile = '';

  const pod = (name: string): Promise<Pod> => client.get<Pod>(podsRef, name, { namespace: 'default' });

  before(async () => {
    await cp.start();
    ({ s, client } = cp);
    const nodeName = cp.run.name('regauth-');
    node = new KubeletNode({ kubeconfig: await cp.nodeKubeconfig(nodeName), nodeName, bridge: cp.run.name('skr') });
    registry = await startNodeRegistry(node.dataDir, ['skiff/private:1', 'skiff/private:2'], auth);
    registriesFile = writeRegistriesYaml(node.dataDir, registriesYaml(registry, auth.password));
    await node.start();
  });

  after(async () => {
    try {
      await node.cleanup(client);
    } finally {
      await registry?.stop();
      await cp.stop();
    }
  });

  test('the registry refuses the image without credentials', async () => {
    const anonymous = await fetch(`${registry!.url}/v2/skiff/private/manifests/1`, { method: 'HEAD' });
    assert.equal(anonymous.status, 401);
    const wrong = await fetch(`${registry!.url}/v2/skiff/private/manifests/1`, { method: 'HEAD', headers: { authorization: `Basic ${Buffer.from(`${auth.user}:nope`).toString('base64')}` } });
    assert.equal(wrong.status, 401);
  });

  test('a pod of docker.io/skiff/private:1 is pulled through the authenticated mirror and runs', async () => {
    const r = await s.kubectl(['run', 'private', '--image=docker.io/skiff/private:1', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.stderr);
    const p = await waitFor('private Running', async () => {
      const x = await pod('private');
      const waiting = x.status?.containerStatuses?.[0]?.state?.waiting;
      assert.notEqual(waiting?.reason, 'ErrImagePull', waiting?.message);
      assert.notEqual(waiting?.reason, 'ImagePullBackOff', waiting?.message);
      return x.status?.phase === 'Running' ? x : undefined;
    }, 60_000, 250);
    assert.match(p.status?.containerStatuses?.[0]?.imageID ?? '', /^docker\.io\/skiff\/private@sha256:[0-9a-f]{64}$/);
    const evs = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'private');
    assert.ok(evs.some((e) => e.reason === 'Pulled' && /^Successfully pulled image "docker\.io\/skiff\/private:1"/.test(e.message ?? '')), evs.map((e) => e.message).join('\n'));
  });

  test('a wrong password in registries.yaml gives ErrImagePull with the registry\'s 401', async (t) => {
    writeFileSync(registriesFile, registriesYaml(registry!, 'wrong-horse'));
    // the kubelet stops the containerd it started; the next start writes containerd's config from the new file
    await node.stopKubelet();
    await node.start();
    // the pod's waiting state passes through ErrImagePull (then ImagePullBackOff): watched from a revision before
    // the pod exists, so no state it passes through is missed
    const from = (await client.list<Pod>(podsRef, { namespace: 'default' })).metadata?.resourceVersion;
    assert.ok(from);
    const r = await s.kubectl(['run', 'denied', '--image=docker.io/skiff/private:2', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.stderr);
    const watch = new AbortController();
    let waiting: { reason?: string; message?: string } | undefined;
    const timer = setTimeout(() => watch.abort(), 60_000);
    try {
      for await (const ev of client.watch<Pod>(podsRef, { namespace: 'default', fieldSelector: 'metadata.name=denied', resourceVersion: from, signal: watch.signal })) {
        if (ev.type === 'ERROR') assert.fail(`watch error: ${JSON.stringify(ev.object)}`);
        const w = ev.object.status?.containerStatuses?.[0]?.state?.waiting;
        if (w?.reason === 'ErrImagePull') {
          waiting = w;
          break;
        }
        assert.notEqual(ev.object.status?.phase, 'Running', 'the pod ran with a wrong password');
      }
    } catch (err) {
      if (!watch.signal.aborted) throw err;
    } finally {
      clearTimeout(timer);
      watch.abort();
    }
    assert.ok(waiting, 'the pod never showed ErrImagePull');
    t.diagnostic(`ErrImagePull: ${waiting.message}`);
    assert.match(waiting.message ?? '', /401 Unauthorized/);
    assert.match(waiting.message ?? '', /docker\.io\/skiff\/private:2/);
    const evs = (await client.list<Event>(eventsRef, { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'denied');
    assert.ok(evs.some((e) => e.reason === 'Failed' && /^Failed to pull image "docker\.io\/skiff\/private:2": .*401 Unauthorized/.test(e.message ?? '')), evs.map((e) => e.message).join('\n'));
    assert.equal((await pod('denied')).status?.phase, 'Pending');
  });
});
