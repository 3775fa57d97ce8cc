// Endpoints (core/v1): written by the endpoints controller; PUT may create (upstream AllowCreateOnUpdate).
import { defaultEndpoints } from '../defaults/index.ts';
import { endpointsValidator } from '../validation/core.ts';
import { endpointsPrinter } from '../printers/core.ts';
import { defineResource } from './define.ts';

export const endpoints = defineResource({
  group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', namespaced: true, shortNames: ['ep'],
  printer: endpointsPrinter,
  strategy: { validator: endpointsValidator, defaults: defaultEndpoints, allowCreateOnUpdate: true },
});
