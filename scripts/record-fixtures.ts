// `npm run record:fixtures [REFERENCE_DIR]`: copies what the tests compare against out of the upstream reference
// material into test/fixtures/, so that the test suite reads nothing outside the repository. Run it again only
// when the reference material changes; commit what it writes. REFERENCE_DIR defaults to ../shared/reference
// beside the repository (read-only reference data, not project code). What comes from where:
//   kubectl-golden/, kubectl-golden-by-version/  byte-exact stdout of real kubectl 1.27…1.33 against a recording
//                                                server (see the README.md copied with them); copied unchanged.
//   kubectl-protobuf-bodies.txt                  the protobuf request bodies kubectl 1.32/1.33 sent, as recorded in
//                                                kubectl-requests.txt (section name + base64 body, one per line).
//   openapi/upstream-v3-fields.json              Kubernetes v1.35.0's published OpenAPI v3 component schemas
//                                                (api/openapi-spec/v3, see openapi/SOURCE.txt) of the types Skiff
//                                                serves and all they reference, cut down to what
//                                                the schema test compares: per property its type, format, list and
//                                                patch markers and a digest of its description.
//   openapi/upstream-v2-merge-keys.json          the same release's swagger.json definitions (the same selection,
//                                                plus the kinds the merge-key table of src/api/merge-keys.ts covers),
//                                                cut down to the
//                                                references and x-kubernetes-* markers the merge-key test walks.
import { copyFileSync, mkdirSync, rmSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resources } from '../src/api/resources.ts';
import { generateSchemas } from '../src/api/openapi/generate.ts';
import { rootsFor } from '../src/api/openapi/modules.ts';
import { kindRoots } from '../src/api/merge-keys.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const fixturesDir = join(repo, 'test', 'fixtures');

type Json = Record<string, unknown>;

/** The digest a fixture keeps instead of a description: enough to tell identical text from changed text. */
export function descriptionDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const v3PropertyKeys = ['type', 'format', 'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys'];

function copyTree(from: string, to: string): number {
  mkdirSync(to, { recursive: true });
  let n = 0;
  for (const name of readdirSync(from).sort()) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) n += copyTree(src, join(to, name));
    else {
      copyFileSync(src, join(to, name));
      n++;
    }
  }
  return n;
}

function protobufBodies(requestsLog: string): string {
  const lines: string[] = [];
  let section = '';
  for (const line of readFileSync(requestsLog, 'latin1').split('\n')) {
    const head = /^### (\S+)/.exec(line);
    if (head) section = head[1];
    const body = /body: base64:(\S+)/.exec(line);
    if (body) lines.push(`${section}\t${body[1]}`);
  }
  return lines.join('\n') + '\n';
}

function pick(o: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** Every $ref anywhere inside a schema. */
function refsIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refsIn(x, out);
    }
  }
  return out;
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Definitions of the kinds the merge-key table covers (some of which Skiff does not serve). */
function mergeKeyKinds(defs: Record<string, Json>): string[] {
  const wanted = new Set(Object.keys(kindRoots));
  return Object.keys(defs).filter((name) => ((defs[name]['x-kubernetes-group-version-kind'] ?? []) as GroupVersionKind[])
    .some((g) => wanted.has(g.group ? `${g.group}/${g.version}/${g.kind}` : `${g.version}/${g.kind}`)));
}

/** Upstream definitions worth keeping: the ones Skiff serves under the same name (plus extra seeds), and all
 *  they reference. */
function reachable(defs: Record<string, Json>, prefix: string, seeds: string[] = []): Set<string> {
  const keep = new Set<string>();
  const visit = (name: string): void => {
    if (keep.has(name) || !defs[name]) return;
    keep.add(name);
    for (const ref of refsIn(defs[name])) visit(ref.slice(prefix.length));
  };
  for (const name of [...Object.keys(generateSchemas(rootsFor(resources))), ...seeds]) visit(name);
  return keep;
}

