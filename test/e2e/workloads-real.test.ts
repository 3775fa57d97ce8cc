// Jobs and a StatefulSet with real containers on one real node: a Skiff API server with the controllers they need
// (Job, StatefulSet, EndpointSlice, the PV binder, the local-path provisioner, PVC/PV protection, node-ipam), the
// scheduler, `skiff kubelet` (its own containerd, a CNI bridge per run, its API on a free port for exec), `skiff
// proxy` (an nft table per run) and `skiff dns` behind the kube-dns Service, driven by real kubectl and the busybox
// test image. A Job of 5 completions runs at most 2 pods at once and is Complete; a failing Job stops at its
// backoffLimit (the controller's pod-failure backoff shortened to 1 s, the product default stays 10 s); a pod on a
// missing claim waits with FailedMount and runs once the claim is bound (a readOnly reference mounted read-only); a
// StatefulSet of 3 starts in order, its pods resolve each other by stable DNS name, and what web-0 wrote to its
// local-path volume is there for the web-0 that replaces it. Everything made is removed: processes by PID, the nft
// table, the bridge, CNI cache entries, containers and the temp dirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { InformerFactory, RestClient, resourceRef } from '../../src/client/index.ts';
import { type KubeletNode, busyboxImage, nodeRunnable } from '../support/kubelet-node.ts';
import { NodeHarness } from '../support/node-harness.ts';
import type { TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const podsRef = resourceRef('v1', 'pods');
const jobsRef = resourceRef('batch/v1', 'jobs');
const claimsRef = resourceRef('v1', 'persistentvolumeclaims');
const volumesRef = resourceRef('v1', 'persistentvolumes', false);

const isReady = (p: Pod | undefined): boolean => p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('Jobs and StatefulSets with real containers', { skip: nodeRunnable ? false : 'needs root, containerd, busybox-static and CNI plugins' }, () => {
  // this run's pod and Service CIDRs, cluster DNS IP, NodePort range and names (test/support/isolation.ts); the
  // cluster is test/support/node-harness.ts
  const h = new NodeHarness({
    nodePrefix: 'wl-e2e-', tablePrefix: 'skiff-wl', bridgePrefix: 'skw', userAgent: 'workloads-real-test',
    // the controller's pod-failure backoff shortened to 1 s (the product default stays 10 s)
    controllers: [
      'node-ipam', 'job', 'statefulset', 'endpointslice', 'garbage-collector', 'persistentvolume-binder', 'local-path-provisioner',
      'persistentvolumeclaim-protection', 'persistentvolume-protection',
    ],
    controllerOptions: { jobPodFailureBackoffMs: 1000 },
  });
  let nodeName = '';
  let s: TestServer;
  let client: RestClient;
  let node: KubeletNode;
  const kubectl = (args: string[], stdin?: object): Promise<string> => h.kubectl(args, stdin);

  const jobPods = async (job: string): Promise<Pod[]> => (await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: `job-name=${job}` })).items;

  before(async () => {
    await h.start();
    ({ nodeName, s, client, node } = h);
  });

  after(() => h.stop());

  test('a Job of 5 completions, parallelism 2, runs real containers to completion, never more than 2 at once', async () => {
    // every pod event is looked at: the most pods running at any observed moment
    const factory = new InformerFactory(client);
    const pods = factory.informerFor<Pod>(podsRef, { labelSelector: 'job-name=five' });
    let most = 0;
    const count = (): void => {
      const running = pods.lister.list('default').filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending').length;
      most = Math.max(most, running);
    };
    pods.addEventHandler({ onAdd: count, onUpdate: count, onDelete: count });
    const watching = new AbortController();
    factory.start(watching.signal);
    await pods.synced;
    try {
      await kubectl(['apply', '-f', '-'], {
        apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'five' },
        spec: {
          completions: 5, parallelism: 2,
          template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: busyboxImage, command: ['sh', '-c', 'sleep 1; echo done'] }] } },
        },
      });
      const waited = await kubectl(['wait', '--for=condition=complete', 'job/five', '--timeout=120s']);
      assert.match(waited, /job\.batch\/five condition met/);
    } finally {
      watching.abort();
    }
    const job = await client.get<Job>(jobsRef, 'five', { namespace: 'default' });
    assert.equal(job.status?.succeeded, 5);
    const finished = await jobPods('five');
    assert.equal(finished.filter((p) => p.status?.phase === 'Succeeded').length, 5, 'five pods ran to completion');
    assert.ok(finished.every((p) => node.containerLog(p, 'c') === 'done'), 'each container ran its command');
    assert.ok(most >= 1 && most <= 2, `at most 2 pods at once (saw ${most})`);
    assert.match(await kubectl(['get', 'job', 'five']), /^five\s+Complete\s+5\/5\s+/m);
  });

  test('a failing Job stops at its backoffLimit with reason BackoffLimitExceeded', async () => {
    await kubectl(['apply', '-f', '-'], {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'fails' },
      spec: {
        backoffLimit: 2,
        template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: busyboxImage, command: ['sh', '-c', 'exit 1'] }] } },
      },
    });
    await kubectl(['wait', '--for=condition=failed', 'job/fails', '--timeout=120s']);
    const reason = await kubectl(['get', 'job', 'fails', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}']);
    assert.equal(reason, 'BackoffLimitExceeded');
    const job = await client.get<Job>(jobsRef, 'fails', { namespace: 'default' });
    assert.equal(job.status?.failed, 3, 'backoffLimit 2: the third failure ends it');
    const pods = await jobPods('fails');
    assert.equal(pods.length, 3, 'no pod after the limit');
    assert.ok(pods.every((p) => p.status?.phase === 'Failed' && p.status.containerStatuses?.[0]?.state?.terminated?.exitCode === 1));
    const described = await kubectl(['describe', 'job', 'fails']);
    assert.match(described, /Warning\s+BackoffLimitExceeded\s+.*Job has reached the specified backoff limit/);
  });

  test('a pod on a missing claim waits with FailedMount, then runs once the claim is bound; readOnly is honoured', async () => {
    // placed by nodeName (no scheduler): only the kubelet stands between the pod and its missing claim
    await kubectl(['apply', '-f', '-'], {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader' },
      spec: {
        nodeName, terminationGracePeriodSeconds: 0,
        containers: [{ name: 'c', image: busyboxImage, command: ['sh', '-c', 'exec sleep 3600'], volumeMounts: [{ name: 'd', mountPath: '/data' }, { name: 'ro', mountPath: '/ro' }] }],
        volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'late' } }, { name: 'ro', persistentVolumeClaim: { claimName: 'late', readOnly: true } }],
      },
    });
    const failed = await waitFor('FailedMount for the missing claim', async () => {
      const out = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=reader,reason=FailedMount', '-o', 'jsonpath={.items[*].message}']);
      return out || undefined;
    }, 60_000);
    assert.match(failed, /error processing PVC default\/late: failed to fetch PVC from API server: persistentvolumeclaims "late" not found/);
    assert.equal((await client.get<Pod>(podsRef, 'reader', { namespace: 'default' })).status?.phase, 'Pending');
    await kubectl(['apply', '-f', '-'], {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'late' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } },
    });
    await waitFor('reader Ready', async () => isReady(await client.get<Pod>(podsRef, 'reader', { namespace: 'default' })), 60_000);
    await kubectl(['exec', 'reader', '--', 'sh', '-c', 'echo rw > /data/f']);
    assert.equal((await kubectl(['exec', 'reader', '--', 'cat', '/ro/f'])).trim(), 'rw', 'one volume behind both mounts');
    const write = await s.kubectl(['exec', 'reader', '--', 'sh', '-c', 'echo x > /ro/g']);
    assert.notEqual(write.code, 0, 'the readOnly claim reference is mounted read-only');
    assert.match(write.stderr + write.stdout, /Read-only file system/);
    // in use: deleting the claim leaves it Terminating until the pod is gone
    await kubectl(['delete', 'pvc', 'late', '--wait=false']);
    await kubectl(['delete', 'pod', 'reader', '--wait=true']);
    await waitFor('late gone with its pod', async () => !(await client.list<PersistentVolumeClaim>(claimsRef, { namespace: 'default' })).items.some((c) => c.metadata?.name === 'late'));
  });

  test('a StatefulSet of 3 starts in order, resolves its peers by stable DNS name, and keeps its volume data across pod deletion', async () => {
    // Each pod's creation is checked against what was Ready at that moment: OrderedReady starts web-N only once
    // web-0…web-(N-1) are Running and Ready.
    const factory = new InformerFactory(client);
    const pods = factory.informerFor<Pod>(podsRef, { labelSelector: 'app=web' });
    const created: string[] = [];
    const outOfOrder: string[] = [];
    pods.addEventHandler({
      onAdd: (p) => {
        const name = p.metadata?.name ?? '';
        created.push(name);
        const ordinal = Number(name.split('-').pop());
        for (let i = 0; i < ordinal; i++) if (!isReady(pods.lister.get('default', `web-${i}`))) outOfOrder.push(`${name} before web-${i} was Ready`);
      },
    });
    const watching = new AbortController();
    factory.start(watching.signal);
    await pods.synced;
    try {
      await kubectl(['apply', '-f', '-'], {
        apiVersion: 'v1', kind: 'List', items: [
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] } },
          {
            apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
            spec: {
              serviceName: 'web', replicas: 3, selector: { matchLabels: { app: 'web' } },
              template: {
                metadata: { labels: { app: 'web' } },
                spec: {
                  terminationGracePeriodSeconds: 0,
                  containers: [{ name: 'c', image: busyboxImage, command: ['sh', '-c', 'exec sleep 3600'], volumeMounts: [{ name: 'www', mountPath: '/data' }] }],
                },
              },
              volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '64Mi' } } } }],
            },
          },
        ],
      });
      await waitFor('web-0..2 Ready', async () => {
        const ps = (await client.list<Pod>(podsRef, { namespace: 'default', labelSelector: 'app=web' })).items;
        return ps.length === 3 && ps.every(isReady);
      }, 120_000);
    } finally {
      watching.abort();
    }
    assert.deepEqual(created, ['web-0', 'web-1', 'web-2'], 'created in ordinal order');
    assert.deepEqual(outOfOrder, [], 'each pod waited for its predecessors to be Ready');
    assert.match(await kubectl(['rollout', 'status', 'sts/web', '--timeout=30s']), /complete/);

    // every pod resolves every peer by its stable name, to the peer's pod IP
    const ips = new Map<string, string>();
    for (let i = 0; i < 3; i++) ips.set(`web-${i}`, (await client.get<Pod>(podsRef, `web-${i}`, { namespace: 'default' })).status!.podIP!);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (i === j) continue;
        const peer = `web-${j}.web.default.svc.cluster.local`;
        const answer = await waitFor(`web-${i} resolves ${peer}`, async () => {
          const r = await s.kubectl(['exec', `web-${i}`, '--', 'nslookup', '-type=a', peer]);
          const addrs = [...r.stdout.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]);
          return r.code === 0 && addrs.length ? addrs : undefined;
        }, 30_000, 250);
        assert.deepEqual(answer, [ips.get(`web-${j}`)], `${peer} from web-${i}`);
      }
    }

    // the claim is a local-path volume under the server's storage dir, mounted into the pod
    const claim = await client.get<PersistentVolumeClaim>(claimsRef, 'www-web-0', { namespace: 'default' });
    const pv = await client.get<PersistentVolume>(volumesRef, claim.spec!.volumeName!);
    assert.equal(pv.spec?.hostPath?.path, `${s.dataDir}/storage/${claim.spec!.volumeName}`);
    const token = randomBytes(6).toString('hex');
    await kubectl(['exec', 'web-0', '--', 'sh', '-c', `echo ${token} > /data/token`]);
    const first = await client.get<Pod>(podsRef, 'web-0', { namespace: 'default' });
    await kubectl(['delete', 'pod', 'web-0', '--wait=true']);
    const second = await waitFor('web-0 replaced and Ready', async () => {
      const p = await client.get<Pod>(podsRef, 'web-0', { namespace: 'default' }).catch(() => undefined);
      return p && p.metadata?.uid !== first.metadata?.uid && isReady(p) ? p : undefined;
    }, 60_000);
    assert.equal(second.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName, 'www-web-0');
    assert.equal((await kubectl(['exec', 'web-0', '--', 'cat', '/data/token'])).trim(), token, 'the new web-0 reads what the old one wrote');
    // web-1's volume is its own
    const other = await s.kubectl(['exec', 'web-1', '--', 'cat', '/data/token']);
    assert.notEqual(other.code, 0, 'web-1 has its own, empty volume');
  });
});
