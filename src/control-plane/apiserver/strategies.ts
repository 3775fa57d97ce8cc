// Builds each resource's Strategy from the per-kind defaulters, admission and validators in src/api/, and
// the namespace lifecycle check (upstream's NamespaceLifecycle admission) from the namespaces store.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { defaulters } from '../../api/defaults/index.ts';
import { admitPod } from '../../api/defaults/admission.ts';
import { carryOverAllocatedValues } from '../../api/defaults/service-update.ts';
import { validators } from '../../api/validation/index.ts';
import type { NamespaceChecker, Strategy } from './registry/generic-store.ts';
import type { Store } from '../../store/interface.ts';
import { keyFor } from './registry/object-codec.ts';

export function strategyFor(kindKey: string): Strategy {
  const defaulter = defaulters[kindKey];
  const validator = validators[kindKey];
  return {
    defaults: (obj: KubeObject) => defaulter?.(obj),
    admit: kindKey === 'v1/Pod' ? admitPod : undefined,
    prepareForUpdate: kindKey === 'v1/Service' ? carryOverAllocatedValues : undefined,
    validateCreate: (obj) => validator?.create(obj) ?? [],
    validateUpdate: (obj, old) => validator?.update(obj, old) ?? [],
    validateStatusUpdate: (obj, old) => (validator?.updateStatus ? validator.updateStatus(obj, old) : []),
  };
}

export function namespaceChecker(store: Store): NamespaceChecker {
  return {
    async assertWritable(namespace: string): Promise<void> {
      const key = keyFor('namespaces', '', namespace);
      // Every namespaced create asks this: the watch cache answers from memory, and only a miss (perhaps a
      // namespace created a moment ago) costs a read of the store itself.
      const cached = await store.list(key, { allowCache: true, limit: 1 });
      const kv = cached.items.find((i) => i.key === key) ?? (await store.get(key));
      if (!kv) throw ApiError.notFound({ group: '', resource: 'namespaces' }, namespace);
      const ns = JSON.parse(kv.value) as KubeObject;
      if (ns.metadata?.deletionTimestamp) {
        throw ApiError.of(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`, {
          name: namespace,
          kind: 'namespaces',
          causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
        });
      }
    },
  };
}
