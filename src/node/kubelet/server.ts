// The kubelet's HTTPS API (upstream's port 10250): TLS with the kubelet's own serving certificate (self-signed,
// kept under <data-dir>/agent/pki like upstream's /var/lib/kubelet/pki), and x509 client authentication against
// the cluster CA: a request without a client certificate signed by it gets 401, one from a node or kube-proxy 403
// (authz.ts). Endpoints:
//   GET /healthz
//   GET /containerLogs/{ns}/{pod}/{container}          (logs-endpoint.ts)
//   GET|POST /exec/{ns}/{pod}/{container}?command=…     \
//   GET|POST /attach/{ns}/{pod}/{container}             } HTTP Upgrade, proxied to the runtime's streaming server
//   GET|POST /portForward/{ns}/{pod}                    /
// For the streaming ones the kubelet asks the runtime (CRI Exec/Attach/PortForward) for a one-time URL and passes
// the client's upgrade through unchanged: containerd's streaming server speaks SPDY/3.1 and WebSocket
// (channel.k8s.io, base64.channel.k8s.io, v4.channel.k8s.io), so no protocol is implemented here. Newer
// WebSocket clients (v5.channel.k8s.io, port-forward's SPDY tunnel) reach it as SPDY: the API server translates,
// as upstream's does (control-plane/apiserver/stream-translator.ts).
import { createServer, type Server } from 'node:https';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyAndCert } from '../../pki/certs.ts';
import { CriError, rpcErrorText, type CriClient } from '../cri/client.ts';
import type { CriStreaming, StreamFlags } from '../cri/streaming.ts';
import { pipeUpgrade, upgradeRequestHead } from '../../net/upgrade-proxy.ts';
import { serveContainerLogs, type LogsContext } from './logs-endpoint.ts';
import { KubeletHttpError, readySandbox, runningContainer } from './pod-lookup.ts';
import { kubeletForbidden } from './authz.ts';

export interface KubeletServerOptions extends LogsContext {
  cri: CriClient;
  streaming: CriStreaming;
  /** PEM of the CA whose client certificates are accepted (the cluster CA). */
  clientCA: string;
  serving: KeyAndCert;
  address?: string;
  /** 10250 upstream; 0 picks a free port. */
  port: number;
  log: (msg: string) => void;
}

/** The kubelet's serving certificate: made once (self-signed CA + leaf for the node's name and address), then reused. */
export async function kubeletServingCert(dir: string, nodeName: string, address: string): Promise<KeyAndCert> {
  const cert = join(dir, 'kubelet.crt');
  const key = join(dir, 'kubelet.key');
  if (existsSync(cert) && existsSync(key)) return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
  // loaded only to make the pair: the X.509 library costs the kubelet ~190 ms of CPU at every start otherwise
  const { createCA, signLeaf } = await import('../../pki/certs.ts');
  const ca = await createCA(`${nodeName}-ca@${Math.floor(Date.now() / 1000)}`);
  const leaf = await signLeaf(ca, { commonName: `${nodeName}@${Math.floor(Date.now() / 1000)}`, dnsNames: [nodeName], ipAddresses: [address], usage: 'server' });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = { certPem: leaf.certPem + ca.certPem, keyPem: leaf.keyPem };
  writeFileSync(cert, pair.certPem, { mode: 0o644 });
  writeFileSync(key, pair.keyPem, { mode: 0o600 });
  return pair;
}

const streamingPaths = new Set(['exec', 'attach', 'portForward']);

/** Splits /kind/a/b/c into kind and its path segments (decoded), or undefined when the shape is wrong. */
function route(pathname: string): { kind: string; parts: string[] } | undefined {
  const segs = pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  const [kind, ...parts] = segs;
  if (!kind) return undefined;
  const want = kind === 'portForward' ? 2 : kind === 'exec' || kind === 'attach' || kind === 'containerLogs' ? 3 : kind === 'healthz' ? 0 : -1;
  return parts.length === want ? { kind, parts } : undefined;
}

/** An error as the kubelet's status and message (CRI errors: upstream maps NotFound to 404, the rest to 500). */
function httpError(err: unknown): { status: number; message: string } {
  if (err instanceof KubeletHttpError) return { status: err.status, message: err.message };
  if (err instanceof CriError) return { status: err.code === 5 ? 404 : 500, message: rpcErrorText(err) };
  return { status: 500, message: err instanceof Error ? err.message : String(err) };
}

