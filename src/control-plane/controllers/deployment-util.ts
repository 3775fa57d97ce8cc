// Pure helpers of the Deployment controller (upstream pkg/controller/deployment/util), one module per concern:
// names (labels, annotations, reasons), the pod-template-hash, replica arithmetic and orderings, ReplicaSet
// annotations, and the Progressing/Available condition rules. No I/O here, so each rule is unit-tested on plain
// objects. This module only gathers them so callers keep one import.
export { canonicalJson } from './canonical-json.ts';
export * from './deployment-names.ts';
export * from './deployment-hash.ts';
export * from './deployment-replicas.ts';
export * from './deployment-annotations.ts';
export * from './deployment-conditions.ts';
