// Harness for the limits tests: a real API server in this process with the limits and timeouts a test picks,
// a kubeconfig for an ordinary (non-system:masters) user, raw requests, raw watches and slow TLS clients.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type RequestOptions } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { ApiServer, type ApiServerOptions } from '../../src/control-plane/apiserver/server.ts';
import { bootstrap } from '../../src/control-plane/apiserver/bootstrap.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { withWatchCache } from '../../src/store/watch-cache.ts';
import { ensureCredentials, writeAdminKubeconfig } from '../../src/server/data-dir.ts';
import { kubeconfigYaml } from '../../src/server/kubeconfig.ts';
import { signLeaf, type KeyAndCert } from '../../src/pki/certs.ts';

export interface Identity {
  cert?: string;
  key?: string;
}

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface LimitsServer {
  port: number;
  ca: string;
  admin: Identity;
  /** An ordinary user ("limits-user", no groups): in-flight limits apply to it. */
  user: Identity;
  userKubeconfig: string;
  adminKubeconfig: string;
  dataDir: string;
  server: ApiServer;
  send(who: Identity, method: string, path: string, body?: string | Buffer, headers?: Record<string, string>): Promise<Reply>;
  /** Opens a request and returns it unfinished: the caller writes (or withholds) the body. */
  open(who: Identity, method: string, path: string, headers: Record<string, string>): { req: ClientRequest; reply: Promise<Reply> };
  watch(who: Identity, path: string): Promise<Watch>;
  stop(): Promise<void>;
}

export interface Watch {
  status: number;
  /** Resolves with the first line matching re. */
  line(re: RegExp): Promise<string>;
  ended: Promise<void>;
  close(): void;
}

const configMap = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });
export { configMap };

export async function startLimitsServer(opts: Partial<ApiServerOptions> = {}): Promise<LimitsServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-limits-'));
  const store = withWatchCache(openSqliteStore(join(dataDir, 'state.db')));
  const creds = await ensureCredentials({ dataDir, sans: { dns: [], ips: [] } });
  const server = new ApiServer({ store, ca: creds.ca, serving: creds.serving, port: 0, ...opts });
  const port = await server.start();
  const url = `https://127.0.0.1:${port}`;
  writeAdminKubeconfig(creds, url);
  await bootstrap(server, { kubernetesServiceIP: '10.43.0.1', advertiseAddress: '127.0.0.1', securePort: port });
  const userPair: KeyAndCert = await signLeaf(creds.ca, { commonName: 'limits-user', usage: 'client' });
  const userKubeconfig = join(dataDir, 'user.kubeconfig');
  writeFileSync(userKubeconfig, kubeconfigYaml({ server: url, ca: creds.ca.certPem, client: userPair }), { mode: 0o600 });
  const ca = creds.ca.certPem;
  const base = (who: Identity, method: string, path: string, headers: Record<string, string>): RequestOptions => ({
    host: '127.0.0.1', port, method, path, ca, cert: who.cert, key: who.key, agent: false, headers,
  });
  const collect = (req: ClientRequest): Promise<Reply> => new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  const open: LimitsServer['open'] = (who, method, path, headers) => {
    const req = request(base(who, method, path, headers));
    return { req, reply: collect(req) };
  };
  return {
    port, ca, dataDir, server, userKubeconfig,
    adminKubeconfig: creds.adminKubeconfig,
    admin: { cert: creds.admin.certPem, key: creds.admin.keyPem },
    user: { cert: userPair.certPem, key: userPair.keyPem },
    send(who, method, path, body, headers = {}) {
      const h = body === undefined ? headers : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers };
      const { req, reply } = open(who, method, path, h);
      req.end(body);
      return reply;
    },
    open,
    watch(who, path) {
      return new Promise((resolve, reject) => {
        const req = request(base(who, 'GET', path, {}), (res) => {
          let buf = '';
          const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
          const seen: string[] = [];
          const ended = new Promise<void>((r) => res.on('close', () => r()));
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            buf += d;
            let i;
            while ((i = buf.indexOf('\n')) >= 0) {
              const l = buf.slice(0, i);
              buf = buf.slice(i + 1);
              seen.push(l);
              for (const w of [...waiters]) if (w.re.test(l)) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(l);
              }
            }
          });
          res.on('error', () => undefined);
          resolve({
            status: res.statusCode ?? 0,
            line: (re) => {
              const hit = seen.find((l) => re.test(l));
              return hit !== undefined ? Promise.resolve(hit) : new Promise((r) => waiters.push({ re, resolve: r }));
            },
            ended,
            close: () => req.destroy(),
          });
        });
        req.on('error', reject);
        req.end();
      });
    },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A TLS client that sends a request's headers one byte at a time, every intervalMs; resolves once connected. */
export function slowClient(port: number, ca: string, intervalMs: number): Promise<{ socket: TLSSocket; closed: Promise<string>; stop(): void }> {
  const text = 'GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ' + 'x'.repeat(4000) + '\r\n\r\n';
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined); // the server cutting us off is what some tests wait for
      let i = 0;
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (received += d));
      const timer = setInterval(() => {
        if (i < text.length && socket.writable) socket.write(text[i++]);
      }, intervalMs);
      const closed = new Promise<string>((r) => socket.on('close', () => {
        clearInterval(timer);
        r(received);
      }));
      resolve({ socket, closed, stop: () => socket.destroy() });
    });
    socket.once('error', reject);
  });
}
