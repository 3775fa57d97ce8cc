import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestServer } from '../../../test/support/server.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { RestClient } from '../../client/index.ts';
import { startSimNodes } from '../../sim/index.ts';
import { schedulerCommand } from './index.ts';
import { podsRef } from './scheduler.ts';

test('skiff scheduler binds a pod and stops on SIGTERM', async () => {
  const s = await startTestServer();
  const client = RestClient.fromKubeconfig(s.kubeconfig, { qps: 0 });
  const ctl = new AbortController();
  try {
    await startSimNodes({ client, count: 1, prefix: 'cmd', signal: ctl.signal });
    // --secure-port 0: not the default 10259, which another test run on this machine may hold
    const run = schedulerCommand(['--kubeconfig', s.kubeconfig, '--leader-elect', 'false', '--secure-port', '0']);
    await client.create<Pod>(podsRef, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    // the command registered its signal handlers before starting; a bound pod shows it is running
    const nodeName = await waitFor('pod bound', async () => (await client.get<Pod>(podsRef, 'p', { namespace: 'default' })).spec?.nodeName);
    assert.equal(nodeName, 'cmd-0');
    process.emit('SIGTERM');
    assert.equal(await run, 0);
  } finally {
    ctl.abort();
    client.close();
    await s.stop();
  }
});
