// Unit tests of defaulting and validation go through the served resource definitions (src/api/resources.ts), so
// they test exactly what the apiserver runs for a kind rather than a side table of per-kind functions.
import type { KindKey, KubeObject } from '../../src/api/object.ts';
import type { FieldError } from '../../src/api/errors.ts';
import type { ResourceStrategy } from '../../src/api/strategy.ts';
import { definitionFor } from '../../src/api/resources.ts';

export function strategyOf(key: KindKey): ResourceStrategy {
  const def = definitionFor(key);
  if (!def) throw new Error(`no resource definition for ${key}`);
  return def.strategy;
}

type Check = (obj: KubeObject, old: KubeObject) => FieldError[];

/** The kind's create, update and status-update validation, as the registry and its status endpoint call them. */
export function validatorOf(key: KindKey): { create(obj: KubeObject): FieldError[]; update: Check; updateStatus: Check } {
  const s = strategyOf(key);
  const status = definitionFor(key)!.subresources.status;
  return {
    create: (obj) => s.validate(obj),
    update: (obj, old) => s.validateUpdate(obj, old),
    updateStatus: (obj, old) => {
      if (!status) throw new Error(`${key} has no status subresource`);
      return status.validateUpdate(obj, old);
    },
  };
}

/** The kind's field defaulting (SetDefaults_*), as run on every create and update body. */
export function defaultsOf(key: KindKey): (obj: KubeObject) => void {
  const s = strategyOf(key);
  return (obj) => s.defaults(obj);
}
