// The contracts around the generic registry store: what a request asks of it (list, watch, write context) and
// the hooks the apiserver wiring supplies (allocator, namespace lifecycle). Per-kind behaviour is the resource's
// definition (src/api/resources/), never a branch here.
import type { GroupResource } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';

export type ObjectFilter = (obj: KubeObject) => boolean;

export interface WriteContext {
  dryRun: boolean;
  now: Date;
  /** Called with the object to record managedFields of: a create's after defaults and before admission (as
   *  upstream), an update's about to be written. */
  track?: (old: KubeObject | undefined, updated: KubeObject) => void;
  /** The caller's own admission check (a node's NodeRestriction): the object about to be written (none for a
   *  delete) and the stored one it replaces (none for a create). Throws to refuse. */
  admit?: (object: KubeObject | undefined, old: KubeObject | undefined) => Promise<void>;
}

export interface ListRequest {
  filter?: ObjectFilter;
  limit?: number;
  continueToken?: string;
  /** resourceVersion as the client gave it ("" = consistent read, "0" = any, N = at least/exactly N). */
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResponse {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface WatchRequest {
  filter?: ObjectFilter;
  resourceVersion?: string;
  /** Send the current objects as ADDED first (RV "" or "0", or sendInitialEvents=true). */
  sendInitialEvents?: boolean;
  /** Interleave BOOKMARK events (at most one per this many ms while idle) carrying the store's progress. */
  bookmarkIntervalMs?: number;
  signal: AbortSignal;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface ApiWatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

/** Resources the server hands out with an object (a Service's cluster IP and node ports). */
export interface Allocator {
  allocate(obj: KubeObject, old: KubeObject | undefined, dryRun: boolean): Promise<{ rollback(): Promise<void>; commit(): Promise<void> }>;
  release(obj: KubeObject): Promise<void>;
}

export interface NamespaceChecker {
  /** Throws 404 when the namespace does not exist and 403 when it is terminating. */
  assertWritable(namespace: string, gr: GroupResource, name: string): Promise<void>;
}
