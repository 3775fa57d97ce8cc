// Logs, exec, attach and port-forward end to end: real kubectl (1.27 … 1.33) → Skiff API server → the kubelet's
// HTTPS API (client-certificate authenticated) → containerd's streaming server, with real containers. kubectl
// ≥ 1.30 execs over WebSocket v5.channel.k8s.io, which the API server translates into SPDY toward the kubelet
// (counted in apiserver_stream_translator_requests_total, so a silent fallback to SPDY fails the test); older
// ones speak SPDY, passed through. kubectl ≥ 1.31 port-forwards through a SPDY-over-WebSocket tunnel (counted in
// apiserver_stream_tunnel_requests_total). The official Python client's WebSocket v4.channel.k8s.io passes
// through unchanged. TTYs, attach and the Python client's TTY are in kubelet-streaming.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { get as httpGet } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import WebSocket from 'ws';
import { loadKubeconfig, resourceRef } from '../../src/client/index.ts';
import { busyboxImage } from '../../src/node/images/busybox.ts';
import { createCA, signLeaf } from '../../src/pki/certs.ts';
import { kubectlBinary, kubectlVersions } from '../support/server.ts';
import { kubeletRunnable, startKubeletNode, type KubeletNode } from '../support/kubelet-api-node.ts';
import { waitFor } from '../support/wait.ts';
import { joinCluster, joinKubeProxy } from '../../src/cli/agent-command.ts';

const podsRef = resourceRef('v1', 'pods');
const nodesRef = resourceRef('v1', 'nodes', false);

