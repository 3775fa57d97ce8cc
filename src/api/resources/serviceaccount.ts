// ServiceAccount (core/v1).
import { serviceAccountValidator } from '../validation/core.ts';
import { serviceAccountPrinter } from '../printers/core.ts';
import { defineResource } from './define.ts';

export const serviceAccounts = defineResource({
  group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'],
  printer: serviceAccountPrinter,
  strategy: { validator: serviceAccountValidator },
});
