// What an authorizer decides on (upstream's authorizer.Attributes): who asks, the verb, and for a resource request
// its group, resource, subresource, namespace and name; for anything else the path. A list or watch that names one
// object by the field selector metadata.name=X carries that name, as upstream's RequestInfo gives it, so a node may
// watch one Secret its pods use. forbidden() is upstream's 403 for a denied request, word for word
// (responsewriters.Forbidden + errors.NewForbidden).
import { ApiError, qualifiedResource } from '../../../api/errors.ts';
import type { UserInfo } from '../authn.ts';
import type { RequestInfo } from '../request-info.ts';

export interface Attributes {
  user: UserInfo;
  verb: string;
  /** false for discovery and other non-resource paths. */
  resourceRequest: boolean;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

export const allow: Decision = { allowed: true };
export const deny = (reason = ''): Decision => ({ allowed: false, reason });

/** The one object a list/watch selects by `metadata.name=X` (upstream sets RequestInfo.Name from it). */
function selectedName(query: URLSearchParams): string {
  const selector = query.get('fieldSelector') ?? '';
  const terms = selector.split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of terms) {
    const m = /^metadata\.name(==?)(.*)$/.exec(t);
    if (m) return m[2];
  }
  return '';
}

export function attributesOf(user: UserInfo, info: RequestInfo, path: string, method: string, query: URLSearchParams): Attributes {
  if (info.kind !== 'resource') {
    return { user, verb: method.toLowerCase(), resourceRequest: false, group: '', resource: '', subresource: '', namespace: '', name: '', path };
  }
  const name = info.name || (info.verb === 'list' || info.verb === 'watch' ? selectedName(query) : '');
  return {
    user, verb: info.verb, resourceRequest: true, group: info.group, resource: info.resource, subresource: info.subresource,
    namespace: info.namespace, name, path,
  };
}

/** upstream's forbiddenMessage: who could not do what, where. */
export function forbiddenMessage(a: Attributes): string {
  if (!a.resourceRequest) return `User "${a.user.name}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`;
}

/** errors.NewForbidden: `<resource>[.<group>] ["<name>"] is forbidden: <why>`, or `forbidden: <why>` off the resource tree. */
export function forbiddenError(gr: { group: string; resource: string } | undefined, name: string, why: string): ApiError {
  if (!gr || !gr.resource) return ApiError.of(403, 'Forbidden', `forbidden: ${why}`);
  const what = qualifiedResource(gr);
  const message = name ? `${what} "${name}" is forbidden: ${why}` : `${what} is forbidden: ${why}`;
  return ApiError.of(403, 'Forbidden', message, { name: name || undefined, group: gr.group || undefined, kind: gr.resource });
}

/** The 403 for a request the authorizers did not allow, with the reason they gave (if any) after a colon. */
export function forbidden(a: Attributes, reason: string): ApiError {
  const why = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  return forbiddenError(a.resourceRequest ? { group: a.group, resource: a.resource } : undefined, a.name, why);
}
