// The resources the controllers read and write, named once (the client needs only group, version, plural and
// scope to build a path). Every controller imports its refs from here, never from another controller's file.
import { leasesRef } from '../../client/leader-election.ts';
import { resourceRef } from '../../client/resource-ref.ts';

export const podsRef = resourceRef('v1', 'pods');
export const nodesRef = resourceRef('v1', 'nodes', false);
export const namespacesRef = resourceRef('v1', 'namespaces', false);
export const servicesRef = resourceRef('v1', 'services');
export const endpointsRef = resourceRef('v1', 'endpoints');
export const serviceAccountsRef = resourceRef('v1', 'serviceaccounts');
export const replicaSetsRef = resourceRef('apps/v1', 'replicasets');
export const deploymentsRef = resourceRef('apps/v1', 'deployments');
export const endpointSlicesRef = resourceRef('discovery.k8s.io/v1', 'endpointslices');
export { leasesRef };
