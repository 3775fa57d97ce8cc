// Unit checks of the OpenAPI documents: schemas agree with upstream's published documents where the API has not
// moved since kubernetes-types 1.30 (test/fixtures/openapi/upstream-v3-fields.json, recorded by
// scripts/record-fixtures.ts), the v2 protobuf round-trips, and the HTTP helper does hashes and ETags.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resources } from '../resources.ts';
import { generateSchemas } from './generate.ts';
import { rootsFor } from './modules.ts';
import { loadSchemas } from './load.ts';
import { OpenApi, handleOpenApiRequest, v2ProtobufType } from './index.ts';
import { decodeV2Document } from './gnostic.ts';
import type { Schema, SchemaSet } from './schema.ts';
import { writeSchemas } from '../../../scripts/gen-openapi.ts';
import { descriptionDigest } from '../../../scripts/record-fixtures.ts';

/** Upstream's schemas as recorded: per property the compared keys, and a digest in place of the description. */
function upstreamSchemas(): SchemaSet {
  const file = new URL('../../../test/fixtures/openapi/upstream-v3-fields.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { data: SchemaSet }).data;
}

describe('generated schemas', () => {
  const schemas = generateSchemas(rootsFor(resources));

  it('names kinds as upstream and marks their group/version/kind', () => {
    assert.deepEqual(schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'],
      [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    assert.deepEqual(schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'],
      [{ group: '', kind: 'Pod', version: 'v1' }]);
    for (const name of ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'io.k8s.api.autoscaling.v1.Scale', 'io.k8s.api.policy.v1.Eviction',
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'io.k8s.apimachinery.pkg.api.resource.Quantity']) {
      assert.ok(schemas[name], name);
    }
  });

  it('special-cases int-or-string, time, bytes, int64 and patch strategies', () => {
    const rolling = schemas['io.k8s.api.apps.v1.RollingUpdateDeployment'].properties ?? {};
    assert.deepEqual(rolling.maxSurge.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
    assert.equal(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
    assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
    assert.deepEqual(schemas['io.k8s.api.core.v1.Secret'].properties?.data.additionalProperties, { format: 'byte', type: 'string' });
    assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties?.generation.format, 'int64');
    const containers = schemas['io.k8s.api.core.v1.PodSpec'].properties?.containers as Schema;
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
    assert.equal((schemas['io.k8s.api.core.v1.PodSpec'].properties?.tolerations as Schema)['x-kubernetes-list-type'], 'atomic');
    assert.deepEqual(schemas['io.k8s.api.apps.v1.DeploymentSpec'].required, ['selector', 'template']);
  });

  it('agrees with upstream on types, formats, list markers and most descriptions', () => {
    const upstream = upstreamSchemas();
    const keys = ['type', 'format', 'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key',
      'x-kubernetes-list-type', 'x-kubernetes-list-map-keys'] as const;
    let fields = 0;
    let sameDescription = 0;
    const mismatches: string[] = [];
    for (const [name, s] of Object.entries(schemas)) {
      const u = upstream[name];
      if (!u) continue;
      for (const [field, p] of Object.entries(s.properties ?? {})) {
        const up = u.properties?.[field];
        if (!up) continue;
        fields++;
        if (p.description !== undefined && descriptionDigest(p.description) === up.description) sameDescription++;
        for (const k of keys) {
          if (JSON.stringify(p[k]) !== JSON.stringify(up[k])) mismatches.push(`${name}.${field} ${k}`);
        }
      }
    }
    assert.deepEqual(mismatches, []);
    assert.ok(fields > 900, `compared ${fields} fields`);
    // kubernetes-types is 1.30 and the reference is newer: ~10% of descriptions were reworded upstream since.
    assert.ok(sameDescription / fields > 0.85, `${sameDescription}/${fields} descriptions identical`);
  });

  it('declares Time and ObjectMeta.creationTimestamp as upstream does (a date-time string, by reference)', () => {
    const upstream = upstreamSchemas();
    const time = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
    assert.deepEqual({ type: schemas[time].type, format: schemas[time].format }, { type: upstream[time].type, format: upstream[time].format });
    assert.deepEqual(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties?.creationTimestamp.allOf,
      [{ $ref: `#/components/schemas/${time}` }]);
    assert.equal(upstream['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties?.creationTimestamp.type, undefined);
  });

  it('the generator script writes the file the server loads; a missing file is generated in process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-gen-'));
    try {
      const file = join(dir, 'openapi-schemas.json');
      const { count } = writeSchemas(file);
      assert.ok(count > 150);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), JSON.parse(JSON.stringify(schemas)), 'the file holds what the generator produces');
      const loaded = loadSchemas(resources, file);
      assert.equal(Object.keys(loaded).length, count);
      const generated = loadSchemas(resources, join(dir, 'missing.json'));
      assert.deepEqual(JSON.parse(JSON.stringify(generated)), loaded);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('served documents', async () => {
  const api = await OpenApi.load(resources);

  it('lists every group version with a hashed link', () => {
    const d = api.openApiV3Discovery() as { paths: Record<string, { serverRelativeURL: string }> };
    assert.match(d.paths['apis/apps/v1'].serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    assert.ok(d.paths['api/v1']);
    assert.ok(d.paths['apis/coordination.k8s.io/v1']);
  });

  it('gives each resource upstream paths with patch, fieldValidation and the kind', () => {
    const gv = api.openApiV3GroupVersion('apps', 'v1');
    assert.ok(gv);
    const doc = JSON.parse(gv.body.toString()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; 'x-kubernetes-group-version-kind'?: object }>>;
      components: { schemas: SchemaSet };
    };
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    assert.ok(item.patch.parameters?.some((p) => p.name === 'fieldValidation'));
    assert.ok(item.put.parameters?.some((p) => p.name === 'dryRun'));
    assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']);
    assert.ok(doc.components.schemas['io.k8s.api.apps.v1.Deployment']);
    assert.ok(doc.components.schemas['io.k8s.api.core.v1.PodSpec']);
    assert.equal(doc.components.schemas['io.k8s.api.core.v1.Pod'], undefined, 'only what apps/v1 reaches');
    assert.equal(api.openApiV3GroupVersion('batch', 'v1'), undefined);
  });

  it('encodes v2 as gnostic protobuf that decodes to the same paths and definitions', () => {
    const json = JSON.parse(api.openApiV2('json').body.toString()) as { paths: object; definitions: object };
    const doc = decodeV2Document(api.openApiV2('protobuf').body) as {
      swagger: string;
      paths: { path: { name: string; value: { patch?: { vendorExtension: { name: string; value: { yaml: string } }[] } } }[] };
      definitions: { additionalProperties: { name: string; value: { vendorExtension?: { name: string }[] } }[] };
    };
    assert.equal(doc.swagger, '2.0');
    assert.equal(doc.paths.path.length, Object.keys(json.paths).length);
    assert.equal(doc.definitions.additionalProperties.length, Object.keys(json.definitions).length);
    const item = doc.paths.path.find((p) => p.name === '/api/v1/namespaces/{namespace}/pods/{name}');
    const gvk = item?.value.patch?.vendorExtension.find((e) => e.name === 'x-kubernetes-group-version-kind');
    assert.deepEqual(JSON.parse(gvk?.value.yaml ?? 'null'), { group: '', kind: 'Pod', version: 'v1' });
  });

  it('answers HTTP with content negotiation, ETags and hash redirects', () => {
    const proto = handleOpenApiRequest(api, '/openapi/v2?timeout=32s', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    assert.equal(proto?.status, 200);
    assert.equal(proto?.headers['Content-Type'], v2ProtobufType);
    const json = handleOpenApiRequest(api, '/openapi/v2', 'application/json');
    assert.equal(json?.headers['Content-Type'], 'application/json');
    assert.equal(handleOpenApiRequest(api, '/openapi/v2', 'application/json', json?.headers.ETag)?.status, 304);
    const gv = api.openApiV3GroupVersion('', 'v1');
    const fresh = handleOpenApiRequest(api, `/openapi/v3/api/v1?hash=${gv?.hash}`, 'application/json');
    assert.equal(fresh?.status, 200);
    assert.equal(fresh?.headers['Cache-Control'], 'public, immutable');
    const stale = handleOpenApiRequest(api, '/openapi/v3/api/v1?hash=0000', 'application/json');
    assert.equal(stale?.status, 301);
    assert.equal(stale?.headers.Location, `/openapi/v3/api/v1?hash=${gv?.hash}`);
    assert.equal(handleOpenApiRequest(api, '/openapi/v3/apis/batch/v1', '')?.status, 404);
    assert.equal(handleOpenApiRequest(api, '/api/v1', ''), undefined);
  });
});
