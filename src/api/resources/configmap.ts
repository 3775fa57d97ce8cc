// ConfigMap (core/v1): data only; no status, no generation.
import { configMapValidator } from '../validation/core.ts';
import { configMapPrinter } from '../printers/core.ts';
import { defineResource } from './define.ts';

export const configMaps = defineResource({
  group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'],
  printer: configMapPrinter,
  strategy: { validator: configMapValidator },
});
