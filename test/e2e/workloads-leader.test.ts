// Two controller-managers against one API server: only the holder of kube-system/kube-controller-manager runs
// controllers, so pods are never created twice; when the leader stops, the other takes over and carries on.
import { test } from 'node:test';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { RestClient, leasesRef } from '../../src/client/index.ts';
import { type ControllerManager, startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { podsRef, replicaSetsRef } from '../../src/control-plane/controllers/replicaset.ts';
import { startTestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Records every pod ever ADDED in namespace default with label app=<app>, from a watch opened before any
 * controller runs. settle() is the barrier that replaces a sleep before the "no pod created twice" check: it
 * creates an unrelated pod and waits for its ADDED event; a watch delivers events in resourceVersion order, so
 * by then every pod created before that write has been recorded.
 */
function recordPodCreations(client: RestClient, app: string) {
  const created = new Set<string>();
  const seen = new Set<string>();
  const stop = new AbortController();
  let barriers = 0;
  const watching = (async () => {
    try {
      for await (const ev of client.watch<Pod>(podsRef, { namespace: 'default', signal: stop.signal })) {
        if (ev.type !== 'ADDED') continue;
        const name = ev.object.metadata?.name ?? '';
        if (ev.object.metadata?.labels?.app === app) created.add(name);
        seen.add(name);
      }
    } catch (err) {
      if (!stop.signal.aborted) throw err;
    }
  })();
  return {
    created,
    async settle(): Promise<void> {
      const name = `barrier-${app}-${++barriers}`;
      await client.create<Pod>(podsRef, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { role: 'barrier' } }, spec: { containers: [{ name: 'c', image: 'img:a' }] } }, { namespace: 'default' });
      await waitFor(`watch sees ${name}`, () => seen.has(name));
    },
    async stop(): Promise<void> {
      stop.abort();
      await watching;
    },
  };
}

test('two controller-managers: one leader acts, no pod is created twice, the other takes over', async () => {
  const s = await startTestServer();
  const client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  const stopA = new AbortController();
  const stopB = new AbortController();
  const managers: ControllerManager[] = [];
  let pods: ReturnType<typeof recordPodCreations> | undefined;
  try {
    pods = recordPodCreations(client, 'lead');
    const timings = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };
    const start = (identity: string, signal: AbortSignal) =>
      startControllerManager({ client, signal, identity, controllers: ['replicaset'], ...timings });
    managers.push(await start('cm-a', stopA.signal), await start('cm-b', stopB.signal));
    const [a, b] = managers;
    const leader = await waitFor('a leader', () => (a.isLeading() ? a : b.isLeading() ? b : undefined));
    const follower = leader === a ? b : a;
    const lease = await client.get<Lease>(leasesRef, 'kube-controller-manager', { namespace: 'kube-system' });
    assert.equal(lease.spec?.holderIdentity, leader.identity);
    assert.equal(follower.isLeading(), false);

    await s.kubectl(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'lead', namespace: 'default' },
        spec: { replicas: 5, selector: { matchLabels: { app: 'lead' } }, template: { metadata: { labels: { app: 'lead' } }, spec: { containers: [{ name: 'c', image: 'img:a' }] } } },
      }),
    });
    const rsStatus = async (n: number) => {
      const rs = await client.get<ReplicaSet>(replicaSetsRef, 'lead', { namespace: 'default' });
      return rs.status?.replicas === n ? rs : undefined;
    };
    await waitFor('5 pods', () => rsStatus(5));
    await pods.settle();
    assert.equal(pods.created.size, 5, `pods created: ${[...pods.created].join(', ')}`);
    assert.equal(follower.isLeading(), false);

    // the leader stops (releasing the lease); the follower takes over and keeps managing the set
    (leader === a ? stopA : stopB).abort();
    await leader.done;
    await waitFor('follower leads', () => follower.isLeading());
    const r = await s.kubectl(['scale', '--replicas=8', 'replicaset', 'lead']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('8 pods', () => rsStatus(8));
    await pods.settle();
    assert.equal(pods.created.size, 8, `pods created: ${[...pods.created].join(', ')}`);
    const after = await client.get<Lease>(leasesRef, 'kube-controller-manager', { namespace: 'kube-system' });
    assert.equal(after.spec?.holderIdentity, follower.identity);
  } finally {
    stopA.abort();
    stopB.abort();
    await pods?.stop();
    await Promise.all(managers.map((m) => m.done));
    client.close();
    await s.stop();
  }
});

