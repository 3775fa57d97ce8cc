// Binding (core/v1): never stored; POST …/bindings is the pods/binding subresource of the pod it names.
import { defineResource } from './define.ts';

export const bindings = defineResource({
  group: '', version: 'v1', kind: 'Binding', resource: 'bindings', namespaced: true, verbs: ['create'],
  actsOn: { resource: 'pods', subresource: 'binding' },
});
