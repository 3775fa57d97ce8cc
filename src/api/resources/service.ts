// Service (core/v1): upstream pkg/registry/core/service. The server allocates cluster IPs and node ports
// (the storage's allocator) and an update carries over what it allocated when the client leaves it out.
import { defaultService } from '../defaults/index.ts';
import { carryOverAllocatedValues } from '../defaults/service-update.ts';
import { serviceValidator } from '../validation/service.ts';
import { servicePrinter } from '../printers/core.ts';
import { fieldsAt } from '../field-values.ts';
import { defineResource } from './define.ts';

export const services = defineResource({
  group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'],
  printer: servicePrinter,
  fieldSelectors: fieldsAt('spec.clusterIP', 'spec.type'),
  allocator: 'serviceIPsAndPorts',
  strategy: {
    validator: serviceValidator,
    defaults: defaultService,
    initialStatus: () => ({ loadBalancer: {} }),
    prepareForUpdate: carryOverAllocatedValues,
  },
  status: true,
});
