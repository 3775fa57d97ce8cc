// Which Node labels a kubelet may set on its own Node (upstream's kubeletapis.IsKubeletLabel and NodeRestriction's
// getForbiddenLabels): labels under kubernetes.io or k8s.io are the cluster's, except the kubelet's own set and the
// kubelet.kubernetes.io and node.kubernetes.io namespaces; node-restriction.kubernetes.io ones never. The API server
// refuses the others to a node (NodeRestriction), and the kubelet refuses them in --node-labels before it starts.

const kubeletLabels = new Set([
  'kubernetes.io/hostname', 'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type', 'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
]);
export const kubeletLabelNamespaces = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const inDomain = (ns: string, domain: string): boolean => ns === domain || ns.endsWith(`.${domain}`);
const namespaceOf = (key: string): string => (key.includes('/') ? key.slice(0, key.indexOf('/')) : '');

/** The labels in keys a node may not set on itself, sorted (as upstream lists them). */
export function nodeForbiddenLabels(keys: Iterable<string>): string[] {
  return [...keys].filter((key) => {
    const ns = namespaceOf(key);
    if (inDomain(ns, 'node-restriction.kubernetes.io')) return true;
    const cluster = inDomain(ns, 'kubernetes.io') || inDomain(ns, 'k8s.io');
    return cluster && !kubeletLabels.has(key) && !kubeletLabelNamespaces.some((d) => inDomain(ns, d));
  }).sort();
}

/** Allowed label keys a kubelet sets, for messages. */
export const kubeletLabelKeys = (): string[] => [...kubeletLabels].sort();
