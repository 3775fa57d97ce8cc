// Upstream's NamespaceLifecycle admission for writes into a namespace: the namespace must exist, and nothing new
// may be created in one that is terminating. (Refusing to delete the immortal namespaces is the Namespace
// strategy's admitDelete, src/api/resources/namespace.ts.)
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { Store } from '../../../store/interface.ts';
import type { NamespaceChecker } from './types.ts';
import { keyFor } from './object-codec.ts';

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
