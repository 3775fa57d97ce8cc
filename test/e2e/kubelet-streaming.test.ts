// Interactive streams end to end, through the API server and the kubelet to containerd with real containers:
// `kubectl exec -it` driven under a real pseudo-terminal (python3's pty module) — typing, the terminal size
// reaching the container and a resize while running (channel 4 / SPDY resize stream), the exit code — on kubectl
// 1.27 (SPDY) and 1.30/1.33 (WebSocket v5.channel.k8s.io, translated by the API server into SPDY: counted in
// apiserver_stream_translator_requests_total, so a silent fallback fails); `kubectl attach -i` with stdin closed
// by the client; the official Python client's exec with and without a TTY (WebSocket v4.channel.k8s.io, passed
// through), exit codes from its error channel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { resourceRef } from '../../src/client/index.ts';
import { busyboxImage } from '../../src/node/images/busybox.ts';
import { kubectlBinary } from '../support/server.ts';
import { kubeletRunnable, startKubeletNode, type KubeletNode } from '../support/kubelet-api-node.ts';
import { waitFor } from '../support/wait.ts';

const podsRef = resourceRef('v1', 'pods');

// Runs kubectl (exec -it, or run -it which attaches) under a pty of 33x111: presses Enter (an attach joins a shell
// that printed its prompt already), waits for the shell's prompt, waits (in the shell, on the event) for
// that size to show, resizes the pty to 40x120 (the kernel signals kubectl with SIGWINCH), waits for the new size,
// then `echo hi; exit 3`. Prints the transcript and kubectl's exit code as JSON. Every wait is bounded.
const ptyDriver = `
import json, os, pty, select, struct, sys, time, fcntl, termios
argv = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 33, 111, 0, 0))
    os.execv(argv[0], argv)
out = b''
def expect(pattern, timeout=60):
    global out
    end = time.time() + timeout
    while pattern not in out:
        left = end - time.time()
        if left <= 0:
            raise SystemExit(json.dumps({'error': 'timed out waiting for %r' % pattern, 'out': out.decode('utf8', 'replace')}))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                d = b''
            if not d:
                raise SystemExit(json.dumps({'error': 'EOF waiting for %r' % pattern, 'out': out.decode('utf8', 'replace')}))
            out += d
os.write(fd, b'\\r')
expect(b'# ')
os.write(fd, b'while [ "$(stty size)" != "33 111" ]; do sleep 0.1; done; echo size:$(stty size)\\r')
expect(b'size:33 111')
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
os.write(fd, b'while [ "$(stty size)" != "40 120" ]; do sleep 0.1; done; echo resized:$(stty size); echo hi; exit 3\\r')
expect(b'resized:40 120')
end = time.time() + 60
while time.time() < end:
    r, _, _ = select.select([fd], [], [], end - time.time())
    try:
        d = os.read(fd, 4096) if r else b''
    except OSError:
        d = b''
    if not d:
        break
    out += d
_, status = os.waitpid(pid, 0)
print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'out': out.decode('utf8', 'replace')}))
`;

// The official Python client: a TTY shell fed a line (the connection must close when the shell exits), a command
// with stdout and stderr apart and an exit code, a preloaded TTY call that returns once its command ended, and an
// HTTP request through its WebSocket port-forward.
const pythonScript = `
import json, sys, time
from kubernetes import client, config
from kubernetes.stream import portforward, stream
config.load_kube_config(sys.argv[1])
api = client.CoreV1Api()
res = {}
r = stream(api.connect_get_namespaced_pod_exec, 'web', 'default', command=['sh'], stdin=True, stdout=True, stderr=True, tty=True, _preload_content=False)
r.write_stdin('echo hi; exit 3\\n')
r.run_forever(timeout=60)
res['tty'] = {'open': r.is_open(), 'rc': r.returncode, 'out': r.read_all()}
r = stream(api.connect_get_namespaced_pod_exec, 'web', 'default', command=['sh', '-c', 'echo out; echo err >&2; exit 5'], stdin=False, stdout=True, stderr=True, tty=False, _preload_content=False)
r.run_forever(timeout=60)
res['plain'] = {'open': r.is_open(), 'rc': r.returncode, 'stdout': r.read_stdout(), 'stderr': r.read_stderr()}
t = time.time()
out = stream(api.connect_get_namespaced_pod_exec, 'web', 'default', command=['sh', '-c', 'echo done'], stdin=True, stdout=True, stderr=True, tty=True, _request_timeout=60)
res['preloaded'] = {'out': out, 'seconds': time.time() - t}
pf = portforward(api.connect_get_namespaced_pod_portforward, 'web', 'default', ports='80')
s = pf.socket(80)
s.setblocking(True)
s.settimeout(60)
s.sendall(b'GET /hostname HTTP/1.0\\r\\n\\r\\n')
data = b''
while True:
    d = s.recv(4096)
    if not d:
        break
    data += d
res['portforward'] = {'body': data.decode().split('\\r\\n\\r\\n', 1)[-1], 'error': pf.error(80)}
print(json.dumps(res))
`;

