// kube-apiserver: HTTPS, authenticate -> authorize -> route -> (discovery | openapi | resource handler).
// Non-resource endpoints (/version, /healthz, /livez, /readyz, /metrics, /openapi) sit beside the API tree.
// Shutdown stops accepting, ends watches cleanly, lets in-flight requests finish, then closes the store.
import { createServer, type Server } from 'node:https';
import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../api/errors.ts';
import { resources } from '../../api/resources.ts';
import type { Store } from '../../store/interface.ts';
import type { KeyAndCert } from '../../pki/certs.ts';
import { allowAuthenticated, RequestAuthenticator, TokenFile, type Authorizer, type UserInfo } from './authn.ts';
import { aggregatedDiscoveryVersion, Discovery } from './discovery.ts';
import { sendError, sendJSON, sendText } from './http.ts';
import { registry as metricsRegistry, requestDuration, requestTotal, storageObjects } from './metrics.ts';
import { parseRequestInfo, type RequestInfo } from './request-info.ts';
import { ResourceHandler } from './resource-handler.ts';
import type { GenericStore } from './registry/generic-store.ts';
import { ResourceStores } from './registry/stores.ts';
import { Health } from './health.ts';
import { serveOpenApi } from './openapi-routes.ts';
import { OpenApi } from '../../api/openapi/index.ts';
import { loadSchemas } from '../../api/openapi/load.ts';
import { UnknownFieldDetector } from './field-validation.ts';
import { version } from '../../version.ts';

export interface ApiServerOptions {
  store: Store;
  ca: KeyAndCert;
  serving: KeyAndCert;
  tokens?: TokenFile;
  bindAddress?: string;
  /** 0 picks a free port (tests). */
  port: number;
  authorizer?: Authorizer;
  serviceCidr?: string;
  nodePortRange?: { min: number; max: number };
}

const publicPaths = new Set(['/version', '/healthz', '/livez', '/readyz']);

export class ApiServer {
  private server?: Server;
  private readonly stores: ResourceStores;
  private readonly health: Health;
  private readonly discovery = new Discovery(resources);
  private readonly handler: ResourceHandler;
  private readonly shutdown = new AbortController();
  private readonly authn: RequestAuthenticator;
  private readonly authz: Authorizer;
  private openapi?: OpenApi;
  private fields?: UnknownFieldDetector;
  private inFlight = 0;
  private ready = false;

  constructor(private readonly opts: ApiServerOptions) {
    // Every open watch listens for shutdown on this one signal; thousands of watches are normal.
    setMaxListeners(0, this.shutdown.signal);
    this.health = new Health({ store: opts.store, shuttingDown: () => !this.ready });
    this.stores = new ResourceStores(opts.store, { serviceCidr: opts.serviceCidr, nodePortRange: opts.nodePortRange });
    this.handler = new ResourceHandler({
      storeFor: (group, ver, resource) => this.stores.storeFor(group, ver, resource),
      shutdown: this.shutdown.signal,
      unknownFields: (kindKey, obj) => this.fields?.unknownFields(kindKey, obj) ?? [],
      pruneUnknown: (kindKey, obj) => this.fields?.prune(kindKey, obj) ?? [],
    });
    this.authn = new RequestAuthenticator(opts.tokens ?? new TokenFile(''));
    this.authz = opts.authorizer ?? allowAuthenticated;
  }

  storeFor(group: string, ver: string, resource: string): GenericStore | undefined {
    return this.stores.storeFor(group, ver, resource);
  }

  async start(): Promise<number> {
    const schemas = await loadSchemas(resources);
    this.openapi = new OpenApi(resources, schemas);
    this.fields = new UnknownFieldDetector(schemas);
    const server = createServer({
      key: this.opts.serving.keyPem,
      cert: this.opts.serving.certPem,
      ca: this.opts.ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
      // Watches are long-lived: no socket timeout; keep-alive as Go clients expect.
      requestTimeout: 0,
      keepAliveTimeout: 65_000,
    }, (req, res) => void this.serve(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A deep accept queue: clients open connections in bursts (informers starting, controllers scaling up).
      server.listen({ port: this.opts.port, host: this.opts.bindAddress ?? '127.0.0.1', backlog: 4096 }, () => resolve());
    });
    this.ready = true;
    return (server.address() as AddressInfo).port;
  }

