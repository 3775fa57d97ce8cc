// The component schemas the server serves: read from generated/openapi-schemas.json (written by
// `npm run gen:openapi`), or generated in process on first use when that file is missing or lacks a schema the
// served resources need; either way computed once and kept in memory.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ResourceInfo } from '../resource-info.ts';
import type { SchemaSet } from './schema.ts';
import { modulePrefix, rootsFor } from './modules.ts';
import { generateSchemas } from './generate.ts';

export const generatedSchemasPath = fileURLToPath(new URL('../../../generated/openapi-schemas.json', import.meta.url));

let cached: { key: string; schemas: SchemaSet } | undefined;

function readGenerated(path: string): SchemaSet | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SchemaSet;
  } catch {
    return undefined;
  }
}

/** Schemas covering every root of these resources. Only generation needs the `typescript` package. */
export function loadSchemas(resources: ResourceInfo[], path = generatedSchemasPath): SchemaSet {
  const roots = rootsFor(resources);
  const names = roots.map((r) => `${modulePrefix(r.module)}.${r.name}`);
  const key = `${path}:${names.join(',')}`;
  if (cached?.key === key) return cached.schemas;
  let schemas = readGenerated(path);
  if (!schemas || !names.every((n) => schemas && n in schemas)) {
    schemas = generateSchemas(roots);
  }
  cached = { key, schemas };
  return schemas;
}
