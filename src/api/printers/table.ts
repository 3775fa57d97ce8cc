// The meta.k8s.io/v1 Table the apiserver returns for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`,
// built from a printer's columns and cells. Upstream always prints server-side with Wide on, so every row
// carries all cells; kubectl hides priority>0 columns unless `-o wide`. Rows embed the object as
// PartialObjectMetadata by default (what `--show-labels` reads), the full object for includeObject=Object,
// or null for None — as upstream's handlers/response.go asTable does.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../object.ts';

/** meta.k8s.io/v1 TableColumnDefinition; every field is always serialized, as upstream (no omitempty). */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** meta.k8s.io/v1 TableRowCondition (only type Completed exists upstream). */
export interface RowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** What a kind contributes; structurally a strategy TablePrinter, plus optional row conditions. */
export interface RowPrinter {
  columns: ColumnDefinition[];
  cells(obj: KubeObject, now: Date): unknown[];
  /** Row conditions, e.g. Completed for a Succeeded/Failed pod. */
  conditions?(obj: KubeObject): RowCondition[] | undefined;
}

export interface PartialObjectMetadata {
  apiVersion: string;
  kind: 'PartialObjectMetadata';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: unknown[];
  conditions?: RowCondition[];
  object: KubeObject | PartialObjectMetadata | null;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** null when noHeaders (upstream sends headers only with the first watch event). */
  columnDefinitions: ColumnDefinition[] | null;
  rows: TableRow[];
}

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export interface BuildTableOptions {
  now: Date;
  /** includeObject query parameter; kubectl sends none, which upstream treats as Metadata. */
  includeObject?: IncludeObject | '';
  /** Kind and apiVersion of the listed objects, stamped on embedded objects for includeObject=Object. */
  kind: string;
  apiVersion: string;
  /** The Table's own group version: "meta.k8s.io/v1" (default) or "meta.k8s.io/v1beta1". */
  tableApiVersion?: string;
  noHeaders?: boolean;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Thrown for an includeObject value upstream rejects (the apiserver answers 400 BadRequest with the message). */
export class IncludeObjectError extends Error {}

export function parseIncludeObject(value: string | null | undefined): IncludeObject {
  if (value === null || value === undefined || value === '' || value === 'Metadata') return 'Metadata';
  if (value === 'None' || value === 'Object') return value;
  throw new IncludeObjectError(`unrecognized includeObject value: "${value}"`);
}

function embed(obj: KubeObject, opts: BuildTableOptions, tableApiVersion: string): TableRow['object'] {
  const mode = parseIncludeObject(opts.includeObject);
  if (mode === 'None') return null;
  if (mode === 'Object') return { ...obj, apiVersion: opts.apiVersion, kind: opts.kind };
  return { apiVersion: tableApiVersion, kind: 'PartialObjectMetadata', metadata: obj.metadata ?? {} };
}

/** The full Table for a list (or a one-element array for a single GET). */
export function buildTable(printer: RowPrinter, objects: KubeObject[], opts: BuildTableOptions): Table {
  const tableApiVersion = opts.tableApiVersion ?? 'meta.k8s.io/v1';
  parseIncludeObject(opts.includeObject);
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: printer.cells(obj, opts.now), object: null };
    const conditions = printer.conditions?.(obj);
    if (conditions && conditions.length > 0) row.conditions = conditions;
    row.object = embed(obj, opts, tableApiVersion);
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: tableApiVersion,
    metadata,
    columnDefinitions: opts.noHeaders ? null : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
