import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestClient } from '../../client/rest.ts';
import type { ControllerContext, StartController } from './context.ts';
import { FakeClock } from '../../client/clock.ts';
import { resourceRef } from '../../client/resource-ref.ts';
import { enabledControllers, startControllerManager } from './manager.ts';
import { parseControllerManagerFlags } from './manager-flags.ts';
import { controllerManagerRegistry } from './metrics.ts';

const podsRef = resourceRef('v1', 'pods');

const noop: StartController = async () => {};
const registry = { 'replicaset-controller': noop, 'deployment-controller': noop, 'namespace-controller': noop };

test('--controllers selects as upstream: *, names with or without -controller, -name disables', () => {
  assert.deepEqual(enabledControllers(registry), Object.keys(registry));
  assert.deepEqual(enabledControllers(registry, ['replicaset']), ['replicaset-controller']);
  assert.deepEqual(enabledControllers(registry, ['*', '-deployment-controller']), ['replicaset-controller', 'namespace-controller']);
  assert.deepEqual(enabledControllers(registry, ['-namespace']), []);
  assert.throws(() => enabledControllers(registry, ['nope']), /unknown controller "nope"/);
});

test('without leader election the controllers start at once, share one context and stop on abort', async () => {
  const seen: ControllerContext[] = [];
  const start: StartController = async (ctx) => {
    seen.push(ctx);
    ctx.recorder('x');
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  };
  const ac = new AbortController();
  const client = new RestClient({ server: 'https://127.0.0.1:1' });
  const cm = await startControllerManager({ client, signal: ac.signal, leaderElection: false, registry: { 'a-controller': start, 'b-controller': start }, identity: 'me' });
  assert.equal(cm.identity, 'me');
  assert.ok(cm.isLeading());
  assert.equal(seen.length, 2);
  // each controller gets its own scoped view, backed by the same shared informer (one watch per resource)
  assert.equal(seen[0].informers.informerFor(podsRef).cache, seen[1].informers.informerFor(podsRef).cache);
  assert.equal(seen[0].recorder('x'), seen[1].recorder('x'));
  assert.equal(seen[0].options.concurrentReplicaSetSyncs, 5);
  ac.abort();
  await cm.done;
  assert.ok(!cm.isLeading());
  client.close();
});

async function restartsOf(controller: string): Promise<number> {
  const m = await controllerManagerRegistry.getSingleMetric('skiff_controller_restarts_total')!.get();
  return m.values.find((v) => v.labels.controller === controller)?.value ?? 0;
}

test('a controller that throws is restarted after a doubling backoff, counted, and its failed run is ended', async () => {
  const clock = new FakeClock();
  const runs: AbortSignal[] = [];
  const failures: string[] = [];
  let ready!: () => void;
  const thirdRun = new Promise<void>((r) => (ready = r));
  const flaky: StartController = async (ctx) => {
    runs.push(ctx.signal);
    ctx.informers.informerFor(podsRef).addEventHandler({});
    if (runs.length === 3) ready();
    if (runs.length < 3) throw new Error(`boom ${runs.length}`);
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  };
  const ac = new AbortController();
  const client = new RestClient({ server: 'https://127.0.0.1:1' });
  const before = await restartsOf('flaky-controller');
  const cm = await startControllerManager({
    client, signal: ac.signal, leaderElection: false, clock, registry: { 'flaky-controller': flaky },
    supervision: { initialBackoffMs: 1000, maxBackoffMs: 8000, onFailure: (err) => failures.push((err as Error).message) },
  });
  const waitFailures = async (n: number): Promise<void> => {
    while (failures.length < n) await new Promise((r) => setImmediate(r));
  };
  await waitFailures(1);
  assert.equal(runs.length, 1, 'no restart before the backoff has passed');
  assert.ok(runs[0].aborted, 'the failed run was ended');
  clock.step(999);
  await new Promise((r) => setImmediate(r));
  assert.equal(runs.length, 1, 'still within the first backoff');
  clock.step(1);
  await waitFailures(2);
  clock.step(1999);
  await new Promise((r) => setImmediate(r));
  assert.equal(runs.length, 2, 'the second backoff doubled to 2 s');
  clock.step(1);
  await thirdRun;
  assert.deepEqual(failures, ['boom 1', 'boom 2']);
  assert.equal((await restartsOf('flaky-controller')) - before, 2);
  assert.ok(!runs[2].aborted, 'the third run keeps running');
  ac.abort();
  await cm.done;
  client.close();
});

test('a controller that returns while the manager runs is a failure too', async () => {
  const clock = new FakeClock();
  const failures: unknown[] = [];
  let runs = 0;
  const quitter: StartController = async () => {
    runs++;
  };
  const ac = new AbortController();
  const client = new RestClient({ server: 'https://127.0.0.1:1' });
  const cm = await startControllerManager({
    client, signal: ac.signal, leaderElection: false, clock, registry: { 'quitter-controller': quitter },
    supervision: { onFailure: (err) => failures.push(err) },
  });
  while (failures.length < 1) await new Promise((r) => setImmediate(r));
  assert.match(String(failures[0]), /returned while the controller-manager was still running/);
  ac.abort();
  await cm.done;
  assert.equal(runs, 1, 'aborting during the backoff starts no new run');
  client.close();
});

test('flags: kube-controller-manager names map onto the manager options; malformed values name their flag', () => {
  const f = parseControllerManagerFlags(['--controllers=*,-namespace', '--leader-elect=false', '--terminated-pod-gc-threshold', '0',
    '--node-monitor-grace-period=50s', '--concurrent-replicaset-syncs=7']);
  assert.equal(f.help, false);
  assert.deepEqual(f.manager.controllers, ['*', '-namespace']);
  assert.equal(f.manager.leaderElection, false);
  assert.deepEqual(f.manager.options, { terminatedPodGcThreshold: 0, nodeMonitorGracePeriodMs: 50_000, concurrentReplicaSetSyncs: 7 });
  assert.throws(() => parseControllerManagerFlags(['--terminated-pod-gc-threshold=lots']), /--terminated-pod-gc-threshold: want an integer, got "lots"/);
  assert.throws(() => parseControllerManagerFlags(['--concurrent-replicaset-syncs=0']), /--concurrent-replicaset-syncs: want a positive integer/);
  assert.equal(parseControllerManagerFlags(['-h']).help, true);
});