function rawError(socket: Duplex, status: number, message: string): void {
  const body = Buffer.from(message);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${message}`);
}

export class KubeletServer {
  private server?: Server;
  private readonly sockets = new Set<Duplex>();
  private readonly shutdown = new AbortController();

  constructor(private readonly o: KubeletServerOptions) {}

  async start(): Promise<number> {
    const server = createServer({
      key: this.o.serving.keyPem, cert: this.o.serving.certPem, ca: this.o.clientCA, requestCert: true, rejectUnauthorized: false,
    }, (req, res) => void this.serve(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
    server.on('connection', (s: Duplex) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.address ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.shutdown.abort();
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private authenticated(req: IncomingMessage): boolean {
    return (req.socket as TLSSocket).authorized === true;
  }

  /** 401 without a client certificate of the cluster CA; 403 for a client that may not use this API (authz.ts). */
  private authorize(req: IncomingMessage, pathname: string): void {
    if (!this.authenticated(req)) throw new KubeletHttpError(401, 'Unauthorized');
    const subject = (req.socket as TLSSocket).getPeerCertificate().subject;
    const list = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []);
    const denied = kubeletForbidden({ name: list(subject?.CN)[0] ?? '', groups: list(subject?.O) }, req.method ?? 'GET', pathname);
    if (denied) throw new KubeletHttpError(403, denied);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      this.authorize(req, url.pathname);
      const r = route(url.pathname);
      if (!r) throw new KubeletHttpError(404, '404 page not found');
      if (r.kind === 'healthz') return void res.end('ok');
      if (streamingPaths.has(r.kind)) throw new KubeletHttpError(400, 'Upgrade request required');
      if (req.method !== 'GET') throw new KubeletHttpError(405, 'Method Not Allowed');
      const ac = new AbortController();
      res.once('close', () => ac.abort());
      await serveContainerLogs(this.o, res, r.parts, url.searchParams, AbortSignal.any([ac.signal, this.shutdown.signal]));
    } catch (err) {
      const { status, message } = httpError(err);
      if (status >= 500) this.o.log(`${req.method} ${req.url}: ${message}`);
      if (res.headersSent) return void res.destroy();
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(message);
    }
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    let target: URL;
    try {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      this.authorize(req, url.pathname);
      const r = route(url.pathname);
      if (!r || !streamingPaths.has(r.kind)) throw new KubeletHttpError(404, '404 page not found');
      target = new URL(await this.streamUrl(r.kind, r.parts, url.searchParams));
      // the runtime's server reads port-forward's `ports` (WebSocket) from the query, as upstream's proxy passes it
      target.search = url.search;
    } catch (err) {
      const { status, message } = httpError(err);
      if (status >= 500) this.o.log(`${req.method} ${req.url}: ${message}`);
      return rawError(socket, status, message);
    }
    const upstream = netConnect(Number(target.port), target.hostname);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      upstream.write(upgradeRequestHead(req, target.pathname + target.search, target.host));
      void pipeUpgrade(socket, head, upstream, this.shutdown.signal);
    });
    upstream.once('error', (err) => {
      if (!connected) rawError(socket, 500, `error dialing the container runtime's streaming server: ${err.message}`);
      else socket.destroy();
    });
  }

  private async streamUrl(kind: string, parts: string[], q: URLSearchParams): Promise<string> {
    const [ns, pod, container] = parts as [string, string, string];
    if (kind === 'portForward') {
      const ports = q.getAll('port').concat(q.getAll('ports').flatMap((p) => p.split(','))).map(Number).filter((n) => n > 0);
      return this.o.streaming.portForward(await readySandbox(this.o.cri, ns, pod), ports);
    }
    const flags = streamFlags(q);
    const c = await runningContainer(this.o.cri, ns, pod, container);
    if (kind === 'attach') return this.o.streaming.attach(c.id, flags);
    const command = q.getAll('command');
    if (!command.length) throw new KubeletHttpError(400, 'command is required');
    return this.o.streaming.exec(c.id, command, flags);
  }
}

/** upstream remotecommand NewOptions: at least one stream; a TTY merges stderr into stdout. */
function streamFlags(q: URLSearchParams): StreamFlags {
  const on = (k: string): boolean => q.get(k) === 'true' || q.get(k) === '1';
  const tty = on('tty');
  const f = { stdin: on('input') || on('stdin'), stdout: on('output') || on('stdout'), stderr: (on('error') || on('stderr')) && !tty, tty };
  if (!f.stdin && !f.stdout && !(on('error') || on('stderr'))) throw new KubeletHttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
  return f;
}
