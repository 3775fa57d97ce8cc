import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.ts';
import { fieldLabelsOf, matchesFieldSelector, objectMatchesFieldSelector, parseFieldSelector, supportedFieldLabels } from './fields.ts';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'node-a', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', containers: [] },
  status: { phase: 'Running', podIP: '10.42.0.5', podIPs: [{ ip: '10.42.0.5' }] },
};

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail('expected a 400');
}

test('pod field labels are upstream\'s set', () => {
  assert.deepEqual(fieldLabelsOf('v1/Pod', pod), {
    'metadata.name': 'web-1',
    'metadata.namespace': 'default',
    'spec.nodeName': 'node-a',
    'spec.restartPolicy': 'Always',
    'spec.schedulerName': 'default-scheduler',
    'spec.serviceAccountName': 'default',
    'spec.hostNetwork': 'false',
    'status.phase': 'Running',
    'status.podIP': '10.42.0.5',
    'status.podIPs': '10.42.0.5',
    'status.nominatedNodeName': '',
  });
});

test('other kinds: events, secrets, namespaces, nodes, replicasets', () => {
  const ev = fieldLabelsOf('v1/Event', {
    metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' },
    reason: 'Scheduled', type: 'Normal', source: { component: 'default-scheduler' }, reportingComponent: 'default-scheduler',
  });
  assert.equal(ev['involvedObject.kind'], 'Pod');
  assert.equal(ev['involvedObject.uid'], 'u1');
  assert.equal(ev['involvedObject.fieldPath'], '');
  assert.equal(ev.source, 'default-scheduler');
  assert.equal(fieldLabelsOf('v1/Secret', { metadata: { name: 's', namespace: 'x' }, type: 'Opaque' }).type, 'Opaque');
  assert.deepEqual(fieldLabelsOf('v1/Namespace', { metadata: { name: 'ns' }, status: { phase: 'Active' } }), { 'metadata.name': 'ns', 'status.phase': 'Active' });
  assert.deepEqual(fieldLabelsOf('v1/Node', { metadata: { name: 'n' }, spec: { unschedulable: true } }), { 'metadata.name': 'n', 'spec.unschedulable': 'true' });
  assert.equal(fieldLabelsOf('apps/v1/ReplicaSet', { metadata: { name: 'r', namespace: 'd' }, status: { replicas: 3 } })['status.replicas'], '3');
  assert.equal(fieldLabelsOf('apps/v1/ReplicaSet', { metadata: { name: 'r', namespace: 'd' } })['status.replicas'], '0');
  assert.deepEqual(supportedFieldLabels('v1/ConfigMap'), ['metadata.name', 'metadata.namespace']);
});

test('parse and match: =, ==, !=, comma-AND', () => {
  const labels = fieldLabelsOf('v1/Pod', pod);
  const match = (s: string): boolean => matchesFieldSelector(parseFieldSelector(s, 'v1/Pod'), labels);
  assert.equal(match(''), true);
  assert.equal(match('spec.nodeName=node-a'), true);
  assert.equal(match('spec.nodeName==node-a'), true);
  assert.equal(match('spec.nodeName!=node-a'), false);
  assert.equal(match('spec.nodeName=,status.phase=Running'), false);
  assert.equal(match('status.phase!=Succeeded,status.phase!=Failed'), true);
  assert.equal(match('spec.host=node-a'), true, 'legacy spec.host maps to spec.nodeName');
  assert.equal(objectMatchesFieldSelector('metadata.name=web-1', 'v1/Pod', pod), true);
  assert.equal(parseFieldSelector('b=1,a!=2').toString(), 'a!=2,b=1');
});

test('escaped values', () => {
  const sel = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d');
  assert.equal(sel.requirements[0].value, 'a,b=c\\d');
  assert.equal(sel.toString(), 'metadata.name=a\\,b\\=c\\\\d');
  assert.equal(badRequest(() => parseFieldSelector('a=b\\x')), 'invalid field selector: invalid escape sequence: \\x');
  assert.equal(badRequest(() => parseFieldSelector('a=b=c')), 'invalid field selector: unescaped character in value: =');
});

test('errors: syntax and unsupported labels', () => {
  assert.equal(badRequest(() => parseFieldSelector('foo')), "invalid selector: 'foo'; can't understand 'foo'");
  assert.equal(badRequest(() => parseFieldSelector('spec.foo=x', 'v1/Pod')), 'field label not supported: spec.foo');
  assert.equal(badRequest(() => parseFieldSelector('metadata.namespace=x', 'v1/Node')), 'field label not supported: metadata.namespace');
  assert.equal(
    badRequest(() => parseFieldSelector('foo.bar=baz', 'v1/ConfigMap')),
    '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  assert.doesNotThrow(() => parseFieldSelector('spec.unschedulable=false', 'v1/Node'));
  assert.doesNotThrow(() => parseFieldSelector('type=Opaque,metadata.namespace=x', 'v1/Secret'));
  assert.doesNotThrow(() => parseFieldSelector('involvedObject.name=x,source=kubelet', 'v1/Event'));
  assert.doesNotThrow(() => parseFieldSelector('regarding.name=x,reportingController=k', 'events.k8s.io/v1/Event'));
});

test('every field selector the resource table advertises is both accepted and computed', async () => {
  const { resources } = await import('./resources.ts');
  for (const r of resources) {
    const key = r.group ? `${r.group}/${r.version}/${r.kind}` : `${r.version}/${r.kind}`;
    const labels = fieldLabelsOf(key, { metadata: { name: 'x', namespace: r.namespaced ? 'd' : undefined } });
    for (const f of r.fieldSelectors) {
      assert.ok(f in labels, `${key} computes ${f}`);
      assert.doesNotThrow(() => parseFieldSelector(`${f}=v`, key), `${key} accepts ${f}`);
    }
  }
});
