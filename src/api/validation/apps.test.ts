import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, fieldErrorText } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { definitionFor } from '../resources.ts';
import { defaultsOf, validatorOf } from '../../../test/support/definitions.ts';

function deployment(spec: Record<string, unknown> = {}, labels = { app: 'http' }): KubeObject {
  const d: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx-deployment', namespace: 'default', uid: 'u' },
    spec: {
      selector: { matchLabels: { app: 'http' } },
      template: { metadata: { labels }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
      ...spec,
    },
  };
  defaultsOf('apps/v1/Deployment')(d);
  return d;
}
const dv = validatorOf('apps/v1/Deployment');
const texts = (errs: ReturnType<typeof dv.create>): string[] => errs.map(fieldErrorText);

test('a defaulted deployment is valid', () => {
  assert.deepEqual(dv.create(deployment()), []);
});

test('selector must match the template labels (upstream message, JSON value)', () => {
  const d = deployment({}, { app: 'other' });
  const e = ApiError.invalid('Deployment', 'apps', 'nginx-deployment', dv.create(d));
  assert.equal(e.message, 'Deployment.apps "nginx-deployment" is invalid: spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`');
});

test('selector required and non-empty; replicas non-negative; restartPolicy Always', () => {
  assert.deepEqual(texts(dv.create(deployment({ selector: undefined }))), ['spec.selector: Required value']);
  assert.deepEqual(texts(dv.create(deployment({ selector: {} }))), ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']);
  assert.deepEqual(texts(dv.create(deployment({ replicas: -1 }))), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  const never = deployment();
  ((never.spec as { template: { spec: Record<string, unknown> } }).template.spec).restartPolicy = 'Never';
  assert.deepEqual(texts(dv.create(never)), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  const noImage = deployment({ template: { metadata: { labels: { app: 'http' } }, spec: { containers: [{ name: 'nginx' }] } } });
  assert.deepEqual(texts(dv.create(noImage)), ['spec.template.spec.containers[0].image: Required value']);
  assert.deepEqual(texts(dv.create(deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } }))).slice(0, 1), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
});

test('strategy parameters', () => {
  assert.deepEqual(texts(dv.create(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }))), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
  ]);
  assert.deepEqual(texts(dv.create(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '150%' } } }))), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
  ]);
  assert.deepEqual(texts(dv.create(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots', maxUnavailable: 1 } } }))), [
    "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
  ]);
  assert.deepEqual(texts(dv.create(deployment({ strategy: { type: 'Recreate', rollingUpdate: {} } }))), [
    "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
  ]);
  assert.deepEqual(texts(dv.create(deployment({ progressDeadlineSeconds: 5, minReadySeconds: 10 }))), [
    'spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds',
  ]);
});

test('apps/v1 selector is immutable on update (upstream wording)', () => {
  const old = deployment();
  const next = deployment({ selector: { matchLabels: { app: 'sk' } } }, { app: 'sk' });
  const e = ApiError.invalid('Deployment', 'apps', 'nginx-deployment', dv.update(next, old));
  assert.equal(e.message, 'Deployment.apps "nginx-deployment" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"sk"}}: field is immutable');
  const scaled = deployment({ replicas: 5 });
  assert.deepEqual(dv.update(scaled, old), []);
});

test('replicasets and scale', () => {
  const rv = validatorOf('apps/v1/ReplicaSet');
  const rs: KubeObject = {
    metadata: { name: 'web-abc', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'website' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  };
  defaultsOf('apps/v1/ReplicaSet')(rs);
  assert.deepEqual(texts(rv.create(rs)), ['spec.template.metadata.labels: Invalid value: {"app":"website"}: `selector` does not match template `labels`']);
  const scale = definitionFor('apps/v1/Deployment')!.subresources.scale!;
  assert.deepEqual(scale.validate({ metadata: { name: 'web', namespace: 'default' }, spec: { replicas: -2 } }).map(fieldErrorText), [
    'spec.replicas: Invalid value: -2: must be greater than or equal to 0',
  ]);
});
