// Lease (coordination.k8s.io/v1) and EndpointSlice (discovery.k8s.io/v1).
import { defaultEndpointSlice } from '../defaults/index.ts';
import { endpointSliceValidator, leaseValidator } from '../validation/groups.ts';
import { endpointSlicePrinter, leasePrinter } from '../printers/networking.ts';
import { fieldsAt } from '../field-values.ts';
import { defineResource } from './define.ts';

export const leases = defineResource({
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true,
  printer: leasePrinter,
  strategy: { validator: leaseValidator, allowCreateOnUpdate: true },
});

export const endpointSlices = defineResource({
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true,
  printer: endpointSlicePrinter,
  fieldSelectors: fieldsAt('addressType'),
  strategy: { validator: endpointSliceValidator, defaults: defaultEndpointSlice },
});
