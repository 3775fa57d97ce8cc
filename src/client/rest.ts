// RestClient: typed CRUD, subresource and watch calls against the Kubernetes REST API. JSON in and out, a QPS/burst
// token bucket before every request, an AbortSignal on every call, and non-2xx answers thrown as StatusError.
import type { ApiObject } from './types.ts';
import type { DeleteOptions as KubeDeleteOptions, ListMeta, Status } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../api/object.ts';
import { type Clock, realClock, sleep } from './clock.ts';
import { type ClientConfig, loadKubeconfig } from './kubeconfig.ts';
import { StatusError, statusErrorFrom } from './errors.ts';
import { type ResourceRef, resourcePath, queryString } from './resource-ref.ts';
import { TokenBucket } from './token-bucket.ts';
import { HttpTransport, readAll, type Transport, type TransportResponse } from './transport.ts';
import { watch, type WatchEvent, type WatchOptions } from './watch.ts';

export interface KubeList<T extends ApiObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export interface RestClientOptions extends Partial<Omit<ClientConfig, 'server'>> {
  server: string;
  /** Sustained requests per second (default 100) and burst (default 200); qps 0 disables limiting. */
  qps?: number;
  burst?: number;
  userAgent?: string;
  clock?: Clock;
  /** Replaces the HTTP(S) transport (e.g. an in-process one). */
  transport?: Transport;
  /** How many times a 429 (or a 5xx with Retry-After) is retried (default 3). */
  maxRetries?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface GetOptions extends CallOptions {
  namespace?: string;
  resourceVersion?: string;
  /** Accept header (default application/json), e.g. for PartialObjectMetadata. */
  accept?: string;
}

export interface ListOptions extends CallOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** Accept header (default application/json); e.g. metadataListAccept for PartialObjectMetadataList. */
  accept?: string;
}

