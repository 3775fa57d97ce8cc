// ServiceAccount (core/v1), with its token subresource (TokenRequest; issued by the API server, serviceaccount-token.ts).
import { serviceAccountValidator } from '../validation/core.ts';
import { serviceAccountPrinter } from '../printers/core.ts';
import { defineResource } from './define.ts';

export const serviceAccounts = defineResource({
  group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'],
  printer: serviceAccountPrinter,
  strategy: { validator: serviceAccountValidator },
  subresources: { token: { type: 'token', bodyKind: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest' } } },
});
