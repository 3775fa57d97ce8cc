// Test harness: a real Skiff API server (in this process, on a free port, in a temp data dir) and real kubectl
// run against it with its own --cache-dir. Everything started here is stopped by stop().
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { runServer, type RunningServer } from '../../src/server/run-server.ts';
import { parseServerFlags } from '../../src/cli/server-flags.ts';

export interface TestServer extends RunningServer {
  dataDir: string;
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** Starts a long-running kubectl (e.g. `get pods -w`); the caller reads its output and kills it. */
  spawnKubectl(args: string[], opts?: KubectlOptions): ChildProcess;
}

export interface KubectlOptions {
  /** "1.27" … "1.33" runs that kubectl; absent runs the dispatcher /usr/bin/kubectl. */
  version?: string;
  stdin?: string;
  env?: Record<string, string>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const kubectlVersions = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];

/** Runs kubectl against s and asserts it exited 0 (naming the command and its stderr); its stdout. */
export async function kubectlOk(s: Pick<TestServer, 'kubectl'>, args: string[], opts?: KubectlOptions): Promise<string> {
  const r = await s.kubectl(args, opts);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export function kubectlBinary(version?: string): string {
  return version ? `/usr/lib/google-cloud-sdk/bin/kubectl.${version}` : '/usr/bin/kubectl';
}

export interface TestServerOptions {
  datastoreEndpoint?: string;
  /** Also host the scheduler and controller-manager, as `skiff server` does (default: API server only, so a
   *  test can start exactly the components it is about). */
  components?: boolean;
  /** The hosted components' secure /metrics ports (default 0: none, so test servers never compete for 10257/10259). */
  securePorts?: { scheduler: number; controllerManager: number };
  /** The run's Service CIDR and NodePort range (isolation.ts: claimRun()), for tests whose kube-proxy programs the
   *  host; absent: the product defaults (10.43.0.0/16, 30000-32767), fine for tests that program nothing. */
  network?: { serviceCidr: string; nodePortRange: string };
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-test-'));
  // loopback only: a test server runs no node, so nothing but this host's tests need reach it
  const flags = ['--data-dir', dataDir, '--https-listen-port', '0', '--bind-address', '127.0.0.1', '--disable-agent'];
  if (!opts.components) flags.push('--disable-scheduler', '--disable-controller-manager');
  const ports = opts.securePorts ?? { scheduler: 0, controllerManager: 0 };
  flags.push('--kube-scheduler-secure-port', String(ports.scheduler), '--kube-controller-manager-secure-port', String(ports.controllerManager));
  if (opts.network) flags.push('--service-cidr', opts.network.serviceCidr, '--service-node-port-range', opts.network.nodePortRange);
  const cfg = parseServerFlags(flags);
  cfg.datastoreEndpoint = opts.datastoreEndpoint ?? '';
  const running = await runServer(cfg);
  const cacheDir = join(dataDir, 'kubectl-cache');
  const children = new Set<ChildProcess>();
  const argsFor = (args: string[]) => ['--kubeconfig', running.kubeconfig, '--cache-dir', cacheDir, ...args];
  const envFor = (o?: KubectlOptions) => ({ ...process.env, HOME: dataDir, KUBECONFIG: running.kubeconfig, ...(o?.env ?? {}) });
  return {
    ...running,
    dataDir,
    kubectl(args, o) {
      return new Promise((resolve) => {
        const child = execFile(kubectlBinary(o?.version), argsFor(args), { env: envFor(o), maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
          children.delete(child);
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        });
        children.add(child);
        if (o?.stdin !== undefined) child.stdin?.end(o.stdin);
        else child.stdin?.end();
      });
    },
    spawnKubectl(args, o) {
      const child = spawn(kubectlBinary(o?.version), argsFor(args), { env: envFor(o), stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    async stop() {
      for (const c of children) c.kill('SIGKILL');
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
