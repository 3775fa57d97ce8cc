// API discovery, as kubectl and client libraries read it: the legacy documents (/api, /apis, /api/v1,
// /apis/<group>, /apis/<group>/<version>) and the aggregated v2/v2beta1 documents (one request for everything),
// chosen by the Accept header exactly as upstream negotiates them.
import { apiVersionOf } from '../../api/object.ts';
import type { ResourceInfo } from '../../api/resource-info.ts';

interface SubresourceInfo {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

function subresourcesOf(r: ResourceInfo): SubresourceInfo[] {
  const out: SubresourceInfo[] = [];
  if (r.subresources.status) out.push({ name: 'status', kind: r.kind, verbs: ['get', 'patch', 'update'] });
  if (r.subresources.scale) out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
  if (r.subresources.binding) out.push({ name: 'binding', kind: 'Binding', verbs: ['create'] });
  if (r.subresources.token) out.push({ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] });
  if (r.subresources.eviction) out.push({ name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] });
  if (r.subresources.finalize) out.push({ name: 'finalize', kind: r.kind, verbs: ['update'] });
  for (const c of r.subresources.connect ?? []) out.push({ name: c.name, kind: c.kind, verbs: c.verbs });
  return out;
}

export class Discovery {
  constructor(private readonly resources: ResourceInfo[]) {}

  private groups(): { name: string; versions: string[] }[] {
    const groups: { name: string; versions: string[] }[] = [];
    for (const r of this.resources) {
      if (!r.group) continue;
      let g = groups.find((x) => x.name === r.group);
      if (!g) groups.push((g = { name: r.group, versions: [] }));
      if (!g.versions.includes(r.version)) g.versions.push(r.version);
    }
    return groups;
  }

  apiVersions(serverAddress: string): object {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  private groupDoc(g: { name: string; versions: string[] }): object {
    const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
    return { name: g.name, versions, preferredVersion: versions[0] };
  }

  apiGroupList(): object {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups().map((g) => this.groupDoc(g)) };
  }

  apiGroup(group: string): object | undefined {
    const g = this.groups().find((x) => x.name === group);
    return g && { kind: 'APIGroup', apiVersion: 'v1', ...this.groupDoc(g) };
  }

  apiResourceList(group: string, version: string): object | undefined {
    const rs = this.resources.filter((r) => r.group === group && r.version === version);
    if (rs.length === 0) return undefined;
    const list: object[] = [];
    for (const r of rs) {
      if (r.virtual) {
        list.push({ name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs });
        continue;
      }
      list.push({
        name: r.resource,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length ? { categories: r.categories } : {}),
      });
      for (const s of subresourcesOf(r)) {
        list.push({
          name: `${r.resource}/${s.name}`,
          singularName: '',
          namespaced: r.namespaced,
          ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
          kind: s.kind,
          verbs: s.verbs,
        });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources: list };
  }

  /** The aggregated document for /api (legacy: true) or /apis, in apidiscovery.k8s.io/<version>. */
  aggregated(legacy: boolean, discoveryVersion: 'v2' | 'v2beta1'): object {
    const names = legacy ? [''] : this.groups().map((g) => g.name);
    const items = names.map((group) => {
      const versions = [...new Set(this.resources.filter((r) => r.group === group).map((r) => r.version))];
      return {
        metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
        versions: versions.map((version) => ({
          version,
          resources: this.resources
            .filter((r) => r.group === group && r.version === version && !r.virtual)
            .map((r) => ({
              resource: r.resource,
              responseKind: { group: r.group, version: r.version, kind: r.kind },
              scope: r.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: r.singular,
              verbs: r.verbs,
              ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
              ...(r.categories.length ? { categories: r.categories } : {}),
              ...(subresourcesOf(r).length
                ? {
                    subresources: subresourcesOf(r).map((s) => ({
                      subresource: s.name,
                      responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
                      verbs: s.verbs,
                    })),
                  }
                : {}),
            })),
          freshness: 'Current',
        })),
      };
    });
    return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${discoveryVersion}`, metadata: {}, items };
  }
}

/** Which aggregated discovery version the Accept header offers first, if any. */
export function aggregatedDiscoveryVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const clause of (accept ?? '').split(',')) {
    if (!clause.includes('as=APIGroupDiscoveryList') || !clause.includes('g=apidiscovery.k8s.io')) continue;
    if (/v=v2beta1/.test(clause)) return 'v2beta1';
    if (/v=v2(;|$|\s)/.test(clause)) return 'v2';
  }
  return undefined;
}