function run(file: string, args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: opts.env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(opts.stdin ?? '');
  });
}

/** A pod whose container keeps stdin open for one attach (stdinOnce) and echoes each line it reads. */
const readerPod = (name: string): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: {
    restartPolicy: 'Never',
    containers: [{ name: 'reader', image: busyboxImage, stdin: true, stdinOnce: true, command: ['sh', '-c', 'while read l; do echo got:$l; done; echo stdin-closed'] }],
  },
});

describe('kubectl exec -it, attach -i and the Python client\'s TTY', { skip: kubeletRunnable ? false : 'needs root, containerd, busybox-static and CNI plugins' }, () => {
  let n: KubeletNode;
  const kubectl = (args: string[], o?: { version?: string; stdin?: string }) => n.server.kubectl(args, o);
  const running = (name: string) => waitFor(`${name} Running`, async () => {
    const p = await n.client.get<Pod>(podsRef, name, { namespace: 'default' });
    return p.status?.phase === 'Running' ? p : undefined;
  }, 90_000);
  const translated = async (): Promise<number> => {
    const r = await kubectl(['get', '--raw', '/metrics']);
    assert.equal(r.code, 0, r.stderr);
    return Number(/^apiserver_stream_translator_requests_total\{code="200"\} (\d+)/m.exec(r.stdout)?.[1] ?? 0);
  };

  before(async () => {
    n = await startKubeletNode('streaming-e2e');
    const web = await kubectl(['run', 'web', `--image=${busyboxImage}`, '--', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    assert.equal(web.code, 0, web.stderr);
    for (const name of ['reader-27', 'reader-33']) {
      const r = await kubectl(['apply', '-f', '-'], { stdin: readerPod(name) });
      assert.equal(r.code, 0, r.stderr);
    }
    await Promise.all(['web', 'reader-27', 'reader-33'].map(running));
    writeFileSync(join(n.server.dataDir, 'pty-driver.py'), ptyDriver);
    writeFileSync(join(n.server.dataDir, 'exec-tty.py'), pythonScript);
  });

  after(async () => {
    await n?.stop();
  });

  for (const version of ['1.27', '1.30', '1.33']) {
    test(`kubectl ${version} exec -it under a pty: typing, the terminal size and a resize reach the shell, exit code 3`, async () => {
      const before = await translated();
      const args = [kubectlBinary(version), '--kubeconfig', n.server.kubeconfig, '--cache-dir', join(n.server.dataDir, 'kubectl-cache'), 'exec', '-it', 'web', '--', 'sh'];
      const r = await run('/usr/bin/python3', [join(n.server.dataDir, 'pty-driver.py'), ...args], { env: { ...process.env, HOME: n.server.dataDir, TERM: 'xterm' } });
      const result = JSON.parse(r.stdout || '{}') as { code?: number; out?: string; error?: string };
      assert.equal(result.error, undefined, `${result.error}: ${result.out} ${r.stderr}`);
      assert.match(result.out!, /size:33 111\r\n/);
      assert.match(result.out!, /resized:40 120\r\nhi\r\n/);
      assert.match(result.out!, /command terminated with exit code 3/);
      assert.equal(result.code, 3, result.out);
      assert.equal(await translated() - before, Number(version.split('.')[1]) >= 30 ? 1 : 0);
    });
  }

  for (const version of ['1.27', '1.33']) {
    test(`kubectl ${version} run -it --rm: attached to a TTY shell, size and resize reach it, its exit code is kubectl's, the pod is gone`, async () => {
      const before = await translated();
      const name = `tmp-${version.replace('.', '')}`;
      const args = [
        kubectlBinary(version), '--kubeconfig', n.server.kubeconfig, '--cache-dir', join(n.server.dataDir, 'kubectl-cache'),
        'run', '-it', '--rm', '--restart=Never', name, `--image=${busyboxImage}`, '--', 'sh',
      ];
      const r = await run('/usr/bin/python3', [join(n.server.dataDir, 'pty-driver.py'), ...args], { env: { ...process.env, HOME: n.server.dataDir, TERM: 'xterm' } });
      const result = JSON.parse(r.stdout || '{}') as { code?: number; out?: string; error?: string };
      assert.equal(result.error, undefined, `${result.error}: ${result.out} ${r.stderr}`);
      assert.match(result.out!, /size:33 111\r\n/);
      assert.match(result.out!, /resized:40 120\r\nhi\r\n/);
      assert.equal(result.code, 3, result.out);
      assert.match(result.out!, new RegExp(`pod "${name}" deleted`));
      assert.equal(await translated() - before, version === '1.33' ? 1 : 0);
    });
  }

  for (const [version, pod] of [['1.27', 'reader-27'], ['1.33', 'reader-33']] as const) {
    test(`kubectl ${version} attach -i: stdin reaches the container, closing it ends the attach`, async () => {
      const before = await translated();
      const r = await kubectl(['attach', '-i', pod], { version, stdin: 'x\ny\n' });
      assert.equal(r.code, 0, r.stderr);
      // the container saw both lines, then end of input once kubectl closed stdin (v5 close signal or SPDY FIN)
      assert.equal(r.stdout, 'got:x\ngot:y\nstdin-closed\n');
      assert.equal(await translated() - before, version === '1.33' ? 1 : 0);
    });
  }

  for (const version of ['1.27', '1.33']) {
    test(`kubectl ${version} exec -i moves megabytes both ways; a command that cannot start gives the runtime's error`, async () => {
      const before = await translated();
      // far beyond SPDY's 64 KiB initial window: nothing may wait for window updates the kubelet never sends
      const big = await kubectl(['exec', '-i', 'web', '--', 'sh', '-c', 'wc -c; head -c 3000000 /dev/zero'], { version, stdin: 'x'.repeat(3_000_000) });
      assert.equal(big.code, 0, big.stderr);
      assert.equal(big.stdout.length, '3000000\n'.length + 3_000_000);
      assert.ok(big.stdout.startsWith('3000000\n'), big.stdout.slice(0, 40));
      const missing = await kubectl(['exec', 'web', '--', 'nosuchcmd'], { version });
      assert.equal(missing.code, 1);
      // one "Internal error occurred:", as over SPDY
      assert.match(missing.stderr, /^error: Internal error occurred: error executing command in container: .*"nosuchcmd": executable file not found/);
      assert.equal(await translated() - before, version === '1.33' ? 1 : 0);
    });
  }

  test('the official Python client (WebSocket v4): TTY shell, exit codes on the error channel, no hang; port-forward', async () => {
    const r = await run('/usr/bin/python3', [join(n.server.dataDir, 'exec-tty.py'), n.server.kubeconfig]);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as {
      tty: { open: boolean; rc: number; out: string };
      plain: { open: boolean; rc: number; stdout: string; stderr: string };
      preloaded: { out: string; seconds: number };
      portforward: { body: string; error: string | null };
    };
    assert.equal(res.tty.open, false);
    assert.equal(res.tty.rc, 3);
    assert.match(res.tty.out, /echo hi; exit 3\r\nhi\r\n/);
    assert.deepEqual(res.plain, { open: false, rc: 5, stdout: 'out\n', stderr: 'err\n' });
    assert.equal(res.preloaded.out, 'done\r\n');
    // it ended with its command, not with the 60 s request timeout
    assert.ok(res.preloaded.seconds < 30, `took ${res.preloaded.seconds} s`);
    assert.deepEqual(res.portforward, { body: 'web\n', error: null });
  });
});
