// What the client needs of an object: apiVersion, kind and metadata. Both the generic KubeObject and the
// kubernetes-types interfaces (Pod, Lease, …, which have no index signature) satisfy it, so typed helpers accept either.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}