const managerModule = fileURLToPath(new URL('../../src/control-plane/controllers/manager.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url)); // where --import tsx resolves

/** `controllerManagerCommand` in its own process, as `skiff controller-manager` would run it. */
function spawnManager(args: string[]): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const script = `import { controllerManagerCommand } from ${JSON.stringify(managerModule)}; process.exitCode = await controllerManagerCommand(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

test('a controller-manager process killed with SIGKILL is replaced after its lease expires; SIGTERM exits 0', async () => {
  const s = await startTestServer();
  const client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  const stop = new AbortController();
  const children: ChildProcess[] = [];
  let inProcess: ControllerManager | undefined;
  let pods: ReturnType<typeof recordPodCreations> | undefined;
  const lease = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };
  const flags = ['--kubeconfig', s.kubeconfig, '--controllers', 'replicaset', '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms', '--secure-port', '0'];
  try {
    const a = spawnManager([...flags, '--leader-elect-identity', 'proc-a']);
    children.push(a.child);
    const holder = async () => (await client.get<Lease>(leasesRef, 'kube-controller-manager', { namespace: 'kube-system' }).catch(() => undefined))?.spec?.holderIdentity;
    await waitFor('proc-a leads', async () => (await holder()) === 'proc-a').catch((err: Error) => {
      throw new Error(`${err.message}; its output: ${a.output()}`);
    });
    inProcess = await startControllerManager({ client, signal: stop.signal, identity: 'in-proc', controllers: ['replicaset'], ...lease });

    pods = recordPodCreations(client, 'crash');
    const apply = await s.kubectl(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'crash', namespace: 'default' },
        spec: { replicas: 4, selector: { matchLabels: { app: 'crash' } }, template: { metadata: { labels: { app: 'crash' } }, spec: { containers: [{ name: 'c', image: 'img:a' }] } } },
      }),
    });
    assert.equal(apply.code, 0, apply.stderr);
    const replicas = async (n: number) => (await client.get<ReplicaSet>(replicaSetsRef, 'crash', { namespace: 'default' })).status?.replicas === n;
    await waitFor('4 pods from proc-a', () => replicas(4));
    assert.equal(inProcess.isLeading(), false);

    a.child.kill('SIGKILL'); // no release: the lease must run out
    await a.exited;
    await waitFor('in-process manager takes over', () => inProcess!.isLeading());
    assert.equal(await holder(), 'in-proc');
    const r = await s.kubectl(['scale', '--replicas=6', 'replicaset', 'crash']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('6 pods', () => replicas(6));
    await pods.settle();
    assert.equal(pods.created.size, 6, `no pod created twice: ${[...pods.created].join(', ')}`);

    // a follower process stops cleanly on SIGTERM
    const b = spawnManager([...flags, '--leader-elect-identity', 'proc-b']);
    children.push(b.child);
    await waitFor('proc-b running', () => b.output().includes('running as proc-b'));
    b.child.kill('SIGTERM');
    assert.equal(await b.exited, 0, b.output());
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    stop.abort();
    await pods?.stop();
    await inProcess?.done;
    client.close();
    await s.stop();
  }
});

test('a manager whose lease is taken over stops its controllers, then campaigns again', async () => {
  const s = await startTestServer();
  const client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  const stop = new AbortController();
  let starts = 0;
  let stops = 0;
  const registry = {
    'probe-controller': async (ctx: { signal: AbortSignal }) => {
      starts++;
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      stops++;
    },
  };
  const cm = await startControllerManager({ client, signal: stop.signal, identity: 'victim', registry, leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 });
  try {
    await waitFor('leading', () => cm.isLeading());
    // another holder writes itself into the lease for 2 s: the victim cannot renew and must step down
    const lease = await client.get<Lease>(leasesRef, 'kube-controller-manager', { namespace: 'kube-system' });
    await client.update<Lease>(leasesRef, { ...lease, spec: { ...lease.spec, holderIdentity: 'thief', leaseDurationSeconds: 2, renewTime: new Date().toISOString().replace(/Z$/, '000Z') } });
    await waitFor('stepped down', () => stops === 1);
    assert.equal(cm.isLeading(), false);
    await waitFor('leading again', () => cm.isLeading() && starts === 2);
  } finally {
    stop.abort();
    await cm.done;
    client.close();
    await s.stop();
  }
});
