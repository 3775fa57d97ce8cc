// Stopping `skiff server` is prompt while clients are connected: with simulated nodes heartbeating over
// keep-alive connections, open watches and the hosted controllers busy, SIGINT and SIGTERM each end the process
// (exit 0) in well under the old 11 s: watches are closed at once, requests still arriving are answered with
// `Connection: close`, the in-flight ones finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { adminClient } from '../support/http.ts';
import { freePort, startSkiff } from '../support/process.ts';
import { serverPortFlags } from '../support/isolation.ts';

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} stops the server promptly with simulated nodes, watches and keep-alive clients connected`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skiff-stop-'));
    const port = await freePort();
    const server = await startSkiff(['server', '--disable-agent', ...serverPortFlags, '--data-dir', dataDir, '--https-listen-port', String(port)], /API server listening/);
    const kubeconfig = join(dataDir, 'server', 'cred', 'admin.kubeconfig');
    let sim: Awaited<ReturnType<typeof startSkiff>> | undefined;
    try {
      sim = await startSkiff(['sim-nodes', '--count', '100', '--heartbeat-interval', '1', '--kubeconfig', kubeconfig], /simulated nodes registered/);
      const c = adminClient(kubeconfig);
      const watches = Array.from({ length: 20 }, (_, i) => {
        const path = i % 2 ? '/api/v1/pods?watch=true' : '/api/v1/nodes?watch=true&allowWatchBookmarks=true';
        let ended!: Promise<void>;
        const opened = new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path, ca: c.ca, cert: c.cert, key: c.key }, (res) => {
            ended = new Promise((r) => res.on('close', () => r()));
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
        return { opened, ended: () => ended };
      });
      for (const w of watches) assert.equal(await w.opened, 200);
      const started = Date.now();
      server.child.kill(signal);
      const { code } = await server.exited;
      const tookMs = Date.now() - started;
      assert.equal(code, 0, server.output());
      assert.match(server.output(), new RegExp(`${signal} received, shutting down[\\s\\S]*stopped`));
      assert.ok(tookMs < 2000, `stopping took ${tookMs} ms`);
      await Promise.all(watches.map((w) => w.ended())); // every watch was ended by the server
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
      if (sim) {
        sim.child.kill('SIGKILL');
        await sim.exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
