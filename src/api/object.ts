// The shape every stored API object shares. Typed views of particular kinds come from `kubernetes-types`
// (e.g. `import type { Pod } from 'kubernetes-types/core/v1.js'`); generic machinery works on KubeObject.
import type { ObjectMeta as ReadonlyObjectMeta } from 'kubernetes-types/meta/v1.js';

/** kubernetes-types marks system fields readonly (clients must not set them); the server must. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type ObjectMeta = Mutable<ReadonlyObjectMeta>;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** Identifies a kind across the codebase: "apps/v1/Deployment", core group as "v1/Pod". */
export type KindKey = string;

export function kindKey(group: string, version: string, kind: string): KindKey {
  return group ? `${group}/${version}/${kind}` : `${version}/${kind}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Splits "apps/v1" into ["apps", "v1"] and "v1" into ["", "v1"]. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
