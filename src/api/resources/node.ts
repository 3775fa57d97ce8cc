// Node (core/v1): upstream pkg/registry/core/node. Cluster-scoped; the kubelet creates it with its status.
import { defaultNode } from '../defaults/index.ts';
import { nodeValidator } from '../validation/core.ts';
import { nodePrinter } from '../printers/node.ts';
import { bool } from '../field-values.ts';
import { defineResource } from './define.ts';

export const nodes = defineResource({
  group: '', version: 'v1', kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'],
  printer: nodePrinter,
  fieldSelectors: { 'spec.unschedulable': bool('spec.unschedulable') },
  strategy: { validator: nodeValidator, defaults: defaultNode },
  status: true,
});
