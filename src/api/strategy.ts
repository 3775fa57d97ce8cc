// What each resource contributes to the generic registry, as upstream's per-resource strategies: defaulting,
// validation, and how to render it as a Table. The registry (src/api/resources.ts) looks these up by KindKey;
// the generic parts (uid, creationTimestamp, generation, status isolation) live in the apiserver, not here.
import type { FieldError } from './errors.ts';
import type { KubeObject } from './object.ts';

/** A meta.k8s.io/v1 Table column (kubernetes-types does not carry the Table types). */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** Fills the fields a user may omit, as upstream's SetDefaults_* functions; mutates obj in place. */
export type Defaulter = (obj: KubeObject) => void;

export interface Validator {
  /** Errors for a new object (metadata included: names, labels, annotations). */
  create(obj: KubeObject): FieldError[];
  /** Errors for an update: everything create checks, plus immutable fields compared with old. */
  update(obj: KubeObject, old: KubeObject): FieldError[];
  /** Errors for a write through the status subresource (optional; default: metadata checks only). */
  updateStatus?(obj: KubeObject, old: KubeObject): FieldError[];
}

export interface TablePrinter {
  /** Upstream's columns, in order; priority 1 marks the extra `-o wide` ones. */
  columns: TableColumnDefinition[];
  /** One row's cells, matching columns (all of them, wide included); `now` for ages. */
  cells(obj: KubeObject, now: Date): unknown[];
}
