// The components' secure endpoint: /metrics only for client certificates of the cluster CA (else 401), health
// for anyone, served over a certificate made at start that verifies for "localhost".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { createCA, signLeaf, type KeyAndCert } from '../pki/certs.ts';
import { parseSecurePort, startComponentServer } from './component-server.ts';
import { controllerManagerRegistry, controllerRestarts } from './controllers/metrics.ts';

interface Answer { status: number; body: string; type: string }

function get(port: number, path: string, ca: string, client?: KeyAndCert): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, ca, servername: 'localhost', cert: client?.certPem, key: client?.keyPem, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
  });
}

test('controller-manager metrics need a cluster-CA client certificate; health does not', async () => {
  const clusterCA = await createCA('cluster-ca');
  const user = await signLeaf(clusterCA, { commonName: 'prometheus', usage: 'client' });
  const stranger = await signLeaf(await createCA('other-ca'), { commonName: 'prometheus', usage: 'client' });
  let leading = true;
  const srv = await startComponentServer({
    name: 'controller-manager', port: 0, clientCA: clusterCA.certPem, registry: controllerManagerRegistry, checks: { 'leader-election': () => leading },
  });
  try {
    controllerRestarts.inc({ controller: 'component-server-test' });
    const metrics = await get(srv.port, '/metrics', srv.servingCA, user);
    assert.equal(metrics.status, 200);
    assert.match(metrics.type, /^text\/plain/);
    assert.match(metrics.body, /^skiff_controller_restarts_total\{controller="component-server-test"\} 1$/m);
    assert.match(metrics.body, /^# TYPE running_managed_controllers gauge$/m);

    const anonymous = await get(srv.port, '/metrics', srv.servingCA);
    assert.equal(anonymous.status, 401);
    assert.equal(JSON.parse(anonymous.body).reason, 'Unauthorized');
    assert.equal((await get(srv.port, '/metrics', srv.servingCA, stranger)).status, 401, 'a certificate of another CA');
    assert.equal((await get(srv.port, '/debug/pprof', srv.servingCA, user)).status, 404);

    assert.deepEqual(await get(srv.port, '/healthz', srv.servingCA), { status: 200, body: 'ok', type: 'text/plain; charset=utf-8' });
    leading = false;
    const failing = await get(srv.port, '/healthz', srv.servingCA);
    assert.equal(failing.status, 500);
    assert.match(failing.body, /^\[\+\]ping ok\n\[-\]leader-election failed: reason withheld\nhealthz check failed\n$/);
  } finally {
    await srv.close();
  }
});

test('--secure-port: a port number, 0 disables, anything else is refused', () => {
  assert.equal(parseSecurePort(undefined, 10257), 10257);
  assert.equal(parseSecurePort('0', 10257), 0);
  assert.equal(parseSecurePort('10300', 10257), 10300);
  assert.throws(() => parseSecurePort('-1', 10257), /--secure-port: want a port number/);
  assert.throws(() => parseSecurePort('70000', 10259, 'kube-scheduler-secure-port'), /--kube-scheduler-secure-port/);
});
