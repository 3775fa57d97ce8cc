// Table printers for every kind Skiff serves, keyed like the resource registry ("v1/Pod",
// "apps/v1/Deployment"); each kind names its printer in its resource definition, and the apiserver turns a
// printer plus objects into a meta.k8s.io/v1 Table with buildTable. Kinds without one use upstream's default.
import type { KindKey } from '../object.ts';
import type { TablePrinter } from '../strategy.ts';
import { kindKey } from '../object.ts';
import { definitionFor, definitions } from '../resources.ts';
import { defaultPrinter } from './default.ts';
import type { RowPrinter } from './table.ts';

export { buildTable, IncludeObjectError, parseIncludeObject } from './table.ts';
export type { BuildTableOptions, ColumnDefinition, IncludeObject, RowCondition, RowPrinter, Table, TableRow } from './table.ts';
export { humanDuration, translateTimestampSince } from './duration.ts';
export { defaultPrinter } from './default.ts';
export { podSummary } from './pod.ts';

/** Every served kind's printer, from its resource definition (src/api/resources/). */
export const printers: Record<KindKey, RowPrinter> = Object.fromEntries(
  definitions.map((d) => [kindKey(d.info.group, d.info.version, d.info.kind), d.printer]),
);

/** The printer for a kind, falling back to upstream's default NAME / CREATED AT table. */
export function printerFor(key: KindKey): RowPrinter {
  return definitionFor(key)?.printer ?? defaultPrinter;
}

// Every RowPrinter is a strategy TablePrinter (plus optional row conditions).
const asStrategyPrinters: Record<KindKey, TablePrinter> = printers;
void asStrategyPrinters;
