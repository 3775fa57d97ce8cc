// Column definitions shared by every printer. Names, types, formats and priorities are upstream's
// (pkg/printers/internalversion AddHandlers); descriptions are the API field docs upstream takes from
// SwaggerDoc. kubectl upper-cases the names for its header.
import type { ColumnDefinition } from './table.ts';

export const nameDescription =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a ' +
  'client to request the generation of an appropriate name automatically. Name is primarily intended for creation ' +
  'idempotence and configuration definition. Cannot be updated. More info: ' +
  'https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

export const creationTimestampDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed ' +
  'to be set in happens-before order across separate operations. Clients may not set this value. It is represented ' +
  'in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: ' +
  'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const containersDescription = 'Names of each container in the template.';
export const imagesDescription = 'Images referenced by each container in the template.';

/** A column; `priority: 1` marks the ones kubectl shows only with `-o wide`. */
export function col(
  name: string,
  type: string,
  description: string,
  extra: { format?: string; priority?: number } = {},
): ColumnDefinition {
  return { name, type, format: extra.format ?? '', description, priority: extra.priority ?? 0 };
}

export function wide(name: string, type: string, description: string): ColumnDefinition {
  return col(name, type, description, { priority: 1 });
}

export const nameColumn = (): ColumnDefinition => col('Name', 'string', nameDescription, { format: 'name' });
export const ageColumn = (): ColumnDefinition => col('Age', 'string', creationTimestampDescription);
