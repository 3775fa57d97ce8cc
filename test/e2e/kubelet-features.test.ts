// Kubelet features shown with real containers (containerd, runc, CNI) on the one-node harness, with real kubectl
// where a user would use it: httpGet/tcpSocket/exec probes with their thresholds, periods and timeouts and a
// startupProbe holding liveness off; securityContext (runAsUser, readOnlyRootFilesystem, runAsNonRoot,
// privileged); resources as cgroup limits and a real OOM kill; CrashLoopBackOff's doubling delay; graceful
// termination (SIGKILL after the grace period, at once for a container that handles SIGTERM); hostPort through
// portmap; a preStop httpGet hook before SIGTERM; and deletion freeing the pod's IP and emptyDir. The tests run
// concurrently (each with its own pods) to keep the file short; everything is removed by the harness's cleanup.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Container, ContainerStatus, Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { resourceRef } from '../../src/client/index.ts';
import { busyboxImage, type KubeletCluster, KubeletNode, nodeRunnable, startKubeletNode } from '../support/kubelet-node.ts';
import { freePort } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';
import { nodeKubeconfig } from '../support/node-identity.ts';

const podsRef = resourceRef('v1', 'pods');
const nodesRef = resourceRef('v1', 'nodes', false);
const eventsRef = resourceRef('v1', 'events');
const ns = 'default';

const sh = (script: string): Partial<Container> => ({ command: ['sh', '-c', script] });
/** A shell loop as PID 1 that ends at once on SIGTERM (a bare `sleep` as PID 1 would ignore it). */
const idle = 'trap "exit 0" TERM; while true; do sleep 1; done';

