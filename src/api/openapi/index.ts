// Served OpenAPI for a set of resources: /openapi/v3 (the index of group-version documents, each addressed with its
// content hash), /openapi/v3/<api|apis/group>/<version>, and /openapi/v2 as JSON or gnostic protobuf. Every
// document is built once, on first request, and kept with its ETag.
//   const api = new OpenApi(resources);   // schemas are loaded (or generated) on the first document asked for
//   api.openApiV3Discovery(); api.openApiV3GroupVersion('apps', 'v1'); api.openApiV2('protobuf');
// handleOpenApiRequest() answers the HTTP requests (hash redirects, ETag / If-None-Match, Accept negotiation).
import { createHash } from 'node:crypto';
import { resources as servedResources } from '../resources.ts';
import type { ResourceInfo } from '../resource-info.ts';
import type { SchemaSet } from './schema.ts';
import { loadSchemas } from './load.ts';
import { discoveryPath, resourcePaths } from './paths.ts';
import { v3Document } from './v3.ts';
import { v2Document } from './v2.ts';
import { encodeV2Document } from './gnostic.ts';

export interface ServedDocument {
  body: Buffer;
  /** Quoted strong ETag, as upstream sends it. */
  etag: string;
  /** Upper-case hex content hash, used in the `?hash=` of /openapi/v3 links. */
  hash: string;
}

export const v2ProtobufType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function served(body: Buffer): ServedDocument {
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, etag: `"${hash}"`, hash };
}

/** 'api/v1' for the core group, 'apis/<group>/<version>' otherwise: the key and URL tail of a v3 document. */
export function groupVersionKey(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

export class OpenApi {
  private readonly v3 = new Map<string, ServedDocument>();
  private readonly v2 = new Map<'json' | 'protobuf', ServedDocument>();
  private v2Json?: object;
  private loaded?: SchemaSet;

  constructor(private readonly resources: ResourceInfo[] = servedResources, schemas?: SchemaSet) {
    this.loaded = schemas;
  }

  /** Builds and loads the schemas now (so the first request does not pay for it). */
  static async load(resources: ResourceInfo[] = servedResources): Promise<OpenApi> {
    return new OpenApi(resources, loadSchemas(resources));
  }

  /** generated/openapi-schemas.json, or schemas generated from kubernetes-types when it is missing. */
  private get schemas(): SchemaSet {
    return (this.loaded ??= loadSchemas(this.resources));
  }

  private groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const r of this.resources) seen.set(groupVersionKey(r.group, r.version), { group: r.group, version: r.version });
    return [...seen.values()];
  }

  /** Body of GET /openapi/v3. */
  openApiV3Discovery(): object {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const { group, version } of this.groupVersions()) {
      const key = groupVersionKey(group, version);
      const doc = this.openApiV3GroupVersion(group, version) as ServedDocument;
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
    }
    return { paths };
  }

  /** Body and ETag of GET /openapi/v3/<api|apis/group>/<version>; undefined for a group version not served. */
  openApiV3GroupVersion(group: string, version: string): ServedDocument | undefined {
    const key = groupVersionKey(group, version);
    const cached = this.v3.get(key);
    if (cached) return cached;
    const rs = this.resources.filter((r) => r.group === group && r.version === version);
    if (rs.length === 0) return undefined;
    const items = [discoveryPath(group, version), ...rs.flatMap(resourcePaths)];
    const doc = served(Buffer.from(JSON.stringify(v3Document(items, this.schemas))));
    this.v3.set(key, doc);
    return doc;
  }

  /** Body and ETag of GET /openapi/v2 in the asked encoding. */
  openApiV2(format: 'json' | 'protobuf'): ServedDocument {
    const cached = this.v2.get(format);
    if (cached) return cached;
    this.v2Json ??= v2Document(this.groupVersions().flatMap(({ group, version }) => [
      discoveryPath(group, version),
      ...this.resources.filter((r) => r.group === group && r.version === version).flatMap(resourcePaths),
    ]), this.schemas);
    const body = format === 'json'
      ? Buffer.from(JSON.stringify(this.v2Json))
      : encodeV2Document(this.v2Json as Record<string, unknown>);
    const doc = served(body);
    this.v2.set(format, doc);
    return doc;
  }
}

export interface OpenApiResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function answer(doc: ServedDocument, contentType: string, ifNoneMatch: string | undefined, cache: string): OpenApiResponse {
  const headers = { 'Content-Type': contentType, ETag: doc.etag, 'Cache-Control': cache, Vary: 'Accept' };
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === doc.etag)) {
    return { status: 304, headers, body: Buffer.alloc(0) };
  }
  return { status: 200, headers, body: doc.body };
}

/**
 * Answers GET /openapi/v2, /openapi/v3 and /openapi/v3/<gv>; undefined for any other path (404 for an unknown
 * group version). `accept` and `ifNoneMatch` are the request's headers.
 */
export function handleOpenApiRequest(api: OpenApi, url: string, accept = '', ifNoneMatch?: string): OpenApiResponse | undefined {
  const u = new URL(url, 'http://localhost');
  const path = u.pathname.replace(/\/+$/, '');
  if (path === '/openapi/v2' || path === '/swagger-2.0.0.pb-v1') {
    const proto = path !== '/openapi/v2' || /application\/com\.github\.proto-openapi\.spec\.v2[.@]v1\.0\+protobuf/.test(accept);
    const doc = api.openApiV2(proto ? 'protobuf' : 'json');
    return answer(doc, proto ? v2ProtobufType : 'application/json', ifNoneMatch, 'no-cache, private');
  }
  if (path === '/openapi/v3') {
    const body = Buffer.from(JSON.stringify(api.openApiV3Discovery()));
    return { status: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' }, body };
  }
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  const group = m[1] ? '' : m[2];
  const version = m[1] ?? m[3];
  const doc = api.openApiV3GroupVersion(group, version);
  if (!doc) {
    return { status: 404, headers: { 'Content-Type': 'text/plain' }, body: Buffer.from('404 page not found\n') };
  }
  const asked = u.searchParams.get('hash');
  if (asked && asked !== doc.hash) {
    // A stale link: point the client at the current document, as upstream does.
    const location = `/openapi/v3/${groupVersionKey(group, version)}?hash=${doc.hash}`;
    return { status: 301, headers: { Location: location, 'Content-Type': 'text/plain' }, body: Buffer.alloc(0) };
  }
  return answer(doc, 'application/json', ifNoneMatch,
    asked ? 'public, immutable' : 'no-cache, private');
}
