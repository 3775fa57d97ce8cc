import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { startTestServer } from '../../test/support/server.ts';
import { RestClient, realClock, sleep } from '../client/index.ts';
import { simNodesCommand } from './command.ts';
import { nodesRef } from './nodes.ts';

test('skiff sim-nodes registers nodes with the flags given and stops on SIGTERM', async () => {
  const s = await startTestServer();
  const client = RestClient.fromKubeconfig(s.kubeconfig);
  try {
    const run = simNodesCommand(['--kubeconfig', s.kubeconfig, '--count', '2', '--prefix', 'cmd', '--cpu', '8', '--label', 'tier=edge', '--taint', 'edge=true:NoSchedule']);
    let node: Node | undefined;
    const deadline = Date.now() + 20_000;
    while (!node && Date.now() < deadline) {
      node = await client.get<Node>(nodesRef, 'cmd-1').catch(() => undefined);
      if (!node) await sleep(realClock, 100);
    }
    assert.ok(node, 'node cmd-1 registered');
    assert.equal(node.status?.allocatable?.cpu, '8');
    assert.equal(node.metadata?.labels?.tier, 'edge');
    assert.deepEqual(node.spec?.taints, [{ key: 'edge', value: 'true', effect: 'NoSchedule' }]);
    await sleep(realClock, 200); // let the command reach its wait for the signal
    process.emit('SIGTERM');
    assert.equal(await run, 0);
  } finally {
    client.close();
    await s.stop();
  }
});
