// kube-controller-manager's and kube-scheduler's secure endpoints (upstream ports 10257 / 10259), both as `skiff
// server` hosts them in worker threads and as the standalone `skiff controller-manager` / `skiff scheduler`:
// /metrics answers a client certificate of the cluster CA (here the admin's) with the component's own metrics,
// and 401 without one; /healthz answers anyone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { loadKubeconfig } from '../../src/client/kubeconfig.ts';
import { freePort, startSkiff } from '../support/process.ts';
import { startTestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

interface Answer { status: number; body: string }

/** GET over HTTPS without verifying the component's self-signed serving certificate (as `curl -k`). */
function get(port: number, path: string, client?: { cert?: Buffer; key?: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, rejectUnauthorized: false, cert: client?.cert, key: client?.key, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

async function scrape(port: number, admin: { cert?: Buffer; key?: Buffer }, want: RegExp): Promise<void> {
  // the component starts its endpoint on its own schedule: wait for it to listen and show the metric
  const metrics = await waitFor(`metrics on :${port}`, async () => {
    const a = await get(port, '/metrics', admin);
    return a.status === 200 && want.test(a.body) ? a : undefined;
  }, 30_000);
  assert.match(metrics.body, want);
  const anonymous = await get(port, '/metrics');
  assert.equal(anonymous.status, 401);
  assert.deepEqual(await get(port, '/healthz'), { status: 200, body: 'ok' });
}

test('skiff server serves the hosted controller-manager and scheduler metrics on their secure ports', async () => {
  const [cm, sched] = [await freePort(), await freePort()];
  const s = await startTestServer({ components: true, securePorts: { scheduler: sched, controllerManager: cm } });
  try {
    const admin = loadKubeconfig(s.kubeconfig);
    await scrape(cm, admin, /^running_managed_controllers\{manager="kube-controller-manager",name="endpoints-controller"\} 1$/m);
    await scrape(sched, admin, /^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} \d+$/m);
  } finally {
    await s.stop();
  }
});

test('the standalone controller-manager and scheduler serve --secure-port', async () => {
  const s = await startTestServer();
  const [cm, sched] = [await freePort(), await freePort()];
  const procs = [
    await startSkiff(['controller-manager', '--kubeconfig', s.kubeconfig, '--secure-port', String(cm)], /running as/),
    await startSkiff(['scheduler', '--kubeconfig', s.kubeconfig, '--secure-port', String(sched)], /started/),
  ];
  try {
    const admin = loadKubeconfig(s.kubeconfig);
    await scrape(cm, admin, /^running_managed_controllers\{manager="kube-controller-manager",name="endpoints-controller"\} 1$/m);
    await scrape(sched, admin, /^scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} \d+$/m);
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    for (const p of procs) assert.equal((await p.exited).code, 0, p.output());
    await s.stop();
  }
});
