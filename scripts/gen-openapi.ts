// `npm run gen:openapi`: writes generated/openapi-schemas.json, the component schemas of every resource Skiff
// serves, derived from the kubernetes-types declarations (see src/api/openapi/generate.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resources } from '../src/api/resources.ts';
import { generateSchemas } from '../src/api/openapi/generate.ts';
import { rootsFor } from '../src/api/openapi/modules.ts';
import { generatedSchemasPath } from '../src/api/openapi/load.ts';

export function writeSchemas(path: string = generatedSchemasPath): { count: number; ms: number } {
  const start = performance.now();
  const schemas = generateSchemas(rootsFor(resources));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(schemas, null, 1)}\n`);
  return { count: Object.keys(schemas).length, ms: Math.round(performance.now() - start) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { count, ms } = writeSchemas(process.argv[2]);
  console.log(`wrote ${count} schemas to ${process.argv[2] ?? generatedSchemasPath} in ${ms} ms`);
}
