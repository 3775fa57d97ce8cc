import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestClient } from '../../client/rest.ts';
import type { ControllerContext, StartController } from './context.ts';
import { enabledControllers, startControllerManager } from './manager.ts';

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
  assert.equal(seen[0].informers, seen[1].informers);
  assert.equal(seen[0].recorder('x'), seen[1].recorder('x'));
  assert.equal(seen[0].options.concurrentReplicaSetSyncs, 5);
  ac.abort();
  await cm.done;
  assert.ok(!cm.isLeading());
  client.close();
});
