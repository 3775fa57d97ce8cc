// RBAC-shaped policy rules and the fixed roles Skiff grants without an RBAC API yet (upstream's bootstrap policy,
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy): the Node authorizer's static rules (NodeRules), the
// system:node-proxier ClusterRole bound to the user system:kube-proxy, and what every authenticated user may do
// (system:discovery, system:public-info-viewer, system:basic-user). A rule matches as upstream's RuleAllows does:
// verb, API group and "resource" or "resource/subresource" each listed or "*"; non-resource rules match the path,
// a trailing "*" matching any suffix.
import type { Attributes } from './attributes.ts';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
}

const has = (list: string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

export function ruleAllows(a: Attributes, r: PolicyRule): boolean {
  if (!has(r.verbs, a.verb)) return false;
  if (!a.resourceRequest) {
    return !!r.nonResourceURLs?.some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  if (!has(r.apiGroups, a.group)) return false;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return has(r.resources, resource);
}

export const rulesAllow = (a: Attributes, rules: readonly PolicyRule[]): boolean => rules.some((r) => ruleAllows(a, r));

const read = ['get', 'list', 'watch'];
const core = [''];

/** Upstream's NodeRules(), minus what Skiff does not serve (CSRs, CSI, DRA, runtime classes, reviews). Secrets,
 *  configmaps, PVCs, PVs, service account tokens and leases never reach these: the Node authorizer decides them. */
export const nodeRules: readonly PolicyRule[] = [
  { verbs: read, apiGroups: core, resources: ['services'] },
  { verbs: ['create', 'get', 'list', 'watch'], apiGroups: core, resources: ['nodes'] },
  { verbs: ['update', 'patch'], apiGroups: core, resources: ['nodes/status'] },
  { verbs: ['update', 'patch'], apiGroups: core, resources: ['nodes'] },
  { verbs: ['create', 'update', 'patch'], apiGroups: core, resources: ['events'] },
  { verbs: read, apiGroups: core, resources: ['pods'] },
  // mirror pods; NodeRestriction limits them to mirror pods bound to the node
  { verbs: ['create', 'delete'], apiGroups: core, resources: ['pods'] },
  { verbs: ['update', 'patch'], apiGroups: core, resources: ['pods/status'] },
  { verbs: ['create'], apiGroups: core, resources: ['pods/eviction'] },
  { verbs: ['get'], apiGroups: core, resources: ['endpoints'] },
];

/** ClusterRole system:node-proxier (bound to the user system:kube-proxy). */
export const nodeProxierRules: readonly PolicyRule[] = [
  { verbs: ['list', 'watch'], apiGroups: core, resources: ['services', 'endpoints'] },
  { verbs: read, apiGroups: core, resources: ['nodes'] },
  { verbs: ['create', 'update', 'patch'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] },
  { verbs: ['list', 'watch'], apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
];

/** system:discovery, system:public-info-viewer and system:basic-user, bound to system:authenticated. */
export const authenticatedRules: readonly PolicyRule[] = [
  {
    verbs: ['get'],
    nonResourceURLs: ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'],
  },
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];
