import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../api/resources.ts';
import { loadSchemas } from '../../api/openapi/load.ts';
import type { KubeObject } from '../../api/object.ts';
import { SchemaWalker } from './field-validation.ts';

const walker = new SchemaWalker(loadSchemas(resources));
const pod = (container: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ...container }], ...spec } });

describe('SchemaWalker.typeError (the typed decode)', () => {
  it('accepts well-typed objects, nulls and undeclared fields', () => {
    assert.equal(walker.typeError('v1/Pod', pod({ ports: [{ containerPort: 80, protocol: null }] }, { bogus: 1 })), undefined);
    const d = { metadata: { name: 'd', creationTimestamp: null }, spec: { replicas: 2, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } } };
    assert.equal(walker.typeError('apps/v1/Deployment', d as unknown as KubeObject), undefined);
  });

  it("words type errors as upstream's Go decoder", () => {
    const cases: [string, unknown, string][] = [
      ['v1/ConfigMap', { data: { a: 1 } }, 'json: cannot unmarshal number into Go struct field ConfigMap.data of type string'],
      ['v1/Pod', pod({ ports: [{ containerPort: 'eighty' }] }), 'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32'],
      ['v1/Pod', pod({ ports: [{ containerPort: 2 ** 31 }] }), `json: cannot unmarshal number ${2 ** 31} into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32`],
      ['v1/Pod', pod({}, { activeDeadlineSeconds: 1.5 }), 'json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64'],
      ['v1/Pod', { spec: 'x' }, 'json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec'],
      ['v1/Pod', pod({}, { containers: {} }), 'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container'],
      ['v1/Pod', pod({ stdin: 'yes' }), 'json: cannot unmarshal string into Go struct field Container.spec.containers.stdin of type bool'],
      ['v1/Pod', { metadata: { labels: ['a'] } }, 'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string'],
      ['v1/Secret', { data: { a: 'not base64!' } }, 'illegal base64 data at input byte 3'],
      ['v1/Secret', { data: { a: 5 } }, 'json: cannot unmarshal number into Go struct field Secret.data of type []uint8'],
      ['v1/Service', { spec: { ports: [{ port: 80, targetPort: true }] } }, 'json: cannot unmarshal bool into Go value of type int32'],
      ['v1/Pod', pod({ resources: { limits: { cpu: 'lots' } } }), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
      ['v1/Pod', pod({ resources: { limits: { cpu: '1Kim' } } }), "unable to parse quantity's suffix"],
      ['v1/Pod', { metadata: { creationTimestamp: 5 } }, 'json: cannot unmarshal number into Go value of type string'],
      ['v1/Pod', { metadata: { creationTimestamp: 'yesterday' } }, 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
    ];
    for (const [kindKey, obj, want] of cases) assert.equal(walker.typeError(kindKey, obj as KubeObject), want, JSON.stringify(obj));
  });

  it('accepts numbers and strings where a quantity or an int-or-string may be either', () => {
    assert.equal(walker.typeError('v1/Pod', pod({ resources: { limits: { cpu: 1, memory: '1.5Gi' }, requests: { cpu: '100m', memory: '1e3' } } })), undefined);
    assert.equal(walker.typeError('v1/Service', { spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8080 }] } }), undefined);
  });
});

describe('SchemaWalker unknown fields', () => {
  it('reports and prunes undeclared fields by path', () => {
    const obj = pod({ bogus: 1 }, { other: true });
    assert.deepEqual(walker.unknownFields('v1/Pod', obj), ['spec.containers[0].bogus', 'spec.other']);
    assert.deepEqual(walker.prune('v1/Pod', obj), ['spec.containers[0].bogus', 'spec.other']);
    assert.deepEqual(walker.unknownFields('v1/Pod', obj), []);
  });
});
