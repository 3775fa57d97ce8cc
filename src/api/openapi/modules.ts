// Where each API type lives: the kubernetes-types module that declares it and upstream's OpenAPI name prefix.
// Also which schemas a set of served resources needs as roots of the generated document.
import type { ResourceInfo } from '../resource-info.ts';

/** kubernetes-types module path (`apps/v1`) -> upstream Go package as OpenAPI names it. */
export function modulePrefix(module: string): string {
  switch (module) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    default:
      return `io.k8s.api.${module.replace('/', '.')}`;
  }
}

/** The kubernetes-types module of an API group version: '' v1 -> core/v1, coordination.k8s.io v1 -> coordination/v1. */
export function moduleOfGroupVersion(group: string, version: string): string {
  return `${group === '' ? 'core' : group.split('.')[0]}/${version}`;
}

export function schemaNameOf(group: string, version: string, kind: string): string {
  return `${modulePrefix(moduleOfGroupVersion(group, version))}.${kind}`;
}

export const metaV1 = modulePrefix('meta/v1');

/** Schemas every document needs besides the served kinds: request/response envelopes and subresource kinds. */
export const commonRoots: { module: string; name: string }[] = [
  { module: 'meta/v1', name: 'Status' },
  { module: 'meta/v1', name: 'DeleteOptions' },
  { module: 'meta/v1', name: 'WatchEvent' },
  { module: 'meta/v1', name: 'Patch' },
  { module: 'meta/v1', name: 'APIResourceList' },
  { module: 'meta/v1', name: 'APIGroupList' },
  { module: 'meta/v1', name: 'APIGroup' },
  { module: 'meta/v1', name: 'APIVersions' },
  { module: 'autoscaling/v1', name: 'Scale' },
  { module: 'policy/v1', name: 'Eviction' },
  { module: 'version', name: 'Info' },
];

/** The (module, interface) pairs to generate for these resources: each kind, its list, and the common roots. */
export function rootsFor(resources: ResourceInfo[]): { module: string; name: string }[] {
  const out = [...commonRoots];
  for (const r of resources) {
    const module = moduleOfGroupVersion(r.group, r.version);
    out.push({ module, name: r.kind });
    if (!r.virtual) out.push({ module, name: r.listKind });
  }
  return out;
}