export interface WriteOptions extends CallOptions {
  namespace?: string;
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  subresource?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions extends CallOptions {
  namespace?: string;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface RawRequest extends CallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with query, e.g. from resourcePath() + queryString(). */
  path: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

const patchContentType: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

function writeQuery(o: WriteOptions): string {
  return queryString({ dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation });
}

export class RestClient {
  readonly defaultNamespace: string;
  /** The CA the server is verified with (from the kubeconfig), when there is one. */
  readonly ca: Buffer | undefined;
  private readonly transport: Transport;
  private readonly limiter: TokenBucket;
  private readonly clock: Clock;
  private readonly headers: Record<string, string>;
  private readonly maxRetries: number;

  constructor(opts: RestClientOptions) {
    this.clock = opts.clock ?? realClock;
    this.transport = opts.transport ?? new HttpTransport(opts);
    this.limiter = new TokenBucket(opts.qps ?? 100, opts.burst ?? 200, this.clock);
    this.defaultNamespace = opts.namespace ?? 'default';
    this.ca = opts.ca;
    this.maxRetries = opts.maxRetries ?? 3;
    this.headers = { 'user-agent': opts.userAgent ?? 'skiff-client' };
    if (opts.token) this.headers.authorization = `Bearer ${opts.token}`;
  }

  /** Sends one request after waiting for the rate limiter; throws StatusError for non-2xx. */
  async send(req: RawRequest): Promise<TransportResponse> {
    for (let attempt = 0; ; attempt++) {
      if (!(await this.limiter.wait(req.signal))) throw abortError(req.signal);
      const headers: Record<string, string> = { ...this.headers, accept: req.accept ?? 'application/json' };
      let body: Buffer | undefined;
      if (req.body !== undefined) {
        body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
        headers['content-type'] = req.contentType ?? 'application/json';
      }
      const res = await this.transport.send({ method: req.method, path: req.path, headers, body, signal: req.signal });
      if (res.status >= 200 && res.status < 300) return res;
      const text = (await readAll(res.body)).toString('utf8');
      const retryAfter = Number(res.headers['retry-after']);
      const retryable = res.status === 429 || (res.status >= 500 && Number.isFinite(retryAfter));
      if (retryable && attempt < this.maxRetries) {
        const waitMs = Math.min(Number.isFinite(retryAfter) ? retryAfter * 1000 : 1000, 10_000);
        if (!(await sleep(this.clock, waitMs, req.signal))) throw abortError(req.signal);
        continue;
      }
      throw statusErrorFrom(res.status, text);
    }
  }

  /** One request, whole body parsed as JSON. */
  async request<T>(req: RawRequest): Promise<T> {
    const res = await this.send(req);
    const text = (await readAll(res.body)).toString('utf8');
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** One request, whole body as text (pod logs). */
  async requestText(req: RawRequest): Promise<string> {
    const res = await this.send({ accept: '*/*', ...req });
    return (await readAll(res.body)).toString('utf8');
  }

  private ns(ref: ResourceRef, namespace: string | undefined, obj?: ApiObject): string | undefined {
    if (!ref.namespaced) return undefined;
    return namespace ?? obj?.metadata?.namespace ?? this.defaultNamespace;
  }

  get<T extends ApiObject = KubeObject>(ref: ResourceRef, name: string, o: GetOptions = {}): Promise<T> {
    const path = resourcePath(ref, { namespace: this.ns(ref, o.namespace), name }) + queryString({ resourceVersion: o.resourceVersion });
    return this.request<T>({ method: 'GET', path, signal: o.signal, accept: o.accept });
  }

  /** One page; a namespaced resource without `namespace` lists across all namespaces. */
  list<T extends ApiObject = KubeObject>(ref: ResourceRef, o: ListOptions = {}): Promise<KubeList<T>> {
    const path = resourcePath(ref, { namespace: ref.namespaced ? o.namespace : undefined }) + queryString({
      labelSelector: o.labelSelector,
      fieldSelector: o.fieldSelector,
      limit: o.limit,
      continue: o.continue,
      resourceVersion: o.resourceVersion,
      resourceVersionMatch: o.resourceVersionMatch,
    });
    return this.request<KubeList<T>>({ method: 'GET', path, signal: o.signal, accept: o.accept }).then(typeItems);
  }

  /**
   * Every page (limit per page, default 500) joined into one list. The resourceVersion is the first page's: all
   * pages of one paged list are served from that snapshot, so it is where a watch must start.
   */
  async listAll<T extends ApiObject = KubeObject>(ref: ResourceRef, o: ListOptions = {}): Promise<KubeList<T>> {
    const first = await this.list<T>(ref, { limit: 500, ...o });
    const items = [...(first.items ?? [])];
    let cont = first.metadata?.continue;
    while (cont) {
      const page = await this.list<T>(ref, { limit: 500, ...o, continue: cont, resourceVersion: undefined });
      items.push(...(page.items ?? []));
      cont = page.metadata?.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata?.resourceVersion }, items };
  }

  create<T extends ApiObject = KubeObject>(ref: ResourceRef, obj: T, o: WriteOptions = {}): Promise<T> {
    const path = resourcePath(ref, { namespace: this.ns(ref, o.namespace, obj) }) + writeQuery(o);
    return this.request<T>({ method: 'POST', path, body: obj, signal: o.signal });
  }

  /** PUT of the whole object; metadata.resourceVersion makes it conditional (409 Conflict when stale). */
  update<T extends ApiObject = KubeObject>(ref: ResourceRef, obj: T, o: WriteOptions = {}): Promise<T> {
    return this.putTo(ref, obj, undefined, o);
  }

  updateStatus<T extends ApiObject = KubeObject>(ref: ResourceRef, obj: T, o: WriteOptions = {}): Promise<T> {
    return this.putTo(ref, obj, 'status', o);
  }

  private putTo<T extends ApiObject>(ref: ResourceRef, obj: T, subresource: string | undefined, o: WriteOptions): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new Error('update needs metadata.name');
    const path = resourcePath(ref, { namespace: this.ns(ref, o.namespace, obj), name, subresource }) + writeQuery(o);
    return this.request<T>({ method: 'PUT', path, body: obj, signal: o.signal });
  }

  patch<T extends ApiObject = KubeObject>(ref: ResourceRef, name: string, patch: unknown, type: PatchType, o: PatchOptions = {}): Promise<T> {
    const path = resourcePath(ref, { namespace: this.ns(ref, o.namespace), name, subresource: o.subresource }) +
      queryString({
        dryRun: o.dryRun ? 'All' : undefined,
        fieldManager: o.fieldManager,
        fieldValidation: o.fieldValidation,
        force: o.force === undefined ? undefined : o.force,
      });
    return this.request<T>({ method: 'PATCH', path, body: patch, contentType: patchContentType[type], signal: o.signal });
  }

  /** Returns what the server answers: the object (still terminating, or as deleted) or a Success Status. */
  delete<T extends ApiObject = KubeObject>(ref: ResourceRef, name: string, o: DeleteOptions = {}): Promise<T | Status> {
    const path = resourcePath(ref, { namespace: this.ns(ref, o.namespace), name });
    const body: KubeDeleteOptions = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (o.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
    if (o.propagationPolicy) body.propagationPolicy = o.propagationPolicy;
    if (o.preconditions) body.preconditions = o.preconditions;
    if (o.dryRun) body.dryRun = ['All'];
    return this.request<T | Status>({ method: 'DELETE', path, body, signal: o.signal });
  }

  /** GET of a subresource (scale, status) as JSON. */
  getSubresource<T>(ref: ResourceRef, name: string, subresource: string, o: GetOptions = {}): Promise<T> {
    const path = resourcePath(ref, { namespace: this.ns(ref, o.namespace), name, subresource });
    return this.request<T>({ method: 'GET', path, signal: o.signal });
  }

  /** POST to a subresource: pods/binding, pods/eviction, serviceaccounts/token. */
  createSubresource<T, B = unknown>(ref: ResourceRef, name: string, subresource: string, body: B, o: WriteOptions = {}): Promise<T> {
    const path = resourcePath(ref, { namespace: this.ns(ref, o.namespace), name, subresource }) + writeQuery(o);
    return this.request<T>({ method: 'POST', path, body, signal: o.signal });
  }

  /** PUT to a subresource other than status (scale). */
  updateSubresource<T, B = unknown>(ref: ResourceRef, name: string, subresource: string, body: B, o: WriteOptions = {}): Promise<T> {
    const path = resourcePath(ref, { namespace: this.ns(ref, o.namespace), name, subresource }) + writeQuery(o);
    return this.request<T>({ method: 'PUT', path, body, signal: o.signal });
  }

  /** A watch stream; see watch.ts. The namespace is only applied when given (no default: all namespaces). */
  watch<T extends ApiObject = KubeObject>(ref: ResourceRef, o: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    return watch<T>(this, ref, o);
  }

  close(): void {
    this.transport.close();
  }

  static fromConfig(config: ClientConfig, extra: Omit<RestClientOptions, 'server'> = {}): RestClient {
    return new RestClient({ ...config, ...extra });
  }

  /** From a kubeconfig file (default: $KUBECONFIG or ~/.kube/config), as a component's --kubeconfig flag. */
  static fromKubeconfig(path?: string, extra: Omit<RestClientOptions, 'server'> & { context?: string } = {}): RestClient {
    const { context, ...rest } = extra;
    return RestClient.fromConfig(loadKubeconfig(path, { context }), rest);
  }
}

/** List items may come without apiVersion/kind (the server omits them); fill them from the list so event
 *  references and handlers see complete objects, as watch events' objects already are. */
function typeItems<T extends ApiObject>(list: KubeList<T>): KubeList<T> {
  const kind = list.kind?.endsWith('List') ? list.kind.slice(0, -4) : undefined;
  for (const item of list.items ?? []) {
    if (!item.apiVersion && list.apiVersion) item.apiVersion = list.apiVersion;
    if (!item.kind && kind) item.kind = kind;
  }
  return list;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

export { StatusError };
