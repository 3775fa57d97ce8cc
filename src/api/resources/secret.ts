// Secret (core/v1): stringData is folded into data by defaulting; selectable by type.
import { defaultSecret } from '../defaults/index.ts';
import { secretValidator } from '../validation/core.ts';
import { secretPrinter } from '../printers/core.ts';
import { fieldsAt } from '../field-values.ts';
import { defineResource } from './define.ts';

export const secrets = defineResource({
  group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true,
  printer: secretPrinter,
  fieldSelectors: fieldsAt('type'),
  strategy: { validator: secretValidator, defaults: defaultSecret },
});