  /** Graceful stop: no new requests, watches end, in-flight requests finish, then the store closes. */
  async stop(): Promise<void> {
    this.ready = false;
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      this.shutdown.abort();
      server.closeIdleConnections();
      const deadline = Date.now() + 10_000;
      while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      server.closeAllConnections();
      await closed;
    }
    await this.opts.store.close();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'https://localhost');
    let info: RequestInfo | undefined;
    let code = 200;
    try {
      info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      const user = this.authn.authenticate(req);
      if (!user && !(info.kind === 'nonresource' && publicPaths.has(url.pathname))) {
        throw ApiError.of(401, 'Unauthorized', 'Unauthorized');
      }
      if (user) this.authorize(user, info, url.pathname);
      await this.route(req, res, info, url);
      code = res.statusCode;
    } catch (e) {
      code = sendError(res, e);
    } finally {
      this.inFlight--;
      this.record(req, info, code, started, url.searchParams);
    }
  }

  private authorize(user: UserInfo, info: RequestInfo, path: string): void {
    const attrs = info.kind === 'resource'
      ? { verb: info.verb, resource: info.resource, namespace: info.namespace, path }
      : { verb: 'get', path };
    if (!this.authz.authorize(user, attrs)) {
      throw ApiError.of(403, 'Forbidden', `User "${user.name}" cannot ${attrs.verb} path "${path}"`);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, info: RequestInfo, url: URL): Promise<void> {
    if (info.kind === 'resource') return this.handler.serve(req, res, info, url.searchParams);
    if (info.kind === 'discovery') return this.serveDiscovery(req, res, info);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/version') return sendJSON(res, 200, version());
    if (path === '/healthz' || path === '/livez' || path === '/readyz' || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) {
      if (await this.health.serve(res, path, url.searchParams)) return;
    }
    if (path === '/metrics') {
      await this.refreshStorageMetrics();
      return sendText(res, 200, await metricsRegistry.metrics(), metricsRegistry.contentType);
    }
    if (path === '/openapi/v2' || path.startsWith('/openapi/v3')) return serveOpenApi(this.openapi!, req, res);
    if (path === '/') {
      return sendJSON(res, 200, { paths: ['/api', '/api/v1', '/apis', ...this.discoveryPaths(), '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] });
    }
    throw ApiError.of(404, 'NotFound', 'the server could not find the requested resource');
  }

  private discoveryPaths(): string[] {
    const out = new Set<string>();
    for (const r of resources) if (r.group) {
      out.add(`/apis/${r.group}`);
      out.add(`/apis/${r.group}/${r.version}`);
    }
    return [...out];
  }

  private serveDiscovery(req: IncomingMessage, res: ServerResponse, info: Extract<RequestInfo, { kind: 'discovery' }>): void {
    const host = req.headers.host ?? `127.0.0.1:${this.opts.port}`;
    if (info.version === undefined && info.group === undefined) {
      const aggregated = aggregatedDiscoveryVersion(req.headers.accept);
      if (aggregated) {
        const body = JSON.stringify(this.discovery.aggregated(info.legacy, aggregated));
        res.writeHead(200, {
          'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
          'Cache-Control': 'no-cache, private',
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      return sendJSON(res, 200, info.legacy ? this.discovery.apiVersions(host) : this.discovery.apiGroupList());
    }
    if (info.version === undefined) {
      const doc = this.discovery.apiGroup(info.group!);
      if (!doc) throw ApiError.of(404, 'NotFound', 'the server could not find the requested resource');
      return sendJSON(res, 200, doc);
    }
    const doc = this.discovery.apiResourceList(info.group ?? '', info.version);
    if (!doc) throw ApiError.of(404, 'NotFound', 'the server could not find the requested resource');
    sendJSON(res, 200, doc);
  }

  private async refreshStorageMetrics(): Promise<void> {
    for (const s of this.stores.all()) {
      storageObjects.set({ resource: s.info.group ? `${s.info.resource}.${s.info.group}` : s.info.resource }, await s.count());
    }
  }

  private record(req: IncomingMessage, info: RequestInfo | undefined, code: number, started: bigint, query: URLSearchParams): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const dryRun = query.getAll('dryRun').join(',');
    let labels: Record<string, string>;
    if (info?.kind === 'resource') {
      const verb = info.verb === 'watch' ? 'WATCH' : info.verb === 'list' ? 'LIST' : info.verb === 'deletecollection' ? 'DELETE' : (req.method ?? 'GET');
      const scope = info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster';
      labels = { verb, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, scope, component: 'apiserver' };
    } else {
      labels = { verb: req.method ?? 'GET', group: '', version: '', resource: '', subresource: '', scope: '', component: 'apiserver' };
    }
    requestTotal.inc({ ...labels, code: String(code), dry_run: dryRun });
    if (labels.verb !== 'WATCH') requestDuration.observe({ ...labels, dry_run: dryRun }, seconds);
  }
}
