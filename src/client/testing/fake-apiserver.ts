// TEST ONLY: a small loopback HTTP(S) server speaking enough of the Kubernetes REST wire format to exercise the
// client: list with resourceVersion and limit/continue, chunked newline-delimited watch from a revision (with
// bookmarks, 410 Expired for compacted revisions), create/update (409 on stale resourceVersion)/patch/delete, the
// status subresource. Hooks let a test drop watch streams, compact history and inject failures.
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Status } from 'kubernetes-types/meta/v1.js';
import fjp from 'fast-json-patch';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { parseLabelSelector } from '../selector.ts';

interface Target {
  /** "group/resource", the collection an object lives in. */
  coll: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

interface LogEntry {
  rv: number;
  coll: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

interface Watcher {
  coll: string;
  namespace?: string;
  match: (o: KubeObject) => boolean;
  bookmarks: boolean;
  res: http.ServerResponse;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** CN of the client certificate, when the server runs TLS and one was presented. */
  clientCN?: string;
}

interface Injection {
  method: string;
  pathPrefix: string;
  status: Status & { code: number };
  times: number;
}

const clone = <T>(v: T): T => structuredClone(v);

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function fieldValue(o: KubeObject, path: string): string {
  let cur: unknown = o;
  for (const seg of path.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[seg] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  /** When true, a watch from a compacted revision gets HTTP 410 instead of a 200 stream with an ERROR event. */
  goneAsHttpStatus = false;
  private server: http.Server;
  private rv = 100;
  private compactedRv = 0;
  private objects = new Map<string, KubeObject>();
  private log: LogEntry[] = [];
  private watchers = new Set<Watcher>();
  private injections: Injection[] = [];
  url = '';

  constructor(tls?: { key: string; cert: string; ca: string; requestCert?: boolean }) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      void this.handle(req, res);
    };
    this.server = tls
      ? https.createServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: tls.requestCert ?? false, rejectUnauthorized: false }, handler)
      : http.createServer(handler);
  }

  /** The underlying server, for the in-process transport (which needs no listening port). */
  get nodeServer(): http.Server {
    return this.server;
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `${this.server instanceof https.Server ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // ---- test hooks ----

  /** Ends every open watch stream cleanly, as a server-side timeout would. */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Cuts every open watch connection mid-stream, as a crashed server or broken network would. */
  breakWatches(): void {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
  }

  watchCount(): number {
    return this.watchers.size;
  }

  /** Forgets history: watches from any revision before now get 410 Expired. */
  compact(): void {
    this.compactedRv = this.rv;
    this.log = [];
  }

  currentRv(): string {
    return String(this.rv);
  }

  /** Sends a BOOKMARK at the current revision to watchers that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) this.send(w, { type: 'BOOKMARK', object: { kind: 'Bookmark', metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** The next `times` requests with this method whose path starts with pathPrefix fail with this Status. */
  inject(method: string, pathPrefix: string, status: Status & { code: number }, times = 1): void {
    this.injections.push({ method, pathPrefix, status, times });
  }

  /** Writes an object directly (as another client would), emitting the watch event. */
  put(coll: string, obj: KubeObject): KubeObject {
    const key = this.key(coll, obj.metadata?.namespace, obj.metadata?.name ?? '');
    const existed = this.objects.has(key);
    const stored = this.stamp(clone(obj), !existed);
    this.objects.set(key, stored);
    this.emit(coll, existed ? 'MODIFIED' : 'ADDED', stored);
    return clone(stored);
  }

  remove(coll: string, namespace: string | undefined, name: string): void {
    const key = this.key(coll, namespace, name);
    const obj = this.objects.get(key);
    if (!obj) return;
    this.objects.delete(key);
    this.emit(coll, 'DELETED', this.stamp(obj, false));
  }

  getObject<T = KubeObject>(coll: string, namespace: string | undefined, name: string): T | undefined {
    const o = this.objects.get(this.key(coll, namespace, name));
    return o && (clone(o) as unknown as T);
  }

  listObjects<T = KubeObject>(coll: string): T[] {
    return [...this.objects.entries()].filter(([k]) => k.startsWith(`${coll}|`)).map(([, o]) => clone(o) as unknown as T);
  }

  // ---- internals ----

  private key(coll: string, ns: string | undefined, name: string): string {
    return `${coll}|${ns ?? ''}|${name}`;
  }

  private stamp(obj: KubeObject, created: boolean): KubeObject {
    this.rv++;
    const m = obj.metadata ?? {};
    obj.metadata = created
      ? { ...m, resourceVersion: String(this.rv), uid: m.uid ?? randomUUID(), creationTimestamp: m.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z') }
      : { ...m, resourceVersion: String(this.rv) };
    return obj;
  }

  private emit(coll: string, type: LogEntry['type'], object: KubeObject): void {
    this.log.push({ rv: this.rv, coll, type, object: clone(object) });
    for (const w of this.watchers) {
      if (w.coll === coll && (!w.namespace || w.namespace === object.metadata?.namespace) && w.match(object)) this.send(w, { type, object });
    }
  }

  private send(w: Watcher, ev: unknown): void {
    w.res.write(JSON.stringify(ev) + '\n');
  }

  private parse(pathname: string): Target | undefined {
    const segs: string[] = pathname.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
    let group: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 3) {
      group = '';
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 4) {
      group = segs[1];
      rest = segs.slice(3);
    } else {
      return undefined;
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    return { coll: `${group}/${rest[0]}`, namespace, name: rest[1], subresource: rest[2] };
  }

  private fail(res: http.ServerResponse, err: ApiError): void {
    res.writeHead(err.code, { 'content-type': 'application/json', ...(err.code === 429 ? { 'retry-after': '0' } : {}) });
    res.end(JSON.stringify(err.status));
  }

  private reply(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const peer = req.socket instanceof TLSSocket ? req.socket.getPeerCertificate() : undefined;
    const clientCN = peer?.subject ? String(peer.subject.CN) : undefined;
    this.requests.push({ method, url: req.url ?? '', headers: req.headers, body, clientCN });
    const url = new URL(req.url ?? '/', 'http://x');
    const inj = this.injections.find((i) => i.method === method && url.pathname.startsWith(i.pathPrefix) && i.times > 0);
    if (inj) {
      inj.times--;
      return this.fail(res, new ApiError(inj.status));
    }
    const t = this.parse(url.pathname);
    if (!t) return this.fail(res, ApiError.of(404, 'NotFound', 'the server could not find the requested resource'));
    const gr = { group: t.coll.split('/')[0], resource: t.coll.split('/')[1] };
    try {
      if (method === 'GET' && !t.name) {
        return url.searchParams.get('watch') === 'true' ? this.watch(t, url.searchParams, res) : this.list(t, url.searchParams, res);
      }
      const key = this.key(t.coll, t.namespace, t.name ?? '');
      const current = this.objects.get(key);
      if (method === 'POST' && !t.name) {
        const obj = JSON.parse(body) as KubeObject;
        const { resourceVersion: _ignored, ...meta } = obj.metadata ?? {};
        const name = meta.name || (meta.generateName ? meta.generateName + randomUUID().slice(0, 5) : '');
        obj.metadata = { ...meta, name, ...(t.namespace ? { namespace: t.namespace } : {}) };
        const k = this.key(t.coll, t.namespace, name);
        if (this.objects.has(k)) throw ApiError.alreadyExists(gr, name);
        const stored = this.stamp(obj, true);
        this.objects.set(k, stored);
        this.emit(t.coll, 'ADDED', stored);
        return this.reply(res, 201, stored);
      }
      if (!current) throw ApiError.notFound(gr, t.name ?? '');
      if (method === 'GET') return this.reply(res, 200, current);
      let next: KubeObject;
      if (method === 'PUT') {
        const obj = JSON.parse(body) as KubeObject;
        const want = obj.metadata?.resourceVersion;
        if (want && want !== current.metadata?.resourceVersion) {
          throw ApiError.conflict(gr, t.name ?? '', 'the object has been modified; please apply your changes to the latest version and try again');
        }
        next = t.subresource === 'status' ? { ...clone(current), status: obj.status } : { ...obj, metadata: { ...obj.metadata, uid: current.metadata?.uid, creationTimestamp: current.metadata?.creationTimestamp } };
      } else if (method === 'PATCH') {
        const patch: unknown = JSON.parse(body);
        const ct = req.headers['content-type'] ?? '';
        next = ct.startsWith('application/json-patch+json')
          ? fjp.applyPatch(clone(current), patch as fjp.Operation[], false, false).newDocument
          : (mergePatch(clone(current), patch) as KubeObject);
      } else if (method === 'DELETE') {
        this.objects.delete(key);
        const gone = this.stamp(clone(current), false);
        this.emit(t.coll, 'DELETED', gone);
        return this.reply(res, 200, gone);
      } else {
        throw ApiError.methodNotAllowed();
      }
      const stored = this.stamp(next, false);
      this.objects.set(key, stored);
      this.emit(t.coll, 'MODIFIED', stored);
      return this.reply(res, 200, stored);
    } catch (err) {
      if (err instanceof ApiError) return this.fail(res, err);
      return this.fail(res, ApiError.internal(String(err)));
    }
  }

  private matcher(q: URLSearchParams): (o: KubeObject) => boolean {
    const labels = parseLabelSelector(q.get('labelSelector') ?? '');
    const fields = (q.get('fieldSelector') ?? '').split(',').filter((s) => s.length > 0).map((s) => {
      const [path, value] = s.split('=');
      return (o: KubeObject) => fieldValue(o, path) === value;
    });
    return (o) => labels(o.metadata?.labels) && fields.every((f) => f(o));
  }

  private selected(t: Target, q: URLSearchParams): KubeObject[] {
    const match = this.matcher(q);
    return [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(`${t.coll}|`) && (!t.namespace || o.metadata?.namespace === t.namespace) && match(o))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, o]) => o);
  }

  private list(t: Target, q: URLSearchParams, res: http.ServerResponse): void {
    const all = this.selected(t, q);
    const limit = Number(q.get('limit') ?? 0);
    const cont = q.get('continue');
    let start = 0;
    let rv = String(this.rv);
    if (cont) ({ start, rv } = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')) as { start: number; rv: string });
    const items = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
    const more = limit > 0 && start + limit < all.length;
    const metadata: { resourceVersion: string; continue?: string } = { resourceVersion: rv };
    if (more) metadata.continue = Buffer.from(JSON.stringify({ start: start + limit, rv })).toString('base64');
    this.reply(res, 200, { kind: 'List', apiVersion: 'v1', metadata, items });
  }

  private watch(t: Target, q: URLSearchParams, res: http.ServerResponse): void {
    const from = q.get('resourceVersion');
    const match = this.matcher(q);
    const expired = from && from !== '0' && Number(from) < this.compactedRv;
    if (expired && this.goneAsHttpStatus) return this.fail(res, ApiError.gone(`too old resource version: ${from} (${this.compactedRv})`));
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const w: Watcher = { coll: t.coll, namespace: t.namespace, match, bookmarks: q.get('allowWatchBookmarks') === 'true', res };
    if (expired) {
      this.send(w, { type: 'ERROR', object: ApiError.gone(`too old resource version: ${from} (${this.compactedRv})`).status });
      res.end();
      return;
    }
    if (!from || from === '0') {
      for (const o of this.selected(t, q)) this.send(w, { type: 'ADDED', object: o });
    } else {
      for (const e of this.log) {
        if (e.rv > Number(from) && e.coll === t.coll && (!t.namespace || t.namespace === e.object.metadata?.namespace) && match(e.object)) {
          this.send(w, { type: e.type, object: e.object });
        }
      }
    }
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }
}
