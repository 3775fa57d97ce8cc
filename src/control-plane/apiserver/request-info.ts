// Turns a URL path into what the request is about, as upstream's RequestInfoFactory does: API prefix, group,
// version, namespace, resource, name, subresource and the verb (get/list/watch/create/update/patch/delete/
// deletecollection). Non-resource paths (/version, /healthz, discovery, /openapi) come back as such.
// A GET is a watch on the legacy /watch/ prefix, or on a collection whose query asks for one (?watch is read
// by query.ts, so `watch=True` and `watch=1` count, as upstream); a named GET with ?watch is still a get.
import type { KubeObject } from '../../api/object.ts';
import { watchRequested } from './query.ts';

export interface ResourceRequest {
  kind: 'resource';
  verb: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** Legacy /watch/ prefix, or ?watch on a collection. */
  watch: boolean;
  /** Set by the server after authorization when the caller's writes pass an admission check of their own (a
   *  node's, NodeRestriction): handed to the store in the write context (WriteContext.admit). */
  admit?: (object: KubeObject | undefined, old: KubeObject | undefined) => Promise<void>;
}

export interface DiscoveryRequest {
  kind: 'discovery';
  /** "/api", "/apis", "/api/v1", "/apis/apps", "/apis/apps/v1" */
  group?: string;
  version?: string;
  legacy: boolean;
}

export interface NonResourceRequest {
  kind: 'nonresource';
  path: string;
}

export type RequestInfo = ResourceRequest | DiscoveryRequest | NonResourceRequest;

const namespaceSubresources = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split('/').filter((p) => p !== '');
  let group = '';
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'discovery', legacy: true };
    version = parts[1];
    if (parts.length === 2) return { kind: 'discovery', legacy: true, group: '', version };
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'discovery', legacy: false };
    group = parts[1];
    if (parts.length === 2) return { kind: 'discovery', legacy: false, group };
    version = parts[2];
    if (parts.length === 3) return { kind: 'discovery', legacy: false, group, version };
    rest = parts.slice(3);
  } else {
    return { kind: 'nonresource', path };
  }
  rest = rest.map((p) => decodeURIComponent(p));

  let watch = false;
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    // /namespaces/foo/status addresses the namespace itself; /namespaces/foo/pods addresses pods in foo.
    if (rest.length > 2 && !namespaceSubresources.has(rest[2])) rest = rest.slice(2);
  }
  const [resource = '', name = '', subresource = '', ...extra] = rest;
  if (extra.length > 0) return { kind: 'nonresource', path };
  if (resource === 'namespaces' && namespace && rest[0] === 'namespaces') {
    // The namespace object itself: it is cluster-scoped, so it has no namespace of its own.
    return finish(method, query, { group, version, namespace: '', resource, name: namespace, subresource: rest[2] ?? '', watch });
  }
  return finish(method, query, { group, version, namespace, resource, name, subresource, watch });
}

function finish(
  method: string,
  query: URLSearchParams,
  r: Omit<ResourceRequest, 'kind' | 'verb'>,
): ResourceRequest {
  const watch = r.watch || (!r.name && watchRequested(query));
  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = watch ? 'watch' : r.name ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = r.name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = method.toLowerCase();
  }
  return { kind: 'resource', verb, ...r, watch };
}
