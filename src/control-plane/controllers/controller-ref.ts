// Controller references and adoption/release (upstream pkg/controller/controller_ref_manager.go), shared by the
// ReplicaSet controller (pods) and the Deployment controller (ReplicaSets): an owner claims the objects its selector matches. Orphans that match are
// adopted with a patch that adds a controller ownerReference (blockOwnerDeletion, so foreground deletion waits
// for them); objects it controls that stopped matching are released by deleting that reference. Both patches
// carry the object's uid, so a patch never lands on a same-named object created meanwhile. Before the first
// adoption of a sync the owner is re-read from the API (not the cache): an owner being deleted must not adopt.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isNotFound } from '../../client/errors.ts';
import type { RestClient } from '../../client/rest.ts';
import type { ResourceRef } from '../../client/resource-ref.ts';
import type { LabelMatcher } from '../../client/selector.ts';
import type { ApiObject } from '../../client/types.ts';

/** The ownerReference with controller: true, if any (metav1.GetControllerOf). */
export function controllerRefOf(obj: ApiObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export interface Owner extends ApiObject {
  metadata: NonNullable<ApiObject['metadata']>;
}

export function ownerReferenceTo(owner: Owner, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export interface ClaimOptions<T extends ApiObject> {
  client: RestClient;
  owner: Owner;
  ownerRef: OwnerReference;
  /** The owner's own resource (for the fresh read before adopting). */
  ownerResource: ResourceRef;
  /** The dependents' resource (pods or replicasets). */
  resource: ResourceRef;
  match: LabelMatcher;
  candidates: T[];
  signal?: AbortSignal;
}

/** Returns the objects the owner controls after adopting and releasing; throws the first adoption error. */
export async function claimObjects<T extends ApiObject>(o: ClaimOptions<T>): Promise<T[]> {
  const uid = o.owner.metadata.uid;
  const ownerDeleting = !!o.owner.metadata.deletionTimestamp;
  const claimed: T[] = [];
  const release: T[] = [];
  const adopt: T[] = [];
  // decided synchronously: a sync over thousands of owned pods must not cost thousands of promises
  for (const obj of o.candidates) {
    const ref = controllerRefOf(obj);
    const m = obj.metadata ?? {};
    if (ref) {
      if (ref.uid !== uid) continue;
      if (o.match(m.labels)) claimed.push(obj);
      else if (!ownerDeleting) release.push(obj);
      continue;
    }
    if (!ownerDeleting && o.match(m.labels) && !m.deletionTimestamp) adopt.push(obj);
  }
  if (!release.length && !adopt.length) return claimed;
  const errors: unknown[] = [];
  const tolerate = (err: unknown): void => {
    if (!isNotFound(err)) errors.push(err);
  };
  let adoptable: Promise<void> | undefined;
  if (adopt.length) adoptable = recheckOwner(o);
  await Promise.all([
    ...release.map((obj) => patchRefs(o, obj, [{ $patch: 'delete', uid }]).then(() => undefined, tolerate)),
    ...adopt.map(async (obj) => {
      try {
        await adoptable;
        claimed.push(await patchRefs(o, obj, [o.ownerRef]));
      } catch (err) {
        tolerate(err);
      }
    }),
  ]);
  if (errors.length) throw errors[0];
  return claimed;
}

async function recheckOwner<T extends ApiObject>(o: ClaimOptions<T>): Promise<void> {
  const m = o.owner.metadata;
  const fresh = await o.client.get(o.ownerResource, m.name ?? '', { namespace: m.namespace, signal: o.signal });
  if (fresh.metadata?.uid !== m.uid) throw new Error(`original ${m.namespace}/${m.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${m.uid}`);
  if (fresh.metadata?.deletionTimestamp) throw new Error(`${m.namespace}/${m.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
}

function patchRefs<T extends ApiObject>(o: ClaimOptions<T>, obj: T, refs: unknown[]): Promise<T> {
  const m = obj.metadata ?? {};
  const body = { metadata: { ownerReferences: refs, uid: m.uid } };
  return o.client.patch<T>(o.resource, m.name ?? '', body, 'strategic', { namespace: m.namespace, signal: o.signal });
}