/** Collects a process's stdout from its start; until(re) resolves with all of it once it matches. */
function collect(child: ChildProcess): { until(re: RegExp): Promise<string> } {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return {
    until: (re) => new Promise((resolve, reject) => {
      const check = (): void => {
        if (!re.test(out)) return;
        child.stdout!.off('data', check);
        resolve(out);
      };
      child.stdout!.on('data', check);
      child.once('exit', (code) => reject(new Error(`exited ${code} before ${re}: ${out}${err}`)));
      check();
    }),
  };
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function httpText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Status code of a GET to the kubelet API with the given client certificate (or none). */
function kubeletStatus(port: number, path: string, client?: { cert: string; key: string }): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, rejectUnauthorized: false, agent: false, ...client }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('kubectl logs, exec, attach and port-forward through the kubelet', { skip: kubeletRunnable ? false : 'needs root, containerd, busybox-static and CNI plugins' }, () => {
  let n: KubeletNode;
  const kubectl = (args: string[], o?: { version?: string; stdin?: string; env?: Record<string, string> }) => n.server.kubectl(args, o);
  const running = (name: string) => waitFor(`${name} Running`, async () => {
    const p = await n.client.get<Pod>(podsRef, name, { namespace: 'default' });
    return p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready) ? p : undefined;
  }, 90_000);

  before(async () => {
    n = await startKubeletNode('connect-e2e');
    const pods = [
      ['run', 'web', `--image=${busyboxImage}`, '--', 'httpd', '-f', '-p', '80', '-h', '/etc'],
      // three lines, then one more once /tmp/go exists (made by exec while `logs -f` runs)
      ['run', 'talker', `--image=${busyboxImage}`, '--', 'sh', '-c', 'echo first; echo second; echo third; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo after-start; exec sleep 3600'],
      ['run', 'ticker', `--image=${busyboxImage}`, '--', 'sh', '-c', 'while true; do echo tick; sleep 0.3; done'],
      ['run', 'brief', '--restart=Never', `--image=${busyboxImage}`, '--', 'sh', '-c', 'echo one; while [ ! -f /tmp/stop ]; do sleep 0.1; done; echo two'],
      ['run', 'crasher', `--image=${busyboxImage}`, '--', 'sh', '-c', 'echo boot; exit 1'],
    ];
    for (const args of pods) {
      const r = await kubectl(args);
      assert.equal(r.code, 0, r.stderr);
    }
    await Promise.all(['web', 'talker', 'ticker', 'brief'].map(running));
  });

  after(async () => {
    await n?.stop();
  });

  /** The API server's counter `name` for code, read from /metrics as any client would. */
  const metric = async (name: string, code: string): Promise<number> => {
    const r = await kubectl(['get', '--raw', '/metrics']);
    assert.equal(r.code, 0, r.stderr);
    return Number(new RegExp(`^${name}\\{code="${code}"\\} (\\d+)`, 'm').exec(r.stdout)?.[1] ?? 0);
  };
  const translated = () => metric('apiserver_stream_translator_requests_total', '200');
  const tunnelled = () => metric('apiserver_stream_tunnel_requests_total', '101');
  const speaksV5 = (version: string) => Number(version.split('.')[1]) >= 30;

  test('the Node advertises the kubelet port; the kubelet API wants a client certificate from the cluster CA', async () => {
    const node = await n.client.get<Node>(nodesRef, n.nodeName);
    assert.equal(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, n.kubeletPort);
    const path = '/containerLogs/default/talker/talker';
    const anonymous = await kubeletStatus(n.kubeletPort, path);
    assert.equal(anonymous.code, 401);
    assert.equal(anonymous.body, 'Unauthorized');
    const otherCA = await createCA('not-the-cluster-ca');
    const stranger = await signLeaf(otherCA, { commonName: 'system:admin', organizations: ['system:masters'], usage: 'client' });
    assert.equal((await kubeletStatus(n.kubeletPort, path, { cert: stranger.certPem, key: stranger.keyPem })).code, 401);
    // another node's certificate (as a joining agent gets it) and kube-proxy's are the cluster CA's, and still refused,
    // as upstream's kubelet refuses users without nodes/proxy
    const other = await joinCluster(n.server.url, n.server.joinToken, 'some-other-node');
    assert.deepEqual(await kubeletStatus(n.kubeletPort, path, { cert: other.certificate, key: other.key }),
      { code: 403, body: 'Forbidden (user=system:node:some-other-node, verb=get, resource=nodes, subresource=proxy)' });
    const proxy = await joinKubeProxy(n.server.url, n.server.joinToken);
    assert.deepEqual(await kubeletStatus(n.kubeletPort, path, { cert: proxy.certificate, key: proxy.key }),
      { code: 403, body: 'Forbidden (user=system:kube-proxy, verb=get, resource=nodes, subresource=proxy)' });
  });

  test('kubectl logs shows the output; --tail, --timestamps, --limit-bytes, --since; bad options are refused', async () => {
    await waitFor('three lines', async () => (await kubectl(['logs', 'talker'])).stdout === 'first\nsecond\nthird\n');
    assert.equal((await kubectl(['logs', 'talker', '--tail=1'])).stdout, 'third\n');
    assert.equal((await kubectl(['logs', 'pod/talker', '-c', 'talker', '--tail=2'])).stdout, 'second\nthird\n');
    assert.equal((await kubectl(['logs', 'talker', '--limit-bytes=5'])).stdout, 'first');
    assert.equal((await kubectl(['logs', 'talker', '--since=1h'])).stdout, 'first\nsecond\nthird\n');
    const stamped = (await kubectl(['logs', 'talker', '--timestamps'])).stdout.trimEnd().split('\n');
    assert.equal(stamped.length, 3);
    for (const line of stamped) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (first|second|third)$/);
    const bad = await kubectl(['logs', 'talker', '-c', 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod talker/);
    const noPrevious = await kubectl(['logs', 'talker', '--previous']);
    assert.notEqual(noPrevious.code, 0);
    assert.match(noPrevious.stderr, /previous terminated container "talker" in pod "talker" not found/);
    const raw = await n.client.send({ method: 'GET', path: '/api/v1/namespaces/default/pods/talker/log?tailLines=-1' }).catch((e: unknown) => e);
    assert.match(String((raw as Error).message), /PodLogOptions "talker" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0/);
  });

  test('kubectl logs -f streams a line written after it started, and ends with the container', async () => {
    const follow = n.server.spawnKubectl(['logs', '-f', 'talker']);
    const output = collect(follow);
    try {
      await output.until(/third\n/);
      const touch = await kubectl(['exec', 'talker', '--', 'touch', '/tmp/go']);
      assert.equal(touch.code, 0, touch.stderr);
      const out = await output.until(/after-start\n/);
      assert.equal(out, 'first\nsecond\nthird\nafter-start\n');
    } finally {
      await kill(follow);
    }
    // the stream ends once the container has exited and its last lines are out
    const brief = n.server.spawnKubectl(['logs', '-f', 'brief']);
    const exited = new Promise<number | null>((resolve) => brief.once('exit', (code) => resolve(code)));
    const briefOut = collect(brief);
    try {
      await briefOut.until(/one\n/);
      assert.equal((await kubectl(['exec', 'brief', '--', 'touch', '/tmp/stop'])).code, 0);
      assert.equal(await briefOut.until(/two\n/), 'one\ntwo\n');
      assert.equal(await exited, 0);
    } finally {
      await kill(brief);
    }
  });

  test('kubectl logs --previous shows the last terminated container after a restart', async () => {
    await waitFor('crasher restarted', async () => {
      const p = await n.client.get<Pod>(podsRef, 'crasher', { namespace: 'default' });
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1;
    }, 90_000);
    const r = await kubectl(['logs', 'crasher', '--previous']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'boot\n');
  });

  test('kubectl exec: output, stdin, exit codes', async () => {
    const r = await kubectl(['exec', 'web', '--', 'cat', '/etc/hostname']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'web\n');
    const echo = await kubectl(['exec', '-i', 'web', '--', 'cat'], { stdin: 'hi\n' });
    assert.equal(echo.code, 0, echo.stderr);
    assert.equal(echo.stdout, 'hi\n');
    const failed = await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo oops >&2; exit 3']);
    assert.equal(failed.code, 3);
    assert.match(failed.stderr, /oops/);
    const missing = await kubectl(['exec', 'web', '-c', 'nope', '--', 'true']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /container nope is not valid for pod web/);
  });

  for (const version of kubectlVersions) {
    test(`kubectl ${version}: logs, exec with stdin and an exit code`, async () => {
      const logs = await kubectl(['logs', 'ticker', '--tail=1'], { version });
      assert.equal(logs.code, 0, logs.stderr);
      assert.equal(logs.stdout, 'tick\n');
      const before = await translated();
      // `cat` ends only if closing stdin reaches the container: v5's close signal, or SPDY's half-close
      const exec = await kubectl(['exec', '-i', 'web', '--', 'sh', '-c', 'cat; cat /etc/hostname; exit 7'], { version, stdin: 'in\n' });
      assert.equal(exec.stdout, 'in\nweb\n', exec.stderr);
      assert.equal(exec.code, 7, exec.stderr);
      assert.equal(exec.stderr, 'command terminated with exit code 7\n');
      // 1.30+ went over WebSocket v5 (translated once), older ones over SPDY (passed through)
      assert.equal(await translated() - before, speaksV5(version) ? 1 : 0);
    });
  }

  test('kubectl attach shows the running container\'s output', async () => {
    const attach = n.server.spawnKubectl(['attach', 'ticker']);
    try {
      await collect(attach).until(/tick\ntick\n/);
    } finally {
      await kill(attach);
    }
  });

  for (const version of ['1.27', '1.30', '1.31', '1.33']) {
    test(`kubectl ${version} port-forward pod/web :80 serves the pod's port on localhost`, async () => {
      const before = await tunnelled();
      const child = spawn(kubectlBinary(version), [
        '--kubeconfig', n.server.kubeconfig, '--cache-dir', join(n.server.dataDir, 'kubectl-cache'), 'port-forward', 'pod/web', ':80',
      ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: n.server.dataDir } });
      try {
        const out = await collect(child).until(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/);
        const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
        assert.equal(await httpText(`http://127.0.0.1:${port}/hostname`), '200 web\n');
        assert.equal(await httpText(`http://127.0.0.1:${port}/hostname`), '200 web\n');
        // 1.31+ tunnel SPDY through a WebSocket (PortForwardWebsockets), older ones upgrade to SPDY directly
        assert.equal(await tunnelled() - before, Number(version.split('.')[1]) >= 31 ? 1 : 0);
      } finally {
        await kill(child);
      }
    });
  }

  /** Opens a WebSocket exec on web offering protocols; sends `send` once open; resolves with every message at close. */
  const wsExec = (query: string, protocols: string[], send: Buffer[] = []) => {
    const kc = loadKubeconfig(n.server.kubeconfig);
    const ws = new WebSocket(`${kc.server.replace(/^https/, 'wss')}/api/v1/namespaces/default/pods/web/exec?${query}`, protocols, { ca: kc.ca, cert: kc.cert, key: kc.key });
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
    ws.once('open', () => { for (const m of send) ws.send(m); });
    return new Promise<{ protocol: string; frames: Buffer[]; channel(c: number): string }>((resolve, reject) => {
      ws.once('close', () => resolve({
        protocol: ws.protocol, frames,
        channel: (c) => Buffer.concat(frames.filter((f) => f[0] === c).map((f) => f.subarray(1))).toString(),
      }));
      ws.once('error', reject);
    });
  };

  test('on the wire: WebSocket v5.channel.k8s.io is translated (stdin closed by the v5 close signal); v4 passes through to containerd', async () => {
    const before = await translated();
    const v5 = await wsExec('command=sh&command=-c&command=cat%3B%20echo%20oops%20%3E%262%3B%20exit%202&stdin=true&stdout=true&stderr=true',
      ['v5.channel.k8s.io'], [Buffer.from('\x00hi\n'), Buffer.of(255, 0)]);
    assert.equal(v5.protocol, 'v5.channel.k8s.io');
    // upstream's first message: an empty one on stdout, saying the streams are up
    assert.deepEqual([...v5.frames[0]!], [1]);
    assert.equal(v5.channel(1), 'hi\n');
    assert.equal(v5.channel(2), 'oops\n');
    assert.deepEqual(JSON.parse(v5.channel(3)), {
      metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code: command terminated with exit code 2',
      reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] },
    });
    assert.equal(await translated() - before, 1);
    const ok = await wsExec('command=true&stdout=true', ['v5.channel.k8s.io']);
    assert.deepEqual(JSON.parse(ok.channel(3)), { metadata: {}, status: 'Success' });

    const v4 = await wsExec('command=sh&command=-c&command=echo%20hi%3B%20exit%202&stdout=true&stderr=true', ['v4.channel.k8s.io']);
    assert.equal(v4.protocol, 'v4.channel.k8s.io');
    assert.equal(v4.channel(1), 'hi\n');
    const status = JSON.parse(v4.channel(3)) as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '2' }]);
    // only the v5 and the Success request above were translated
    assert.equal(await translated() - before, 2);

    // a broken handshake (no Sec-WebSocket-Key) gets a 400 Status, not a hang
    const kc = loadKubeconfig(n.server.kubeconfig);
    const url = new URL(`${kc.server}/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true`);
    const bad = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = httpsRequest({
        host: url.hostname, port: url.port, path: url.pathname + url.search, ca: kc.ca, cert: kc.cert, key: kc.key, agent: false,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' },
      }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', () => reject(new Error('upgraded without a key')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(bad.code, 400);
    assert.match((JSON.parse(bad.body) as { message: string }).message, /websocket handshake: Missing or invalid Sec-WebSocket-Key header/);
  });

  test('the official Python client execs over WebSocket v4.channel.k8s.io', async () => {
    const script = join(n.server.dataDir, 'exec.py');
    writeFileSync(script, [
      'import sys',
      'from kubernetes import client, config',
      'from kubernetes.stream import stream',
      'config.load_kube_config(sys.argv[1])',
      "out = stream(client.CoreV1Api().connect_get_namespaced_pod_exec, 'web', 'default', command=['cat', '/etc/hostname'], stderr=True, stdin=False, stdout=True, tty=False)",
      'print("OUT=" + out.strip())',
    ].join('\n'));
    const child = spawn('/usr/bin/python3', [script, n.server.kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const out = await collect(child).until(/OUT=\S+\n/);
      assert.match(out, /OUT=web\n/);
    } finally {
      await kill(child);
    }
  });
});
