// The resources cluster DNS reads and writes.
import { resourceRef } from '../../client/resource-ref.ts';

export const servicesRef = resourceRef('v1', 'services');
export const endpointSlicesRef = resourceRef('discovery.k8s.io/v1', 'endpointslices');
