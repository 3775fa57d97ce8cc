// Checks the merge-key table against upstream's published OpenAPI (v1.35 swagger.json, recorded cut down to its
// references and x-kubernetes-* markers in test/fixtures/openapi by scripts/record-fixtures.ts): every tag
// written here must match upstream's, and every non-default tag reachable from a kind listed here must be
// written here. A definition the walk reaches but the recording lacks is a failure, not a silent pass.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { kindRoots, types, type FieldSchema } from './merge-keys.ts';

const swaggerFixture = new URL('../../test/fixtures/openapi/upstream-v2-merge-keys.json', import.meta.url);

interface Prop {
  $ref?: string;
  items?: Prop;
  additionalProperties?: Prop;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
}
interface Definition {
  properties?: Record<string, Prop>;
  'x-kubernetes-map-type'?: string;
}

const rootDefinitions: Record<string, string> = {
  'v1/Pod': 'io.k8s.api.core.v1.Pod', 'v1/Service': 'io.k8s.api.core.v1.Service', 'v1/Node': 'io.k8s.api.core.v1.Node',
  'v1/Namespace': 'io.k8s.api.core.v1.Namespace', 'v1/Endpoints': 'io.k8s.api.core.v1.Endpoints',
  'v1/ConfigMap': 'io.k8s.api.core.v1.ConfigMap', 'v1/Secret': 'io.k8s.api.core.v1.Secret',
  'v1/ServiceAccount': 'io.k8s.api.core.v1.ServiceAccount', 'v1/Event': 'io.k8s.api.core.v1.Event',
  'apps/v1/Deployment': 'io.k8s.api.apps.v1.Deployment', 'apps/v1/ReplicaSet': 'io.k8s.api.apps.v1.ReplicaSet',
  'coordination.k8s.io/v1/Lease': 'io.k8s.api.coordination.v1.Lease',
  'discovery.k8s.io/v1/EndpointSlice': 'io.k8s.api.discovery.v1.EndpointSlice',
  'events.k8s.io/v1/Event': 'io.k8s.api.events.v1.Event', 'autoscaling/v1/Scale': 'io.k8s.api.autoscaling.v1.Scale',
  'apps/v1/StatefulSet': 'io.k8s.api.apps.v1.StatefulSet', 'apps/v1/DaemonSet': 'io.k8s.api.apps.v1.DaemonSet',
  'v1/ReplicationController': 'io.k8s.api.core.v1.ReplicationController', 'v1/PodTemplate': 'io.k8s.api.core.v1.PodTemplate',
  'v1/PersistentVolumeClaim': 'io.k8s.api.core.v1.PersistentVolumeClaim', 'v1/LimitRange': 'io.k8s.api.core.v1.LimitRange',
  'batch/v1/Job': 'io.k8s.api.batch.v1.Job', 'batch/v1/CronJob': 'io.k8s.api.batch.v1.CronJob',
  'rbac.authorization.k8s.io/v1/Role': 'io.k8s.api.rbac.v1.Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'io.k8s.api.rbac.v1.ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'io.k8s.api.rbac.v1.RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'io.k8s.api.rbac.v1.ClusterRoleBinding',
};

const refOf = (p: Prop | undefined): string | undefined =>
  p?.$ref?.replace('#/definitions/', '') ?? (p?.items ? refOf(p.items) : p?.additionalProperties ? refOf(p.additionalProperties) : undefined);

/** Upstream's tags for one property, in this table's vocabulary. */
function expected(p: Prop, defs: Record<string, Definition>): Omit<FieldSchema, 'type'> {
  const out: Omit<FieldSchema, 'type'> = {};
  if (p['x-kubernetes-patch-strategy']) out.patchStrategy = p['x-kubernetes-patch-strategy'] as FieldSchema['patchStrategy'];
  if (p['x-kubernetes-patch-merge-key']) out.patchMergeKey = p['x-kubernetes-patch-merge-key'];
  const lt = p['x-kubernetes-list-type'];
  if (lt === 'set' || lt === 'map') out.listType = lt;
  if (lt === 'map') out.listMapKeys = p['x-kubernetes-list-map-keys'];
  const target = refOf(p);
  if (p['x-kubernetes-map-type'] === 'atomic' || (!p.items && target && defs[target]?.['x-kubernetes-map-type'] === 'atomic')) out.atomic = true;
  return out;
}

function mine(f: FieldSchema | undefined): Omit<FieldSchema, 'type'> {
  const { type, ...rest } = f ?? {};
  const out: Omit<FieldSchema, 'type'> = { ...rest };
  if (type && types[type]?.atomic && !f?.listType && !f?.patchStrategy) out.atomic = true;
  return out;
}

describe('merge-key table matches upstream OpenAPI', () => {
  const defs = (JSON.parse(readFileSync(swaggerFixture, 'utf8')) as { data: Record<string, Definition> }).data;

  it('has an upstream definition for every kind it lists', () => {
    assert.deepEqual(Object.keys(kindRoots).filter((k) => !rootDefinitions[k] || !defs[rootDefinitions[k]]), []);
  });

  for (const [kind, root] of Object.entries(kindRoots)) {
    it(kind, () => {
      const problems: string[] = [];
      const seen = new Set<string>();
      const walk = (def: string, typeName: string | undefined, path: string): void => {
        const key = `${def}|${typeName}`;
        if (seen.has(key)) return;
        seen.add(key);
        const d = defs[def];
        if (!d) {
          problems.push(`${path}: upstream has no definition ${def}`);
          return;
        }
        if ((d['x-kubernetes-map-type'] === 'atomic') !== (typeName !== undefined && types[typeName]?.atomic === true) && typeName) {
          problems.push(`${path}: type atomic differs`);
        }
        for (const [name, p] of Object.entries(d.properties ?? {})) {
          const field = typeName ? types[typeName]?.fields[name] : undefined;
          const want = expected(p, defs);
          const have = mine(field);
          // A list's element type being atomic is not the list's own atomicity.
          if (p.items) delete want.atomic;
          if (p.items) delete have.atomic;
          if (JSON.stringify(sortKeys(want)) !== JSON.stringify(sortKeys(have))) {
            problems.push(`${path}.${name}: upstream ${JSON.stringify(want)}, table ${JSON.stringify(have)}`);
          }
          const target = refOf(p);
          if (target && !/\.(Time|MicroTime|Quantity|IntOrString|RawExtension|FieldsV1)$/.test(target)) {
            walk(target, field?.type, `${path}.${name}`);
          }
        }
      };
      walk(rootDefinitions[kind], root, kind);
      assert.deepEqual(problems, []);
    });
  }
});

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}
