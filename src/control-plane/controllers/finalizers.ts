// Writing an object's finalizers from a controller's cache, as the protection controllers (PV, PVC) do: the update
// carries the cached resourceVersion, so a conflict (the cache was behind) fails the reconcile and the key is
// retried with fresh state; an object deleted meanwhile needs nothing more.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { isNotFound } from '../../client/errors.ts';
import type { RestClient } from '../../client/rest.ts';
import type { ResourceRef } from '../../client/resource-ref.ts';

/** Updates obj (its apiVersion/kind as given: cached objects may lack them) with these finalizers. */
export async function setFinalizers<T extends { metadata?: ObjectMeta }>(
  client: RestClient, ref: ResourceRef, typeMeta: { apiVersion: string; kind: string }, obj: T, finalizers: string[], signal: AbortSignal,
): Promise<void> {
  try {
    await client.update(ref, { ...obj, ...typeMeta, metadata: { ...obj.metadata, finalizers } }, { signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
