// Namespace (core/v1): upstream pkg/registry/core/namespace plus the NamespaceLifecycle admission plugin.
// A new namespace is Active and carries the "kubernetes" finalizer in its spec; deleting it marks it
// Terminating until the namespace controller empties it and clears spec.finalizers through /finalize.
// default, kube-system and kube-public may not be deleted (upstream's immortal namespaces).
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { defaultNamespace } from '../defaults/index.ts';
import { namespaceValidator } from '../validation/core.ts';
import { namespacePrinter } from '../printers/core.ts';
import { str } from '../field-values.ts';
import { defineResource } from './define.ts';

/** The namespaces kube-apiserver's NamespaceLifecycle refuses to delete (kube-node-lease is not among them). */
export const immortalNamespaces: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public']);

const finalizersOf = (obj: KubeObject): string[] => (obj as Namespace).spec?.finalizers ?? [];

export const namespaces = defineResource({
  group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  printer: namespacePrinter,
  fieldSelectors: { 'status.phase': str('status.phase') },
  strategy: {
    validator: namespaceValidator,
    defaults: defaultNamespace,
    prepareForCreate: (obj) => {
      const ns = obj as Namespace;
      const spec = (ns.spec ??= {});
      const finalizers = (spec.finalizers ??= []);
      if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
      ns.status = { phase: 'Active' };
    },
    // spec.finalizers change only through /finalize (upstream keeps the old ones on a plain update).
    prepareForUpdate: (obj, old) => {
      const spec = ((obj as Namespace).spec ??= {});
      const before = finalizersOf(old);
      if (before.length) spec.finalizers = [...before];
      else delete spec.finalizers;
    },
    admitDelete: (obj) => {
      const name = obj.metadata?.name ?? '';
      if (immortalNamespaces.has(name)) {
        throw ApiError.of(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
      }
    },
    specFinalizers: finalizersOf,
    prepareForDelete: (obj) => {
      obj.status = { ...((obj.status as object) ?? {}), phase: 'Terminating' };
    },
    returnDeletedObject: true,
  },
  status: true,
  subresources: {
    finalize: {
      type: 'update',
      verbs: ['update'],
      // Only spec.finalizers is written through /finalize; everything else stays as stored.
      prepareForUpdate: (obj, old) => ({ ...structuredClone(old), spec: { ...((old.spec as object) ?? {}), finalizers: finalizersOf(obj) } }),
      validateUpdate: (obj, old) => namespaceValidator.update(obj, old),
    },
  },
});
