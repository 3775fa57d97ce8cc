// Upstream's NamespaceLifecycle admission for writes into a namespace: the namespace must exist, and nothing new
// may be created in one that is terminating. (Refusing to delete the immortal namespaces is the Namespace
// strategy's admitDelete, src/api/resources/namespace.ts.)
import { ApiError, qualifiedResource, type GroupResource } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { KeyValue, Store } from '../../../store/interface.ts';
import type { NamespaceChecker } from './types.ts';
import { keyFor } from './object-codec.ts';

/** Whether a stored namespace is terminating, per value: the watch cache hands out the same KeyValue until the
 *  namespace changes, so a create does not parse it again. */
const terminatingByValue = new WeakMap<KeyValue, boolean>();

export function namespaceChecker(store: Store): NamespaceChecker {
  return {
    async assertWritable(namespace: string, gr: GroupResource, name: string): Promise<void> {
      const key = keyFor('namespaces', '', namespace);
      // Every namespaced create asks this: the watch cache answers from memory, and only a miss (perhaps a
      // namespace created a moment ago) costs a read of the store itself.
      const kv = await store.get(key, { allowCache: true });
      if (!kv) throw ApiError.notFound({ group: '', resource: 'namespaces' }, namespace);
      let terminating = terminatingByValue.get(kv);
      if (terminating === undefined) {
        terminating = !!(JSON.parse(kv.value) as KubeObject).metadata?.deletionTimestamp;
        terminatingByValue.set(kv, terminating);
      }
      if (terminating) {
        // upstream admission.NewForbidden: named after the object being created, not the namespace.
        const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
        const message = name ? `${qualifiedResource(gr)} "${name}" is forbidden: ${why}` : `${qualifiedResource(gr)} is forbidden: ${why}`;
        throw ApiError.of(403, 'Forbidden', message, {
          name,
          group: gr.group || undefined,
          kind: gr.resource,
          causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
        });
      }
    },
  };
}