describe('kubelet features with real containers', { skip: nodeRunnable ? false : 'needs root, containerd, busybox-static and CNI plugins', concurrency: true }, () => {
  let k: KubeletCluster;

  before(async () => {
    k = await startKubeletNode('kfeat');
  });
  after(async () => {
    await k?.stop();
  });

  const kubectl = async (args: string[]): Promise<string> => {
    const r = await k.server.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const get = (name: string) => k.client.get<Pod>(podsRef, name, { namespace: ns });
  const create = (name: string, containers: Partial<Container>[], spec: Partial<NonNullable<Pod['spec']>> = {}) =>
    k.client.create<Pod>(podsRef, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { terminationGracePeriodSeconds: 2, nodeName: k.nodeName, ...spec, containers: containers.map((c, i) => ({ name: name + (i ? `-${i}` : ''), image: busyboxImage, ...c })) },
    }, { namespace: ns });
  const events = async (name: string, reason?: string): Promise<Event[]> =>
    (await k.client.list<Event>(eventsRef, { namespace: ns })).items.filter((e) => e.involvedObject.name === name && (!reason || e.reason === reason));
  const statusOf = async (name: string, container = name): Promise<ContainerStatus | undefined> =>
    (await get(name)).status?.containerStatuses?.find((c) => c.name === container);
  const podReady = async (name: string): Promise<boolean> => (await get(name)).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const running = (name: string) => waitFor(`${name} running`, async () => (await get(name)).status?.phase === 'Running' && (await statusOf(name))?.state?.running);
  const terminated = (name: string, container = name) => waitFor(`${name} terminated`, async () => (await statusOf(name, container))?.state?.terminated);
  const seconds = (t: string | undefined): number => Date.parse(t ?? '') / 1000;

  test('an httpGet readiness probe gates Ready; a liveness probe on a 404 path restarts after failureThreshold periods', async () => {
    const web = 'mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 8080 -h /www';
    await Promise.all([
      create('ready-http', [{ ...sh(web), readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 } }]),
      create('live-http', [{ ...sh(web), livenessProbe: { httpGet: { path: '/missing', port: 8080 }, periodSeconds: 2, failureThreshold: 3 } }]),
    ]);
    // readiness: failing (404) keeps the pod out of Ready; the file appearing makes it Ready
    await waitFor('readiness 404', async () => (await events('ready-http', 'Unhealthy')).some((e) => e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 404'));
    assert.equal(await podReady('ready-http'), false);
    assert.equal((await statusOf('ready-http'))?.ready, false);
    assert.match(await kubectl(['get', 'pod', 'ready-http']), /ready-http\s+0\/1\s+Running/);
    await kubectl(['exec', 'ready-http', '--', 'sh', '-c', 'echo ok > /www/ready']);
    await waitFor('ready-http Ready', () => podReady('ready-http'));
    assert.equal((await statusOf('ready-http'))?.restartCount, 0);

    // liveness: three failures two seconds apart, then Killing and a restart. The prober starts with the container
    // (upstream's may probe as early), so the first failure can come before httpd listens: a refused connection.
    // Failures count whatever their message, so the kill is timed from the first container's first failure of any
    // kind: the earliest firstTimestamp among the liveness failures (a later container's failures only bump counts,
    // or start Events later than its predecessor's Killing).
    const cs = await waitFor('liveness restart', async () => {
      const c = await statusOf('live-http');
      return (c?.restartCount ?? 0) >= 1 ? c : undefined;
    });
    assert.ok(cs.lastState?.terminated, JSON.stringify(cs));
    // the recorder writes in order, so once Killing is there every failure before it is too
    const killing = await waitFor('Killing', async () => (await events('live-http', 'Killing')).find((e) => e.message === 'Container live-http failed liveness probe, will be restarted'));
    const ip = (await get('live-http')).status?.podIP;
    const url = `http://${ip}:8080/missing`;
    const failures = (await events('live-http', 'Unhealthy')).filter((e) => e.message?.startsWith('Liveness probe failed: '));
    const notFound = failures.find((e) => e.message === 'Liveness probe failed: HTTP probe failed with statuscode: 404');
    assert.ok(notFound, JSON.stringify(failures));
    assert.equal(notFound.type, 'Warning');
    for (const e of failures) {
      const why = e.message?.slice('Liveness probe failed: '.length) ?? '';
      const known = why === 'HTTP probe failed with statuscode: 404' || why === `Get "${url}": dial tcp ${ip}:8080: connect: connection refused`
        || why.startsWith(`Get "${url}": context deadline exceeded`);
      assert.ok(known, `upstream's wording: ${e.message}`);
    }
    const first = Math.min(...failures.map((e) => seconds(e.firstTimestamp)));
    // failureThreshold 3 × periodSeconds 2: the kill comes ≥ 4 s after the first failure (timestamps are whole seconds)
    assert.ok(seconds(killing.firstTimestamp) - first >= 3, `${failures.map((e) => `${e.firstTimestamp} ${e.message}`).join('; ')} → ${killing.firstTimestamp}`);
  });

  test('a tcpSocket readiness probe; an httpGet probe is bounded by its timeoutSeconds', async () => {
    // a handler that accepts and answers after 2 s: a failure with timeoutSeconds 1, a success with timeoutSeconds 4
    const slow = (port: number) => sh(`exec nc -ll -p ${port} -e sh -c 'sleep 2; printf "HTTP/1.0 200 OK\\r\\n\\r\\nok"'`);
    await Promise.all([
      create('ready-tcp', [{ ...sh('while [ ! -f /tmp/go ]; do sleep 0.2; done; exec httpd -f -p 9000'), readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1 } }]),
      create('slow', [
        { ...slow(8081), readinessProbe: { httpGet: { path: '/', port: 8081 }, periodSeconds: 2, timeoutSeconds: 1 } },
        { ...slow(8082), readinessProbe: { httpGet: { path: '/', port: 8082 }, periodSeconds: 2, timeoutSeconds: 4 } },
      ]),
    ]);
    const ip = (await running('ready-tcp')) && (await get('ready-tcp')).status?.podIP;
    await waitFor('tcp refused', async () => (await events('ready-tcp', 'Unhealthy')).some((e) => e.message === `Readiness probe failed: dial tcp ${ip}:9000: connect: connection refused`));
    assert.equal(await podReady('ready-tcp'), false);
    await kubectl(['exec', 'ready-tcp', '--', 'touch', '/tmp/go']);
    await waitFor('ready-tcp Ready', () => podReady('ready-tcp'));

    await waitFor('slow-1 ready', async () => (await statusOf('slow', 'slow-1'))?.ready === true);
    const timedOut = await waitFor('timeout', async () => (await events('slow', 'Unhealthy')).find((e) => /^Readiness probe failed: Get "http:\/\/[\d.]+:8081\/": context deadline exceeded/.test(e.message ?? '')));
    assert.ok(timedOut);
    assert.ok(!(await events('slow', 'Unhealthy')).some((e) => e.message?.includes(':8082/')), 'the 4 s timeout never fails');
    assert.equal((await statusOf('slow', 'slow'))?.ready, false);
  });

  test('a startupProbe holds the liveness probe off until it succeeds', async () => {
    const check = { exec: { command: ['cat', '/tmp/started'] }, periodSeconds: 1 };
    await create('startup', [{ ...sh(idle), startupProbe: { ...check, failureThreshold: 60 }, livenessProbe: { ...check, failureThreshold: 1 }, readinessProbe: check }]);
    // three startup failures: a liveness probe running meanwhile would have killed the container (threshold 1)
    await waitFor('3 startup failures', async () => (await events('startup', 'Unhealthy')).some((e) => e.message?.startsWith('Startup probe failed:') && (e.count ?? 1) >= 3));
    const cs = await statusOf('startup');
    assert.equal(cs?.started, false);
    assert.equal(cs?.ready, false);
    assert.equal(cs?.restartCount, 0);
    assert.ok(!(await events('startup', 'Unhealthy')).some((e) => e.message?.startsWith('Liveness')), 'no liveness probe before startup succeeded');
    await kubectl(['exec', 'startup', '--', 'touch', '/tmp/started']);
    await waitFor('started and ready', async () => {
      const c = await statusOf('startup');
      return c?.started === true && c.ready === true;
    });
    assert.equal((await statusOf('startup'))?.restartCount, 0);
  });

  test('securityContext: runAsUser, readOnlyRootFilesystem, runAsNonRoot, privileged off by default', async () => {
    const never = { restartPolicy: 'Never' as const };
    const netAdmin = 'ip addr add 192.0.2.1/32 dev lo && echo net-ok; mkdir -p /tmp/m && mount -t tmpfs none /tmp/m && echo mount-ok; true';
    await Promise.all([
      create('runas', [{ command: ['id', '-u'], securityContext: { runAsUser: 1000 } }], never),
      create('rofs', [{ ...sh('echo x > /x; echo tmp-ok > /tmp/ok 2>&1 || true'), securityContext: { readOnlyRootFilesystem: true } }], never),
      create('nonroot', [{ ...sh(idle), securityContext: { runAsNonRoot: true } }]),
      create('nonroot-uid0', [{ ...sh(idle), securityContext: { runAsNonRoot: true, runAsUser: 0 } }]),
      create('unpriv', [sh(netAdmin)], never),
      create('priv', [{ ...sh(netAdmin), securityContext: { privileged: true } }], never),
    ]);
    await Promise.all(['runas', 'rofs', 'unpriv', 'priv'].map((n) => terminated(n)));
    assert.equal(await kubectl(['logs', 'runas']), '1000\n');
    assert.match(await kubectl(['logs', 'rofs']), /can't create \/x: Read-only file system/);
    const unpriv = await kubectl(['logs', 'unpriv']);
    assert.match(unpriv, /RTNETLINK answers: Operation not permitted/);
    assert.doesNotMatch(unpriv, /net-ok|mount-ok/);
    assert.equal(await kubectl(['logs', 'priv']), 'net-ok\nmount-ok\n');

    const nonroot = await waitFor('nonroot config error', async () => (await statusOf('nonroot'))?.state?.waiting?.reason === 'CreateContainerConfigError' && (await get('nonroot')));
    const who = `"nonroot_default(${nonroot.metadata?.uid})"`;
    assert.equal(nonroot.status?.containerStatuses?.[0]?.state?.waiting?.message, `container has runAsNonRoot and image will run as root (pod: ${who}, container: nonroot)`);
    const uid0 = await waitFor('uid 0 config error', async () => (await statusOf('nonroot-uid0'))?.state?.waiting?.reason === 'CreateContainerConfigError' && (await get('nonroot-uid0')));
    assert.equal(uid0.status?.containerStatuses?.[0]?.state?.waiting?.message,
      `container's runAsUser breaks non-root policy (pod: "nonroot-uid0_default(${uid0.metadata?.uid})", container: nonroot-uid0)`);
    assert.match(await kubectl(['get', 'pod', 'nonroot']), /nonroot\s+0\/1\s+CreateContainerConfigError/);
  });

  test('resource limits are the container cgroup limits; exceeding the memory limit is OOMKilled', async () => {
    const read = 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; '
      + 'cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"';
    await Promise.all([
      create('limits', [{ ...sh(read), resources: { limits: { memory: '64Mi', cpu: '500m' } } }], { restartPolicy: 'Never' }),
      create('oom', [{ ...sh('head -c 200m /dev/zero | tail'), resources: { limits: { memory: '32Mi' } } }], { restartPolicy: 'Never' }),
    ]);
    await terminated('limits');
    assert.equal(await kubectl(['logs', 'limits']), `${64 * 1024 * 1024}\n50000 100000\n`);
    const t = await terminated('oom');
    assert.equal(t.reason, 'OOMKilled');
    assert.equal(t.exitCode, 137);
    assert.equal((await get('oom')).status?.phase, 'Failed');
  });

  test('CrashLoopBackOff: the restart delay starts at 10 s and doubles', async () => {
    const pod = await create('crashy', [sh('exit 1')]);
    const who = `crashy_default(${pod.metadata?.uid})`;
    const messages = new Set<string>();
    /** Each attempt's start and finish (whole seconds), from state and lastState as they go by. */
    const attempts = new Map<number, { started: number; finished: number }>();
    // every status the kubelet writes, through a watch (a poll could miss a short-lived one)
    const ac = new AbortController();
    const target = `back-off 20s restarting failed container=crashy pod=${who}`;
    const watched = (async () => {
      for await (const ev of k.client.watch<Pod>(podsRef, { namespace: ns, fieldSelector: 'metadata.name=crashy', signal: ac.signal })) {
        if (ev.type === 'ERROR') break;
        const c = ev.object.status?.containerStatuses?.[0];
        if (!c) continue;
        const n = c.restartCount ?? 0;
        // waiting to restart, lastState is the attempt that just ended (number restartCount); else the one before
        const last = c.lastState?.terminated;
        const lastAttempt = c.state?.waiting ? n : n - 1;
        if (last && lastAttempt >= 0) attempts.set(lastAttempt, { started: seconds(last.startedAt), finished: seconds(last.finishedAt) });
        const now = c.state?.terminated;
        if (now) attempts.set(n, { started: seconds(now.startedAt), finished: seconds(now.finishedAt) });
        if (c.state?.waiting?.reason === 'CrashLoopBackOff') messages.add(c.state.waiting.message ?? '');
        if (c.state?.waiting?.message === target) return true;
      }
      return false;
    })();
    const timeout = setTimeout(() => ac.abort(), 60_000);
    const seen = await watched.finally(() => clearTimeout(timeout));
    ac.abort();
    assert.ok(seen, `no "${target}" among ${[...messages].join('; ')}`);
    assert.ok(messages.has(`back-off 10s restarting failed container=crashy pod=${who}`), [...messages].join('; '));
    const backOff = await events('crashy', 'BackOff');
    assert.ok(backOff.some((e) => e.type === 'Warning' && e.message === `Back-off restarting failed container crashy in pod ${who}`), JSON.stringify(backOff));
    // the first restart is immediate, the second waits out the 10 s back-off
    const [a0, a1, a2] = [attempts.get(0), attempts.get(1), attempts.get(2)];
    assert.ok(a0 && a1 && a2, JSON.stringify([...attempts]));
    assert.ok(a1.started - a0.finished <= 4, JSON.stringify([a0, a1]));
    assert.ok(a2.started - a1.finished >= 9, JSON.stringify([a1, a2]));
    assert.match(await kubectl(['get', 'pod', 'crashy']), /crashy\s+0\/1\s+CrashLoopBackOff\s+2/);
  });

  test('graceful termination: SIGKILL after the grace period for a container ignoring SIGTERM, at once for one handling it', async () => {
    await Promise.all([
      create('stubborn', [sh('trap "" TERM; while true; do sleep 1; done')], { terminationGracePeriodSeconds: 30 }),
      create('polite', [sh(idle)], { terminationGracePeriodSeconds: 30 }),
    ]);
    await Promise.all([running('stubborn'), running('polite')]);
    const gone = async (name: string, args: string[]): Promise<{ ms: number; last: ContainerStatus | undefined; phase: string | undefined }> => {
      // the kubelet reports the stopped container before deleting the pod: watch for both
      const ac = new AbortController();
      let last: ContainerStatus | undefined;
      let phase: string | undefined;
      const watched = (async () => {
        for await (const ev of k.client.watch<Pod>(podsRef, { namespace: ns, fieldSelector: `metadata.name=${name}`, signal: ac.signal })) {
          if (ev.type === 'ERROR') return;
          const t = ev.object.status?.containerStatuses?.[0];
          if (t?.state?.terminated) [last, phase] = [t, ev.object.status?.phase];
          if (ev.type === 'DELETED') return;
        }
      })().catch(() => undefined);
      const t0 = Date.now();
      await kubectl(['delete', 'pod', name, ...args]);
      const ms = Date.now() - t0;
      // the DELETED event follows the delete kubectl waited for; the abort bounds a watch that missed it
      const bound = setTimeout(() => ac.abort(), 5000);
      await watched;
      clearTimeout(bound);
      ac.abort();
      return { ms, last, phase };
    };
    const [stubborn, polite] = await Promise.all([gone('stubborn', ['--grace-period=3']), gone('polite', [])]);
    assert.ok(stubborn.ms >= 2900 && stubborn.ms < 8000, `stubborn took ${stubborn.ms} ms`);
    assert.equal(stubborn.last?.state?.terminated?.exitCode, 137, JSON.stringify(stubborn.last));
    assert.equal(stubborn.phase, 'Failed');
    // far inside its 30 s grace (kubectl, the kubelet's round trip and the loop's `sleep 1` take a few seconds)
    assert.ok(polite.ms < 10_000, `polite took ${polite.ms} ms`);
    assert.equal(polite.last?.state?.terminated?.exitCode, 0, JSON.stringify(polite.last));
    assert.equal(polite.phase, 'Succeeded');
  });

  test('a hostPort answers on the node IP through portmap', async () => {
    const hostPort = await freePort();
    await create('hostport', [{ ...sh('mkdir -p /www && echo hostport-ok > /www/index.html && exec httpd -f -p 80 -h /www'), ports: [{ containerPort: 80, hostPort }] }]);
    await running('hostport');
    const node = await k.client.get<Node>(nodesRef, k.nodeName);
    const nodeIP = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    assert.ok(nodeIP);
    const body = await waitFor('hostPort answers', async () => {
      const r = await fetch(`http://${nodeIP}:${hostPort}/`, { signal: AbortSignal.timeout(2000) });
      return r.status === 200 && (await r.text());
    }, 20_000, 250);
    assert.equal(body, 'hostport-ok\n');
  });

  test('a preStop httpGet hook runs before SIGTERM, on deletion and on a liveness kill', async () => {
    // the hook's CGI writes a file; the TERM trap prints it: "hook" comes first only if the hook ran before SIGTERM
    const script = [
      'mkdir -p /www/cgi-bin',
      'printf "#!/bin/sh\\necho hook > /tmp/hook\\nprintf \\"Content-Type: text/plain\\\\r\\\\n\\\\r\\\\nok\\"\\n" > /www/cgi-bin/stop',
      'chmod +x /www/cgi-bin/stop',
      'httpd -p 8080 -h /www',
      'trap "cat /tmp/hook; echo TERM; exit 0" TERM',
      'echo up',
      'while true; do sleep 1; done',
    ].join('; ');
    const hook = { preStop: { httpGet: { path: '/cgi-bin/stop', port: 8080 } } };
    await Promise.all([
      create('prestop', [{ ...sh(script), lifecycle: hook }], { terminationGracePeriodSeconds: 20 }),
      // a liveness kill runs the hook too (upstream's killContainer)
      create('prestop-live', [{ ...sh(script), lifecycle: hook, livenessProbe: { exec: { command: ['test', '!', '-f', '/tmp/die'] }, periodSeconds: 1, failureThreshold: 1 } }]),
    ]);
    await running('prestop-live');
    await waitFor('prestop-live up', async () => (await kubectl(['logs', 'prestop-live'])) === 'up\n');
    await kubectl(['exec', 'prestop-live', '--', 'touch', '/tmp/die']);
    await waitFor('liveness restart', async () => ((await statusOf('prestop-live'))?.restartCount ?? 0) >= 1);
    assert.equal(await kubectl(['logs', 'prestop-live', '--previous']), 'up\nhook\nTERM\n');

    await running('prestop');
    await waitFor('up', async () => (await kubectl(['logs', 'prestop'])) === 'up\n');
    const follow = k.server.spawnKubectl(['logs', '-f', 'prestop']);
    let out = '';
    follow.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const ended = new Promise((r) => follow.once('exit', r));
    await waitFor('following', () => out === 'up\n');
    await kubectl(['delete', 'pod', 'prestop', '--wait=false']);
    await Promise.race([ended, waitFor('TERM logged', () => out.includes('TERM'), 30_000)]);
    if (follow.exitCode === null) follow.kill();
    assert.equal(out, 'up\nhook\nTERM\n');
    assert.ok(!(await events('prestop', 'FailedPreStopHook')).length);
  });

  test("deleting a pod frees its CNI IP and removes its emptyDir", async () => {
    await create('freed', [{ ...sh('echo data > /scratch/f; ' + idle), volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }], { volumes: [{ name: 'scratch', emptyDir: {} }] });
    await running('freed');
    const pod = await get('freed');
    const ip = pod.status?.podIP;
    assert.ok(ip);
    const ipamDir = join(k.dataDir, 'agent', 'cni', 'ipam');
    const ipFile = readdirSync(ipamDir).map((net) => join(ipamDir, net, ip)).find((f) => existsSync(f));
    assert.ok(ipFile, `host-local holds ${ip}`);
    const emptyDir = join(k.dataDir, 'agent', 'pods', pod.metadata!.uid!, 'volumes', 'kubernetes.io~empty-dir', 'scratch');
    await waitFor('emptyDir written', () => existsSync(join(emptyDir, 'f')));
    await kubectl(['delete', 'pod', 'freed']);
    assert.equal(existsSync(ipFile), false, 'the IP is released');
    assert.equal(existsSync(emptyDir), false, 'the emptyDir is removed');
  });

  test('pressure conditions follow --eviction-hard against the measured host', async () => {
    // a second kubelet in this cluster whose thresholds are above anything this host has for memory and PIDs
    // (MemoryPressure, PIDPressure True) and at zero for disk (DiskPressure False); the pods of the other tests are
    // pinned to the first node
    const suffix = randomBytes(2).toString('hex');
    const node = new KubeletNode({
      kubeconfig: await nodeKubeconfig(k.server, `kpress-${suffix}`), nodeName: `kpress-${suffix}`, bridge: `skp${suffix}`, port: await freePort(),
      args: ['--eviction-hard', 'memory.available<1Ei,pid.available<100%,nodefs.available<0%,imagefs.available<0%,nodefs.inodesFree<0%,imagefs.inodesFree<0%'],
    });
    try {
      await node.start();
      const jsonpath = '{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\\n"}{end}';
      const conditions = await kubectl(['get', 'node', node.o.nodeName, '-o', `jsonpath=${jsonpath}`]);
      assert.match(conditions, /^MemoryPressure=True KubeletHasInsufficientMemory: kubelet has insufficient memory available$/m);
      assert.match(conditions, /^DiskPressure=False KubeletHasNoDiskPressure: kubelet has no disk pressure$/m);
      assert.match(conditions, /^PIDPressure=True KubeletHasInsufficientPID: kubelet has insufficient PID available$/m);
      // the first node runs with upstream's defaults on the same host: no memory pressure unless it is really short
      const first = await k.client.get<Node>(nodesRef, k.nodeName);
      assert.equal(first.status?.conditions?.find((c) => c.type === 'PIDPressure')?.status, 'False');
    } finally {
      // only this node's runtime state: the pods in the namespace belong to the other tests
      await node.cleanup(k.client, []);
      await k.client.delete(nodesRef, node.o.nodeName).catch(() => undefined);
    }
  });
});
