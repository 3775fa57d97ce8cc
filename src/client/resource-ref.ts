// Which URL a request goes to, computed from a resource descriptor alone (no server discovery): the core group
// lives under /api/v1, every other group under /apis/<group>/<version>.
import { parseApiVersion } from '../api/object.ts';

/** The part of a ResourceInfo (src/api/resource-info.ts) the client needs; a ResourceInfo can be passed as is. */
export interface ResourceRef {
  group: string;
  version: string;
  /** Plural, lower case: "pods", "deployments". */
  resource: string;
  namespaced: boolean;
}

export function resourceRef(apiVersion: string, resource: string, namespaced = true): ResourceRef {
  return { ...parseApiVersion(apiVersion), resource, namespaced };
}

export interface PathParts {
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** "/apis/apps/v1/namespaces/ns/deployments/web/scale"; a namespaced resource without namespace lists across all. */
export function resourcePath(ref: ResourceRef, parts: PathParts = {}): string {
  let p = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (ref.namespaced && parts.namespace) p += `/namespaces/${encodeURIComponent(parts.namespace)}`;
  p += `/${ref.resource}`;
  if (parts.name !== undefined) {
    if (parts.name === '') throw new Error(`resource name may not be empty`);
    p += `/${encodeURIComponent(parts.name)}`;
  }
  if (parts.subresource) p += `/${parts.subresource}`;
  return p;
}

export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function refKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.version}/${ref.resource}`;
}
