// The table for kinds without a printer of their own: upstream's rest.DefaultTableConvertor, NAME and
// CREATED AT (type "date", the creation timestamp in RFC 3339 UTC — not an age).
import type { KubeObject } from '../object.ts';
import { col, creationTimestampDescription, nameColumn } from './columns.ts';
import { parseTime } from './duration.ts';
import type { RowPrinter } from './table.ts';

/** Go's time.Time.UTC().Format(time.RFC3339); the zero time when unset. */
export function rfc3339(ts: string | undefined): string {
  const ms = parseTime(ts);
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const defaultPrinter: RowPrinter = {
  columns: [nameColumn(), col('Created At', 'date', creationTimestampDescription)],
  cells: (obj: KubeObject) => [obj.metadata?.name ?? '', rfc3339(obj.metadata?.creationTimestamp)],
};