function v3Fields(dir: string): Json {
  const schemas: Record<string, Json> = {};
  for (const f of readdirSync(dir).sort()) {
    const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { components?: { schemas?: Record<string, Json> } };
    Object.assign(schemas, doc.components?.schemas ?? {});
  }
  const out: Record<string, Json> = {};
  for (const name of [...reachable(schemas, '#/components/schemas/')].sort()) {
    const s = schemas[name];
    const props = (s.properties ?? {}) as Record<string, Json>;
    out[name] = {
      ...pick(s, ['type', 'format', 'required']),
      properties: Object.fromEntries(Object.entries(props).map(([field, p]) => [field, {
        ...pick(p, v3PropertyKeys),
        ...(typeof p.description === 'string' ? { description: descriptionDigest(p.description) } : {}),
      }])),
    };
  }
  return out;
}

function trimV2Property(p: Json): Json {
  const out = pick(p, ['$ref', 'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key', 'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys', 'x-kubernetes-map-type']);
  if (p.items) out.items = trimV2Property(p.items as Json);
  if (p.additionalProperties && typeof p.additionalProperties === 'object') out.additionalProperties = trimV2Property(p.additionalProperties as Json);
  return out;
}

function v2MergeKeys(swaggerPath: string): Json {
  const defs = (JSON.parse(readFileSync(swaggerPath, 'utf8')) as { definitions: Record<string, Json> }).definitions;
  const out: Record<string, Json> = {};
  for (const name of [...reachable(defs, '#/definitions/', mergeKeyKinds(defs))].sort()) {
    const d = defs[name];
    const props = (d.properties ?? {}) as Record<string, Json>;
    out[name] = {
      ...pick(d, ['x-kubernetes-map-type']),
      properties: Object.fromEntries(Object.entries(props).map(([field, p]) => [field, trimV2Property(p)])),
    };
  }
  return out;
}

function writeJson(path: string, source: string, data: Json): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ source, data }, null, 1)}\n`);
}

export function recordFixtures(referenceDir: string): string[] {
  const written: string[] = [];
  rmSync(fixturesDir, { recursive: true, force: true });
  const n1 = copyTree(join(referenceDir, 'kubectl-golden'), join(fixturesDir, 'kubectl-golden'));
  written.push(`kubectl-golden/ (${n1} files)`);
  const n2 = copyTree(join(referenceDir, 'kubectl-golden-by-version'), join(fixturesDir, 'kubectl-golden-by-version'));
  written.push(`kubectl-golden-by-version/ (${n2} files)`);
  writeFileSync(join(fixturesDir, 'kubectl-protobuf-bodies.txt'), protobufBodies(join(referenceDir, 'kubectl-requests.txt')));
  written.push('kubectl-protobuf-bodies.txt');
  const release = 'Kubernetes v1.35.0 api/openapi-spec (commit 66452049f3d692768c39c797b21b793dce80314e)';
  writeJson(join(fixturesDir, 'openapi', 'upstream-v3-fields.json'),
    `${release} v3 component schemas, properties cut to ${v3PropertyKeys.join(', ')} and a sha256/16 digest of the description`,
    v3Fields(join(referenceDir, 'openapi', 'v3')));
  written.push('openapi/upstream-v3-fields.json');
  writeJson(join(fixturesDir, 'openapi', 'upstream-v2-merge-keys.json'),
    `${release} v2 swagger.json definitions, cut to $ref/items/additionalProperties and x-kubernetes-* markers`,
    v2MergeKeys(join(referenceDir, 'openapi', 'v2', 'swagger.json')));
  written.push('openapi/upstream-v2-merge-keys.json');
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const referenceDir = resolve(process.argv[2] ?? join(repo, '..', 'shared', 'reference'));
  for (const w of recordFixtures(referenceDir)) console.log(`wrote test/fixtures/${w}`);
}
