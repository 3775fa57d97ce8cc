// TEST ONLY: the real kube-apiserver for client tests — ApiServer over a SQLite store in a temp dir, behind the
// watch cache, with the system namespaces bootstrapped, on a loopback port of this process. Clients authenticate
// with the admin client certificate, or with a bearer token from a token file (upstream's --token-auth-file). Tests reach into nothing but the store (to compact history, as etcd
// compaction would) and the server's own /metrics (to see watchers come and go on the server side).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../control-plane/apiserver/server.ts';
import { TokenFile } from '../../control-plane/apiserver/authn.ts';
import { bootstrap } from '../../control-plane/apiserver/bootstrap.ts';
import { ensureCredentials, type ServerCredentials } from '../../server/data-dir.ts';
import type { Store } from '../../store/interface.ts';
import { openSqliteStore } from '../../store/sqlite.ts';
import { withWatchCache } from '../../store/watch-cache.ts';
import { inProcessTransport } from '../in-process.ts';
import { RestClient, type RestClientOptions } from '../rest.ts';
import { HttpTransport, type HttpTransportOptions, type Transport } from '../transport.ts';

export interface TestApiServer {
  url: string;
  creds: ServerCredentials;
  /** A bearer token of an admin (system:masters), from the server's token file. */
  token: string;
  /** The store under the server (watch cache included): compact() it to expire old resourceVersions. */
  store: Store;
  /** Where the admin client connects, with its certificate. */
  connection: HttpTransportOptions;
  /** An admin client; `wrap` puts a test transport (e.g. FaultTransport) between it and the server. */
  client(o?: Partial<RestClientOptions> & { wrap?: (t: Transport) => Transport }): RestClient;
  /** A client over the in-memory transport into the same server (TLS, no socket); `tls` replaces the admin's. */
  inProcessClient(tls?: Omit<HttpTransportOptions, 'server'>): RestClient;
  /** The server's HTTPS server, which in-process connections are handed to. */
  httpsServer: HttpsServer;
  /** Watches the server itself counts as registered for a kind (apiserver_registered_watchers). */
  watchers(kind: string): Promise<number>;
  stop(): Promise<void>;
}

export interface TestApiServerOptions {
  /** Events the watch cache keeps per resource (default 1000); small values make "too old" easy to reach. */
  watchCacheSize?: number;
}

export async function startApiServer(o: TestApiServerOptions = {}): Promise<TestApiServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-client-test-'));
  const store = withWatchCache(openSqliteStore(join(dataDir, 'state.db'), { compactIntervalMs: 0 }), { bufferSize: o.watchCacheSize });
  const creds = await ensureCredentials({ dataDir, sans: { dns: [], ips: [] } });
  const token = randomBytes(16).toString('hex');
  const tokenFile = join(dataDir, 'tokens.csv');
  writeFileSync(tokenFile, `${token},test-admin,test-admin,"system:masters"\n`, { mode: 0o600 });
  const server = new ApiServer({ store, ca: creds.ca, serving: creds.serving, tokens: TokenFile.load(tokenFile), port: 0 });
  const port = await server.start();
  const url = `https://127.0.0.1:${port}`;
  await bootstrap(server, { kubernetesServiceIP: '10.43.0.1', advertiseAddress: '127.0.0.1', securePort: port });
  const connection: HttpTransportOptions = {
    server: url,
    ca: Buffer.from(creds.ca.certPem),
    cert: Buffer.from(creds.admin.certPem),
    key: Buffer.from(creds.admin.keyPem),
  };
  const clients: RestClient[] = [];
  const client: TestApiServer['client'] = ({ wrap, ...opts } = {}) => {
    const transport = opts.transport ?? (wrap ? wrap(new HttpTransport(connection)) : undefined);
    const c = new RestClient({ ...connection, qps: 0, ...opts, transport });
    clients.push(c);
    return c;
  };
  const httpsServer = server.httpsServer!;
  const inProcessClient: TestApiServer['inProcessClient'] = (tls = connection) => {
    const c = new RestClient({ server: url, qps: 0, transport: inProcessTransport(httpsServer, tls) });
    clients.push(c);
    return c;
  };
  const metrics = client();
  return {
    url, creds, token, store, connection, client, inProcessClient, httpsServer,
    async watchers(kind) {
      const text = await metrics.requestText({ method: 'GET', path: '/metrics' });
      let n = 0;
      for (const m of text.matchAll(/^apiserver_registered_watchers\{([^}]*)\} (\d+)$/gm)) {
        if (m[1].includes(`kind="${kind}"`)) n += Number(m[2]);
      }
      return n;
    },
    async stop() {
      for (const c of clients) c.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
