// A throw-away "pod network" for kube-proxy tests and benches: a bridge of our own on the host with a test-only
// /24 (a test run's own, test/support/isolation.ts: net(k)), and network namespaces as pods (veth into the bridge, hairpin on), each optionally serving HTTP with
// `busybox httpd` that answers the pod's name. Names carry a per-run id so parallel runs do not collide, and
// destroy() removes exactly what create() made (processes by PID, namespaces and links by name).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/node/proxy/nft.ts';

async function sh(cmd: string, args: string[]): Promise<string> {
  const r = await runCommand(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

export interface LabPod {
  name: string;
  ns: string;
  ip: string;
  httpd?: ChildProcess;
  /** Other processes started in the namespace (udpEcho), killed by destroy(). */
  procs: ChildProcess[];
}

export class NetnsLab {
  readonly id: string;
  readonly bridge: string;
  /** The bridge's address on the host: the "node address" of the tests. */
  readonly nodeIP: string;
  readonly cidr: string;
  readonly pods: LabPod[] = [];
  private readonly dir: string;
  private next = 10;

  /** `net`: the /24's first three octets ("10.46.8"); `id`: unique among live runs, ≤ 7 characters (link names). */
  constructor(readonly net: string, id: string) {
    this.id = id;
    this.bridge = `skbr${this.id}`;
    this.nodeIP = `${net}.1`;
    this.cidr = `${net}.0/24`;
    this.dir = mkdtempSync(join(tmpdir(), 'skiff-proxy-lab-'));
  }

  async create(): Promise<void> {
    await sh('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    await sh('ip', ['addr', 'add', `${this.nodeIP}/24`, 'dev', this.bridge]);
    await sh('ip', ['link', 'set', this.bridge, 'up']);
  }

  /** A namespace on the bridge; with `serve`, busybox httpd on that port answering the pod's name. */
  async addPod(name: string, serve?: number, hostOctet?: number): Promise<LabPod> {
    const ip = `${this.net}.${hostOctet ?? this.next++}`;
    const ns = `skiff-${this.id}-${name}`;
    const host = `skv${this.id}${this.pods.length}`;
    await sh('ip', ['netns', 'add', ns]);
    const pod: LabPod = { name, ns, ip, procs: [] };
    this.pods.push(pod);
    await sh('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await sh('ip', ['link', 'set', host, 'master', this.bridge, 'up']);
    await sh('bridge', ['link', 'set', 'dev', host, 'hairpin', 'on']);
    const inNs = (args: string[]): Promise<string> => sh('ip', ['netns', 'exec', ns, ...args]);
    await inNs(['ip', 'link', 'set', 'lo', 'up']);
    await inNs(['ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    await inNs(['ip', 'link', 'set', 'eth0', 'up']);
    await inNs(['ip', 'route', 'add', 'default', 'via', this.nodeIP]);
    if (serve) {
      const www = join(this.dir, name);
      mkdirSync(www, { recursive: true });
      writeFileSync(join(www, 'index.html'), name);
      pod.httpd = spawn('ip', ['netns', 'exec', ns, '/bin/busybox', 'httpd', '-f', '-p', String(serve), '-h', www], { stdio: 'ignore' });
      await this.waitServing(pod, serve);
    }
    return pod;
  }

  /** A UDP server in the pod answering every datagram with the pod's name (Node, run inside the namespace). */
  async udpEcho(pod: LabPod, port: number): Promise<void> {
    const code = `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(${JSON.stringify(pod.name)},r.port,r.address));` +
      `s.bind(${port},()=>process.stdout.write('ready\\n'))`;
    const child = spawn('ip', ['netns', 'exec', pod.ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
    pod.procs.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (c) => reject(new Error(`udp echo in ${pod.ns} exited ${c}`)));
    });
  }

  private async waitServing(pod: LabPod, port: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await curl(`http://${pod.ip}:${port}/`)).code === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`httpd in ${pod.ns} did not answer`);
  }

  async destroy(): Promise<void> {
    for (const p of this.pods) {
      for (const child of [p.httpd, ...p.procs]) {
        if (!child || child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      await runCommand('ip', ['netns', 'delete', p.ns]); // takes the veth pair with it
    }
    await runCommand('ip', ['link', 'delete', this.bridge]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Sends one datagram from `socket` and resolves with the reply's text (undefined after timeoutMs). */
export function udpAsk(socket: import('node:dgram').Socket, host: string, port: number, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      resolve(undefined);
    }, timeoutMs);
    const onMessage = (m: Buffer): void => {
      clearTimeout(timer);
      resolve(m.toString());
    };
    socket.once('message', onMessage);
    socket.send('who', port, host);
  });
}

export interface CurlResult {
  code: number;
  body: string;
  ms: number;
}

/** curl from the host (or inside namespace ns): exit code 7 = connection refused, 28 = timeout. */
export async function curl(url: string, ns?: string, timeoutS = 2): Promise<CurlResult> {
  const args = ['-sS', '-m', String(timeoutS), url];
  const t0 = performance.now();
  const r = ns ? await runCommand('ip', ['netns', 'exec', ns, 'curl', ...args]) : await runCommand('curl', args);
  return { code: r.code, body: r.stdout.trim(), ms: performance.now() - t0 };
}
