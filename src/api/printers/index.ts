// Table printers for every kind Skiff serves, keyed like the resource registry ("v1/Pod",
// "apps/v1/Deployment"); the apiserver turns a printer plus objects into a meta.k8s.io/v1 Table with
// buildTable. Kinds without a printer (e.g. the create-only Binding) use upstream's default table.
import type { KindKey } from '../object.ts';
import type { TablePrinter } from '../strategy.ts';
import { deploymentPrinter, replicaSetPrinter } from './apps.ts';
import {
  configMapPrinter, endpointsPrinter, namespacePrinter, secretPrinter, serviceAccountPrinter, servicePrinter,
} from './core.ts';
import { defaultPrinter } from './default.ts';
import { eventPrinter, eventsV1Printer } from './event.ts';
import { endpointSlicePrinter, leasePrinter } from './networking.ts';
import { nodePrinter } from './node.ts';
import { podPrinter } from './pod.ts';
import type { RowPrinter } from './table.ts';

export { buildTable, IncludeObjectError, parseIncludeObject } from './table.ts';
export type { BuildTableOptions, ColumnDefinition, IncludeObject, RowCondition, RowPrinter, Table, TableRow } from './table.ts';
export { humanDuration, translateTimestampSince } from './duration.ts';
export { defaultPrinter } from './default.ts';
export { podSummary } from './pod.ts';

export const printers: Record<KindKey, RowPrinter> = {
  'v1/Pod': podPrinter,
  'v1/Node': nodePrinter,
  'v1/Namespace': namespacePrinter,
  'v1/Service': servicePrinter,
  'v1/Endpoints': endpointsPrinter,
  'v1/ConfigMap': configMapPrinter,
  'v1/Secret': secretPrinter,
  'v1/ServiceAccount': serviceAccountPrinter,
  'v1/Event': eventPrinter,
  'v1/Binding': defaultPrinter,
  'apps/v1/Deployment': deploymentPrinter,
  'apps/v1/ReplicaSet': replicaSetPrinter,
  'coordination.k8s.io/v1/Lease': leasePrinter,
  'discovery.k8s.io/v1/EndpointSlice': endpointSlicePrinter,
  'events.k8s.io/v1/Event': eventsV1Printer,
};

/** The printer for a kind, falling back to upstream's default NAME / CREATED AT table. */
export function printerFor(key: KindKey): RowPrinter {
  return printers[key] ?? defaultPrinter;
}

// Every RowPrinter is a strategy TablePrinter (plus optional row conditions).
const asStrategyPrinters: Record<KindKey, TablePrinter> = printers;
void asStrategyPrinters;
