// The secure endpoint of kube-controller-manager (upstream port 10257) and kube-scheduler (10259): HTTPS with a
// serving certificate generated at start (upstream's self-signed "localhost@<time>" pair, from a throwaway CA),
// serving /healthz, /livez and /readyz to anyone (upstream's always-allowed paths) and /metrics only to clients
// presenting a certificate signed by the cluster CA (the CA of the component's kubeconfig); a request without one
// is answered 401, as upstream's delegated authentication answers a request it cannot authenticate. Upstream
// then also authorizes /metrics with a SubjectAccessReview; here any client the cluster CA vouches for may read it.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import { loadKubeconfig } from '../client/kubeconfig.ts';

export const controllerManagerSecurePort = 10257;
export const schedulerSecurePort = 10259;

export interface ComponentServerOptions {
  /** The component, for the serving certificate's name and for logs. */
  name: string;
  /** TCP port; 0 picks a free one (callers treat a --secure-port of 0 as "disabled" and do not start at all). */
  port: number;
  bindAddress?: string;
  /** PEM of the CA whose client certificates may read /metrics. */
  clientCA: string | Buffer;
  registry: Registry;
  /** Named checks behind /healthz, /livez and /readyz (besides ping); a failing one makes them 500. */
  checks?: Record<string, () => boolean>;
}

export interface ComponentServer {
  port: number;
  /** The CA that signed the serving certificate, for clients that want to verify it. */
  servingCA: string;
  close(): Promise<void>;
}

const unauthorized = JSON.stringify({
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401,
});

/** Upstream healthz output: "ok", or with ?verbose one [+]/[-] line per check; 500 when any check fails. */
function health(res: ServerResponse, url: URL, path: string, checks: Record<string, () => boolean>): void {
  const results = Object.entries({ ping: () => true, ...checks }).map(([name, check]) => {
    let ok = false;
    try {
      ok = check();
    } catch {
      ok = false;
    }
    return { name, ok };
  });
  const healthy = results.every((r) => r.ok);
  const verbose = url.searchParams.has('verbose') || !healthy;
  const lines = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`));
  const body = verbose ? `${lines.join('\n')}\n${path.slice(1)} check ${healthy ? 'passed' : 'failed'}\n` : 'ok';
  res.writeHead(healthy ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

async function serve(o: ComponentServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://component');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (url.pathname === '/healthz' || url.pathname === '/livez' || url.pathname === '/readyz') {
    health(res, url, url.pathname, o.checks ?? {});
    return;
  }
  if (!(req.socket as TLSSocket).authorized) {
    res.writeHead(401, { 'content-type': 'application/json' }).end(unauthorized);
    return;
  }
  if (url.pathname !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    return;
  }
  const text = await o.registry.metrics();
  res.writeHead(200, { 'content-type': o.registry.contentType }).end(text);
}

export async function startComponentServer(o: ComponentServerOptions): Promise<ComponentServer> {
  // loaded here, not with the module: the X.509 library costs each hosted thread ~190 ms of CPU and ~6 MiB of heap,
  // which a component serving no secure port (--secure-port 0) need not pay
  const { createCA, signLeaf } = await import('../pki/certs.ts');
  const ca = await createCA(`${o.name}-ca@${Math.floor(Date.now() / 1000)}`);
  const serving = await signLeaf(ca, {
    commonName: `localhost@${Math.floor(Date.now() / 1000)}`, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server',
  });
  const server: Server = createServer(
    // requestCert without rejectUnauthorized: health stays open to anyone, /metrics checks `authorized` itself
    { key: serving.keyPem, cert: serving.certPem, ca: o.clientCA, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      serve(o, req, res).catch((e: unknown) => {
        console.error(`${o.name}: secure endpoint failed to answer:`, e);
        res.destroy();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: o.port, host: o.bindAddress ?? '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    servingCA: ca.certPem,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** A --secure-port value: a port number, 0 meaning "serve nothing" (as upstream). */
export function parseSecurePort(value: string | undefined, fallback: number, flag = 'secure-port'): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new Error(`--${flag}: want a port number (0 disables), got "${value}"`);
  return n;
}

/**
 * The endpoint of a component configured from its kubeconfig, whose cluster CA is the client CA; undefined when
 * the port is 0 (disabled).
 */
export async function startComponentEndpoint(
  o: Omit<ComponentServerOptions, 'clientCA'> & { kubeconfig: string | undefined },
): Promise<ComponentServer | undefined> {
  if (o.port === 0) return undefined;
  const clientCA = loadKubeconfig(o.kubeconfig).ca;
  if (!clientCA) throw new Error(`${o.name}: the kubeconfig names no cluster CA to authenticate /metrics clients by`);
  return startComponentServer({ ...o, clientCA });
}
