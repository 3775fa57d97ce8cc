// kube-apiserver: HTTPS, authenticate -> in-flight limits -> authorize -> route -> (discovery | openapi |
// resource handler). Non-resource endpoints (/version, /healthz, /livez, /readyz, /metrics, /openapi) sit beside
// the API tree.
// A request can only fail itself: whatever throws while serving it (handlers, metrics recorded as its head goes
// out, watch encoding) becomes its error Status, with the stack logged; serve() itself never rejects.
// Connections are bounded like upstream's server (ReadHeaderTimeout 32 s, also bounding the TLS handshake;
// a request must arrive in full within 60 s, which never cuts a watch: its request is complete at once).
// Shutdown stops accepting, ends watches at once, answers anything still arriving with `Connection: close`, lets
// in-flight requests finish (bounded by shutdownGraceMs), then closes the store.
import { createServer, type Server } from 'node:https';
import { setMaxListeners } from 'node:events';
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ApiError } from '../../api/errors.ts';
import { resources } from '../../api/resources.ts';
import type { Store } from '../../store/interface.ts';
import type { KeyAndCert } from '../../pki/certs.ts';
import { allowAuthenticated, RequestAuthenticator, TokenFile, type Authorizer, type UserInfo } from './authn.ts';
import { attributesOf, forbidden, ScopedAuthorizer } from './authz/index.ts';
import { aggregatedDiscoveryVersion, Discovery } from './discovery.ts';
import { HookedResponse, parseUrl, sendError, sendJSON, sendRawJSON, sendText } from './http.ts';
import { droppedRequests, labelSet, recordRequest, registry as metricsRegistry, storageObjects } from './metrics.ts';
import { connectionOptions, defaultRequestLimits, defaultTimeouts, InFlightLimiter, isMutating, RequestTracker, sendTooManyRequests, WatchQuota, type ConnectionTimeouts } from './limits.ts';
import { parseRequestInfo, type RequestInfo } from './request-info.ts';
import { ResourceHandler } from './resource-handler.ts';
import { markUpgrade, NodeConnector } from './connect.ts';
import type { GenericStore } from './registry/generic-store.ts';
import { ResourceStores } from './registry/stores.ts';
import { Health } from './health.ts';
import { ServiceAccountTokens } from './serviceaccount-token.ts';
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
  /** --max-requests-inflight (400; 0 = no limit). */
  maxRequestsInflight?: number;
  /** --max-mutating-requests-inflight (200; 0 = no limit). */
  maxMutatingRequestsInflight?: number;
  /** Open watches per user (1000; 0 = no limit). */
  maxWatchesPerUser?: number;
  /** Connection timeouts in ms (tests shorten them). */
  timeouts?: Partial<ConnectionTimeouts>;
  /** Paths served before authentication, by exact path (the node join endpoints of skiff server: they check
   *  their own credential, the join token). A thrown ApiError answers as a Status. */
  publicHandlers?: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>;
  /** The client certificate for kubelets (pods/log, exec, attach, portforward); without it those are 404. */
  kubeletClient?: KeyAndCert;
  /** Signs and checks service account tokens (serviceaccounts/token, in-cluster clients); without it both are off. */
  serviceAccountKey?: KeyObject;
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
  /** Nodes and kube-proxy get upstream's limits (Node authorizer, NodeRestriction, system:node-proxier). */
  private readonly scoped: ScopedAuthorizer;
  private openapi?: OpenApi;
  private fields?: UnknownFieldDetector;
  private readonly inFlightLimits: InFlightLimiter;
  private readonly watchQuota: WatchQuota;
  private readonly timeouts: ConnectionTimeouts;
  private readonly requests = new RequestTracker();
  private stopping = false;
  /** Every accepted socket, TLS handshake or not: stop() must not wait out a client stalling its handshake. */
  private readonly sockets = new Set<Socket>();
  private ready = false;

  constructor(private readonly opts: ApiServerOptions) {
    // Every open watch listens for shutdown on this one signal; thousands of watches are normal.
    setMaxListeners(0, this.shutdown.signal);
    this.health = new Health({ store: opts.store, shuttingDown: () => !this.ready });
    this.stores = new ResourceStores(opts.store, { serviceCidr: opts.serviceCidr, nodePortRange: opts.nodePortRange });
    const connector = opts.kubeletClient && new NodeConnector({
      nodes: () => this.stores.storeFor('', 'v1', 'nodes'), kubeletClient: opts.kubeletClient, shutdown: this.shutdown.signal,
    });
    const saTokens = opts.serviceAccountKey && new ServiceAccountTokens({
      privateKey: opts.serviceAccountKey,
      lookup: (resource, ns, name) => this.stores.storeFor('', 'v1', resource)!.get(ns, name).catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }),
    });
    this.handler = new ResourceHandler({
      storeFor: (group, ver, resource) => this.stores.storeFor(group, ver, resource),
      issueToken: saTokens ? (sa, request, dryRun) => saTokens.issue(sa, request, dryRun) : undefined,
      shutdown: this.shutdown.signal,
      unknownFields: (kindKey, obj) => this.fields?.unknownFields(kindKey, obj) ?? [],
      pruneUnknown: (kindKey, obj) => this.fields?.prune(kindKey, obj) ?? [],
      connect: connector ? (...args) => connector.connect(...args) : undefined,
    });
    this.authn = new RequestAuthenticator(opts.tokens ?? new TokenFile(''), saTokens || undefined);
    this.authz = opts.authorizer ?? allowAuthenticated;
    this.scoped = new ScopedAuthorizer(opts.store);
    this.inFlightLimits = new InFlightLimiter({
      maxRequestsInflight: opts.maxRequestsInflight ?? defaultRequestLimits.maxRequestsInflight,
      maxMutatingRequestsInflight: opts.maxMutatingRequestsInflight ?? defaultRequestLimits.maxMutatingRequestsInflight,
    });
    this.watchQuota = new WatchQuota(opts.maxWatchesPerUser ?? defaultRequestLimits.maxWatchesPerUser);
    this.timeouts = { ...defaultTimeouts, ...opts.timeouts };
  }

  /** The HTTPS server once start() has run; an in-process transport hands it connections without a socket. */
  get httpsServer(): Server | undefined {
    return this.server;
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
      ServerResponse: HookedResponse,
      ...connectionOptions(this.timeouts),
    }, (req, res) => {
      this.serve(req, res as HookedResponse).catch((e: unknown) => {
        console.error('apiserver: failed to answer a request:', e);
        res.destroy();
      });
    });
    this.server = server;
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.serveUpgrade(req, socket, head));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A deep accept queue: clients open connections in bursts (informers starting, controllers scaling up).
      server.listen({ port: this.opts.port, host: this.opts.bindAddress ?? '127.0.0.1', backlog: 4096 }, () => {
        server.off('error', reject);
        // Later errors (accept failing with EMFILE under a flood of connections) must not kill the process.
        server.on('error', (e) => console.error('apiserver: listener error:', e));
        resolve();
      });
    });
    this.ready = true;
    return (server.address() as AddressInfo).port;
  }

  /** An HTTP Upgrade (exec, attach, portforward): served like any request, on a response bound to its socket, which
   *  the connect handler takes over; any other answer (an error Status) closes the connection. */
  private serveUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const res = new HookedResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', () => socket.end());
    markUpgrade(req, socket, head);
    this.serve(req, res).catch((e: unknown) => {
      console.error('apiserver: failed to answer an upgrade request:', e);
      socket.destroy();
    });
  }

  /** Graceful stop: no new requests, watches end, in-flight requests finish, then the store closes. */
  async stop(): Promise<void> {
    this.ready = false;
    this.stopping = true;
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      this.shutdown.abort();
      server.closeIdleConnections();
      await this.requests.idle(this.timeouts.shutdownGraceMs);
      server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
      await closed;
    }
    await this.opts.store.close();
  }

  private async serve(req: IncomingMessage, res: HookedResponse): Promise<void> {
    this.requests.begin();
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    let url: URL | undefined;
    let info: RequestInfo | undefined;
    let release: (() => void) | undefined;
    // Recorded as the head goes out, inside the request: if recording throws, this request answers 500.
    res.beforeHead = (code) => recordRequest({
      method, info, code, seconds: Number(process.hrtime.bigint() - started) / 1e9, dryRun: url?.searchParams.getAll('dryRun').join(',') ?? '',
    });
    try {
      // Once shutting down, no connection is kept for a next request (Go's server does the same).
      if (this.stopping) res.setHeader('Connection', 'close');
      url = parseUrl(req.url);
      const own = this.opts.publicHandlers?.[url.pathname];
      if (own) return await own(req, res);
      info = parseRequestInfo(method, url.pathname, url.searchParams);
      // only a service account token waits on the store; a certificate's user is known at once
      const found = this.authn.authenticate(req);
      const user = found instanceof Promise ? await found : found;
      if (!user && !(info.kind === 'nonresource' && publicPaths.has(url.pathname))) {
        throw ApiError.of(401, 'Unauthorized', 'Unauthorized');
      }
      release = this.admit(info, method, user);
      if (!release) {
        droppedRequests.inc(labelSet({ request_kind: isMutating(info, method) ? 'mutating' : 'readOnly' }));
        return sendTooManyRequests(res);
      }
      if (user) await this.authorize(user, info, url, method);
      await this.route(req, res, info, url);
    } catch (e) {
      try {
        sendError(res, e);
      } catch (recording) {
        // The head's metrics hook failed while answering the error: it has run (once) now, so answer again.
        console.error('apiserver: recording a failed request failed too:', recording);
        sendError(res, e);
      }
    } finally {
      release?.();
      this.requests.end();
    }
  }

  /** In-flight limits and the watch quota: a release function, undefined for a 429, or a thrown Status. */
  private admit(info: RequestInfo, method: string, user: UserInfo | undefined): (() => void) | undefined {
    const slot = this.inFlightLimits.admit(info, method, user);
    if (!slot || info.kind !== 'resource' || info.verb !== 'watch' || !user) return slot;
    const watch = this.watchQuota.acquire(user.name);
    if (!watch) {
      slot();
      throw this.watchQuota.error();
    }
    return () => {
      watch();
      slot();
    };
  }

  /** Throws upstream's 403 for a request the authorizers do not allow; hands a node's writes their admission step. */
  private async authorize(user: UserInfo, info: RequestInfo, url: URL, method: string): Promise<void> {
    const attrs = attributesOf(user, info, url.pathname, method, url.searchParams);
    const decision = await this.scoped.authorize(attrs);
    if (!decision.allowed) throw forbidden(attrs, decision.reason);
    const legacy = info.kind === 'resource'
      ? { verb: info.verb, resource: info.resource, namespace: info.namespace, path: url.pathname }
      : { verb: 'get', path: url.pathname };
    if (!this.authz.authorize(user, legacy)) throw forbidden(attrs, '');
    if (info.kind === 'resource') info.admit = this.scoped.admission(user, info);
  }

  private async route(req: IncomingMessage, res: ServerResponse, info: RequestInfo, url: URL): Promise<void> {
    if (info.kind === 'resource') return this.handler.serve(req, res, info, url.searchParams);
    if (info.kind === 'discovery') return this.serveDiscovery(req, res, info);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/version') return sendRawJSON(res, 200, version());
    if (path === '/healthz' || path === '/livez' || path === '/readyz' || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) {
      if (await this.health.serve(res, path, url.searchParams)) return;
    }
    if (path === '/metrics') {
      await this.refreshStorageMetrics();
      return sendText(res, 200, await metricsRegistry.metrics(), metricsRegistry.contentType);
    }
    if (path === '/openapi/v2' || path.startsWith('/openapi/v3')) return serveOpenApi(this.openapi!, req, res);
    if (path === '/') {
      return sendRawJSON(res, 200, { paths: ['/api', '/api/v1', '/apis', ...this.discoveryPaths(), '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] });
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
        const body = JSON.stringify(this.discovery.aggregated(info.legacy, aggregated)) + '\n';
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
      storageObjects.set(labelSet({ resource: s.info.group ? `${s.info.resource}.${s.info.group}` : s.info.resource }), await s.count());
    }
  }
}
