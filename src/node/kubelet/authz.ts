// Who may use the kubelet's API. Upstream's kubelet asks the API server (a SubjectAccessReview) whether the client
// may <verb> nodes/<subresource> (stats, metrics, log, checkpoint; everything else, exec/attach/portForward/
// containerLogs included, is "proxy"), and answers 403 `Forbidden (user=…, verb=…, resource=nodes, subresource=…)`.
// Skiff serves no SubjectAccessReview yet, so the kubelet applies the answer the API server's authorizer gives
// (control-plane/apiserver/authz): nodes (group system:nodes) and kube-proxy have no nodes/* permission, so one
// node's certificate cannot exec into another node's pods; every other client of the cluster CA (the API server's
// kubelet client, the admin) may, as they may everything else until RBAC exists.
export interface KubeletClient {
  name: string;
  groups: string[];
}

const nodesGroup = 'system:nodes';
const kubeProxyUser = 'system:kube-proxy';

const verbs: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function subresourceOf(pathname: string): string {
  const first = pathname.split('/').filter(Boolean)[0] ?? '';
  return ({ stats: 'stats', metrics: 'metrics', logs: 'log', checkpoint: 'checkpoint' } as Record<string, string>)[first] ?? 'proxy';
}

/** The 403 message for a client that may not make this request, or undefined when it may. */
export function kubeletForbidden(client: KubeletClient, method: string, pathname: string): string | undefined {
  if (!client.groups.includes(nodesGroup) && client.name !== kubeProxyUser) return undefined;
  const verb = verbs[method] ?? method.toLowerCase();
  return `Forbidden (user=${client.name}, verb=${verb}, resource=nodes, subresource=${subresourceOf(pathname)})`;
}
