// The one table of served resources: each entry is a whole definition (src/api/resources/<kind>.ts) —
// ResourceInfo for discovery/routing/OpenAPI, its strategy, printer, selectable fields and subresources.
// Adding a kind is one small file plus its line here; the apiserver, OpenAPI and field selectors follow.
import type { KindKey } from './object.ts';
import { kindKey } from './object.ts';
import type { ResourceInfo } from './resource-info.ts';
import type { ResourceDefinition } from './resources/define.ts';
import { namespaces } from './resources/namespace.ts';
import { nodes } from './resources/node.ts';
import { pods } from './resources/pod.ts';
import { services } from './resources/service.ts';
import { endpoints } from './resources/endpoints.ts';
import { configMaps } from './resources/configmap.ts';
import { secrets } from './resources/secret.ts';
import { serviceAccounts } from './resources/serviceaccount.ts';
import { coreEvents, events } from './resources/event.ts';
import { bindings } from './resources/binding.ts';
import { deployments, replicaSets } from './resources/apps.ts';
import { endpointSlices, leases } from './resources/groups.ts';

export type { ResourceDefinition } from './resources/define.ts';

/** In discovery order: core first, then groups as upstream orders them. */
export const definitions: readonly ResourceDefinition[] = [
  namespaces, nodes, pods, services, endpoints, configMaps, secrets, serviceAccounts, coreEvents, bindings,
  deployments, replicaSets, leases, endpointSlices, events,
];

export const resources: ResourceInfo[] = definitions.map((d) => d.info);

const byKindKey = new Map<KindKey, ResourceDefinition>(definitions.map((d) => [kindKey(d.info.group, d.info.version, d.info.kind), d]));

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
  return findDefinition(group, version, resource)?.info;
}

export function findDefinition(group: string, version: string, resource: string): ResourceDefinition | undefined {
  return definitions.find((d) => d.info.group === group && d.info.version === version && d.info.resource === resource);
}

/** The definition of a kind ("v1/Pod", "apps/v1/Deployment"). */
export function definitionFor(key: KindKey): ResourceDefinition | undefined {
  return byKindKey.get(key);
}
