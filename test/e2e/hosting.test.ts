// `skiff server` hosts the scheduler and the controller-manager off the API server's event loop: each reports the
// worker thread it runs in (log line and /metrics), and together they still turn a Deployment into pods bound to
// simulated nodes. A hosted component that dies is restarted, logged and counted, and works again afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClient } from '../../src/client/rest.ts';
import { startSimNodes } from '../../src/sim/index.ts';
import type { HostedComponentEvents } from '../../src/server/hosted-component.ts';
import { adminClient } from '../support/http.ts';
import { freePort, startSkiff } from '../support/process.ts';
import { startTestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';
import { serverPortFlags } from '../support/isolation.ts';

type Send = ReturnType<typeof adminClient>['send'];
interface PodList {
  items: { metadata: { name: string }; spec: { nodeName?: string }; status?: { phase?: string } }[];
}

function deployment(name: string, replicas: number): string {
  const labels = { app: name };
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
}

/** Creates a Deployment and waits until its pods exist (controller-manager) and are bound and Running (scheduler). */
async function deployAndRun(send: Send, name: string, replicas: number): Promise<PodList['items']> {
  const created = await send('POST', '/apis/apps/v1/namespaces/default/deployments', deployment(name, replicas));
  assert.equal(created.status, 201, created.body.toString());
  return waitFor(`${replicas} pods of ${name} bound and Running`, async () => {
    const pods = (await send('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3D${name}`)).json<PodList>().items;
    const running = pods.filter((p) => p.spec.nodeName?.startsWith('sim-node-') && p.status?.phase === 'Running');
    return running.length === replicas ? running : undefined;
  });
}

function metricLine(metrics: string, name: string, component: string): string | undefined {
  return metrics.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`component="${component}"`));
}

test('skiff server runs the scheduler and controller-manager in worker threads, not on the API server thread', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-hosting-'));
  const proc = await startSkiff(['server', '--disable-agent', ...serverPortFlags, '--data-dir', dataDir, '--https-listen-port', String(await freePort())], /API server listening/);
  const sims = new AbortController();
  t.after(async () => {
    sims.abort();
    proc.child.kill('SIGKILL');
    await proc.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });
  const pid = proc.child.pid!;
  const threads: Record<string, number> = {};
  for (const component of ['scheduler', 'controller-manager']) {
    const m = new RegExp(`skiff: ${component} running in worker thread (\\d+) \\(pid (\\d+)\\)`).exec(proc.output());
    assert.ok(m, `no start line for ${component} in:\n${proc.output()}`);
    threads[component] = Number(m[1]);
    assert.notEqual(threads[component], 0, `${component} runs on the main thread`); // the main thread's id is 0
    assert.equal(Number(m[2]), pid);
  }
  assert.notEqual(threads.scheduler, threads['controller-manager']);

  const kubeconfig = join(dataDir, 'server', 'cred', 'admin.kubeconfig');
  const c = adminClient(kubeconfig);
  const metrics = (await c.send('GET', '/metrics')).body.toString();
  for (const [component, id] of Object.entries(threads)) {
    assert.equal(metricLine(metrics, 'skiff_hosted_component_info', component), `skiff_hosted_component_info{component="${component}",thread_id="${id}",pid="${pid}"} 1`);
    assert.equal(metricLine(metrics, 'skiff_hosted_component_up', component), `skiff_hosted_component_up{component="${component}"} 1`);
  }

  await startSimNodes({ client: RestClient.fromKubeconfig(kubeconfig, { userAgent: 'skiff-sim-nodes' }), count: 2, signal: sims.signal });
  await deployAndRun(c.send, 'web', 3);

  sims.abort();
  proc.child.kill('SIGTERM');
  const { code } = await proc.exited;
  assert.equal(code, 0, proc.output());
});

test('a hosted component that dies is restarted with a log line and a metric, and works again', async (t) => {
  const s = await startTestServer({ components: true });
  const sims = new AbortController();
  t.after(async () => {
    sims.abort();
    await s.stop();
  });
  const stderr = t.mock.method(process.stderr, 'write');
  const logged = () => stderr.mock.calls.map((call) => String(call.arguments[0])).join('');
  const c = adminClient(s.kubeconfig);
  await startSimNodes({ client: RestClient.fromKubeconfig(s.kubeconfig, { userAgent: 'skiff-sim-nodes' }), count: 2, signal: sims.signal });

  for (const name of ['scheduler', 'controller-manager']) {
    const component = s.hosted.get(name);
    assert.ok(component, `${name} is hosted`);
    const before = component.threadId;
    const restarted = once(component, 'ready');
    await component.kill();
    const [{ threadId: after }] = (await restarted) as HostedComponentEvents['ready'];
    assert.notEqual(after, before);
    assert.equal(component.restarts, 1);
    assert.match(logged(), new RegExp(`skiff: ${name} \\(worker thread ${before}\\) died: exit code 1; restart 1 in 1\\.0s`));
    assert.match(logged(), new RegExp(`skiff: ${name} running in worker thread ${after} `));
    const metrics = (await c.send('GET', '/metrics')).body.toString();
    assert.equal(metricLine(metrics, 'skiff_hosted_component_restarts_total', name), `skiff_hosted_component_restarts_total{component="${name}"} 1`);
  }
  // the restarted instances take their leases back at once (same identity) and do their work
  await deployAndRun(c.send, 'after-restart', 2);
});
