// The kinds the ReplicaSet controller keeps replicas for. Upstream runs ReplicationControllers through the
// ReplicaSet controller by converting each RC into a ReplicaSet (pkg/controller/replication/conversion.go);
// the same idea here: a kind names its resource, its ownerReference apiVersion/kind and its event component,
// converts its objects into the ReplicaSet view the controller reasons about (an RC's label map becomes
// matchLabels) and converts that view back for status writes.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { ResourceRef } from '../../client/resource-ref.ts';
import type { ApiObject } from '../../client/types.ts';
import type { ControllerOptions } from './context.ts';
import { replicaSetsRef, replicationControllersRef } from './refs.ts';

export interface ReplicaSetKind {
  /** Controller name and Event source component (upstream's). */
  component: string;
  ref: ResourceRef;
  apiVersion: string;
  kind: string;
  workers(options: ControllerOptions): number;
  /** The ReplicaSet the controller works on. */
  toReplicaSet(obj: ApiObject): ReplicaSet;
  /** The stored kind's form of a ReplicaSet view (for writes). */
  fromReplicaSet(rs: ReplicaSet): ApiObject;
}

export const replicaSetKind: ReplicaSetKind = {
  component: 'replicaset-controller',
  ref: replicaSetsRef,
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  workers: (o) => o.concurrentReplicaSetSyncs,
  toReplicaSet: (obj) => obj as ReplicaSet,
  fromReplicaSet: (rs) => rs,
};

export const replicationControllerKind: ReplicaSetKind = {
  component: 'replication-controller',
  ref: replicationControllersRef,
  apiVersion: 'v1',
  kind: 'ReplicationController',
  workers: (o) => o.concurrentRcSyncs,
  toReplicaSet(obj) {
    const rc = obj as ReplicationController;
    const spec = rc.spec ?? {};
    const selector = spec.selector && Object.keys(spec.selector).length ? { matchLabels: { ...spec.selector } } : {};
    // the view's apiVersion/kind are the ReplicaSet's; the controller writes with the kind's own (asOwner, fromReplicaSet)
    return {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: rc.metadata,
      spec: { replicas: spec.replicas, minReadySeconds: spec.minReadySeconds, selector, template: spec.template },
      status: rc.status ? { ...rc.status, replicas: rc.status.replicas ?? 0 } : undefined,
    };
  },
  fromReplicaSet(rs) {
    const spec = rs.spec;
    const rc: ReplicationController = {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: rs.metadata,
      spec: spec && { replicas: spec.replicas, minReadySeconds: spec.minReadySeconds, selector: spec.selector?.matchLabels, template: spec.template },
      status: rs.status,
    };
    return rc;
  },
};
