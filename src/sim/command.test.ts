// `skiff sim-nodes` as its own process (the real CLI): registers nodes with the flags given, says so once it is
// running, and exits 0 on a real SIGTERM. The signal is sent only after that log line, never after a sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { startTestServer } from '../../test/support/server.ts';
import { startSkiff } from '../../test/support/process.ts';
import { RestClient } from '../client/index.ts';
import { nodesRef } from './nodes.ts';

test('skiff sim-nodes registers nodes with the flags given and stops on SIGTERM', async () => {
  const s = await startTestServer();
  const client = RestClient.fromKubeconfig(s.kubeconfig);
  const args = ['sim-nodes', '--kubeconfig', s.kubeconfig, '--count', '2', '--prefix', 'cmd', '--cpu', '8', '--label', 'tier=edge', '--taint', 'edge=true:NoSchedule'];
  const proc = await startSkiff(args, /skiff sim-nodes: 2 simulated nodes registered \(cmd-0 …\)/);
  try {
    for (const name of ['cmd-0', 'cmd-1']) {
      const node = await client.get<Node>(nodesRef, name);
      assert.equal(node.status?.allocatable?.cpu, '8');
      assert.equal(node.metadata?.labels?.tier, 'edge');
      assert.deepEqual(node.spec?.taints, [{ key: 'edge', value: 'true', effect: 'NoSchedule' }]);
    }
    proc.child.kill('SIGTERM');
    const { code, signal } = await proc.exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, proc.output());
  } finally {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
    client.close();
    await s.stop();
  }
});
