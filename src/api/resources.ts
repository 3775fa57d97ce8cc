// Every resource Skiff serves, as upstream's discovery describes it (plurals, short names, categories, verbs).
// Adding a resource is a row here plus its defaulter/validator/printer; no new handler.
import type { ResourceInfo, ScaleSubresource } from './resource-info.ts';

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface Row {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  status?: boolean;
  scale?: ScaleSubresource;
  binding?: boolean;
  eviction?: boolean;
  fieldSelectors?: string[];
  virtual?: boolean;
}

const replicasScale: ScaleSubresource = {
  specReplicasPath: 'spec.replicas',
  statusReplicasPath: 'status.replicas',
  labelSelectorPath: 'status.selector',
};

const rows: Row[] = [
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], status: true, fieldSelectors: ['status.phase'] },
  { group: '', version: 'v1', kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'], status: true,
    fieldSelectors: ['spec.unschedulable'] },
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'],
    status: true, binding: true, eviction: true,
    fieldSelectors: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
      'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'] },
  { group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true, shortNames: ['svc'],
    categories: ['all'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], status: true },
  { group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', namespaced: true, shortNames: ['ep'] },
  { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true, fieldSelectors: ['type'] },
  { group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  { group: '', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'],
    fieldSelectors: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
      'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason',
      'reportingComponent', 'source', 'type'] },
  { group: '', version: 'v1', kind: 'Binding', resource: 'bindings', namespaced: true, verbs: ['create'], virtual: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, shortNames: ['deploy'],
    categories: ['all'], status: true, scale: replicasScale },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', namespaced: true, shortNames: ['rs'],
    categories: ['all'], status: true, scale: replicasScale, fieldSelectors: ['status.replicas'] },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true,
    fieldSelectors: ['addressType'] },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'],
    fieldSelectors: ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid',
      'regarding.apiVersion', 'regarding.resourceVersion', 'regarding.fieldPath', 'reason', 'reportingController', 'type'] },
];

function singularOf(kind: string): string {
  return kind.toLowerCase();
}

export const resources: ResourceInfo[] = rows.map((r) => ({
  group: r.group,
  version: r.version,
  kind: r.kind,
  listKind: `${r.kind}List`,
  resource: r.resource,
  singular: singularOf(r.kind),
  namespaced: r.namespaced,
  shortNames: r.shortNames ?? [],
  categories: r.categories ?? [],
  verbs: r.verbs ?? allVerbs,
  subresources: { status: r.status, scale: r.scale, binding: r.binding, eviction: r.eviction },
  fieldSelectors: r.fieldSelectors ?? [],
  virtual: r.virtual,
}));

/** Group versions in the order discovery lists them (core first, then groups as upstream orders them). */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const r of resources) {
    const k = `${r.group}/${r.version}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push({ group: r.group, version: r.version });
    }
  }
  return out;
}

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.resource === resource);
}
