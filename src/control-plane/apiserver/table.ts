// The meta.k8s.io/v1 response shapes kubectl asks for: Table (server-side printing, columns per kind) and
// PartialObjectMetadata(List) (metadata only, for garbage collection and `kubectl get --show-labels`).
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { buildTable, IncludeObjectError, parseIncludeObject, type Table } from '../../api/printers/index.ts';
import type { GenericStore } from './registry/generic-store.ts';

export interface TableOptions {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  includeObject?: string | null;
  /** Leave out columnDefinitions (every watch event after the first, as upstream). */
  omitColumns?: boolean;
}

export function toTable(store: GenericStore, items: KubeObject[], opts: TableOptions): Table {
  let includeObject;
  try {
    includeObject = parseIncludeObject(opts.includeObject ?? '');
  } catch (e) {
    if (e instanceof IncludeObjectError) throw ApiError.badRequest(e.message);
    throw e;
  }
  return buildTable(store.definition.printer, items, {
    now: new Date(),
    includeObject,
    kind: store.info.kind,
    apiVersion: store.info.group ? `${store.info.group}/${store.info.version}` : store.info.version,
    noHeaders: opts.omitColumns,
    resourceVersion: opts.resourceVersion,
    continue: opts.continue,
    remainingItemCount: opts.remainingItemCount,
  });
}

export function toPartialMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toPartialMetadataList(items: KubeObject[], listMeta: Record<string, unknown>): KubeObject {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    items: items.map(toPartialMetadata),
  };
}
