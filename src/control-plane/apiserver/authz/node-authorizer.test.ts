// Table-driven decisions of the scoped authorizer: identity x verb x resource x object -> allowed, or the exact
// 403 message upstream gives (Node authorizer reasons, RBAC-style denials, system:node-proxier).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { UserInfo } from '../authn.ts';
import { parseRequestInfo } from '../request-info.ts';
import { attributesOf, forbidden, ScopedAuthorizer } from './index.ts';
import { FakeReader } from './testing.ts';

const nodeA: UserInfo = { name: 'system:node:a', groups: ['system:nodes', 'system:authenticated'] };
const nodeNoName: UserInfo = { name: 'kubelet', groups: ['system:nodes', 'system:authenticated'] };
const proxy: UserInfo = { name: 'system:kube-proxy', groups: ['system:authenticated'] };
const admin: UserInfo = { name: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
const dns: UserInfo = { name: 'system:serviceaccount:kube-system:coredns', groups: ['system:authenticated'] };

const pod = (ns: string, name: string, nodeName: string, spec: Partial<NonNullable<Pod['spec']>> = {}): { resource: string; object: Pod } => ({
  resource: 'pods',
  object: { metadata: { namespace: ns, name }, spec: { nodeName, containers: [{ name: 'c' }], ...spec } },
});

const reader = new FakeReader([
  pod('default', 'web', 'a', {
    serviceAccountName: 'web-sa',
    imagePullSecrets: [{ name: 'regcred' }],
    containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'env-cm', key: 'k' } } }], envFrom: [{ secretRef: { name: 'env-secret' } }] }],
    volumes: [
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'tok', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }, { secret: { name: 'proj-secret' } }] } },
      { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } },
    ],
  }),
  pod('default', 'other', 'b', { volumes: [{ name: 's', secret: { secretName: 'b-secret' } }, { name: 'd', persistentVolumeClaim: { claimName: 'b-data' } }] }),
  { resource: 'persistentvolumeclaims', object: { metadata: { namespace: 'default', name: 'data' }, spec: { volumeName: 'pv-a' } } },
  { resource: 'persistentvolumeclaims', object: { metadata: { namespace: 'default', name: 'b-data' }, spec: { volumeName: 'pv-b' } } },
]);
const authz = new ScopedAuthorizer(reader);

type Row = [user: UserInfo, method: string, path: string, expect: true | string, query?: string];

const rows: Row[] = [
  // nodes: reads of pods, nodes, services; writes to the node's own objects (NodeRestriction narrows further)
  [nodeA, 'GET', '/api/v1/pods', true],
  [nodeA, 'GET', '/api/v1/namespaces/default/pods/other', true],
  [nodeA, 'GET', '/api/v1/nodes', true, 'watch=true'],
  [nodeA, 'GET', '/api/v1/services', true],
  [nodeA, 'POST', '/api/v1/nodes', true],
  [nodeA, 'PATCH', '/api/v1/nodes/a/status', true],
  [nodeA, 'PATCH', '/api/v1/nodes/x', true],
  [nodeA, 'DELETE', '/api/v1/nodes/a', 'nodes "a" is forbidden: User "system:node:a" cannot delete resource "nodes" in API group "" at the cluster scope'],
  [nodeA, 'POST', '/api/v1/namespaces/default/pods', true],
  [nodeA, 'DELETE', '/api/v1/namespaces/default/pods/web', true],
  [nodeA, 'PATCH', '/api/v1/namespaces/default/pods/web/status', true],
  [nodeA, 'POST', '/api/v1/namespaces/default/pods/web/eviction', true],
  [nodeA, 'PATCH', '/api/v1/namespaces/default/pods/web', 'pods "web" is forbidden: User "system:node:a" cannot patch resource "pods" in API group "" in the namespace "default"'],
  [nodeA, 'GET', '/api/v1/namespaces/default/pods/web/log', 'pods "web" is forbidden: User "system:node:a" cannot get resource "pods/log" in API group "" in the namespace "default"'],
  [nodeA, 'POST', '/api/v1/namespaces/default/pods/web/binding', 'pods "web" is forbidden: User "system:node:a" cannot create resource "pods/binding" in API group "" in the namespace "default"'],
  [nodeA, 'DELETE', '/api/v1/namespaces/default/pods', 'pods is forbidden: User "system:node:a" cannot deletecollection resource "pods" in API group "" in the namespace "default"'],
  [nodeA, 'POST', '/api/v1/namespaces/default/events', true],
  [nodeA, 'PATCH', '/api/v1/namespaces/default/events/e1', true],
  [nodeA, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', 'events.events.k8s.io is forbidden: User "system:node:a" cannot create resource "events" in API group "events.k8s.io" in the namespace "default"'],
  [nodeA, 'GET', '/api/v1/namespaces/default/endpoints/web', true],
  [nodeA, 'GET', '/api/v1/endpoints', 'endpoints is forbidden: User "system:node:a" cannot list resource "endpoints" in API group "" at the cluster scope'],
  [nodeA, 'GET', '/api/v1/namespaces', 'namespaces is forbidden: User "system:node:a" cannot list resource "namespaces" in API group "" at the cluster scope'],
  [nodeA, 'POST', '/apis/apps/v1/namespaces/default/deployments', 'deployments.apps is forbidden: User "system:node:a" cannot create resource "deployments" in API group "apps" in the namespace "default"'],
  [nodeA, 'GET', '/metrics', 'forbidden: User "system:node:a" cannot get path "/metrics"'],
  [nodeA, 'GET', '/version', true],
  [nodeA, 'GET', '/api', true],
  [nodeA, 'GET', '/apis/apps/v1', true],
  [nodeA, 'GET', '/openapi/v2', true],
  // the graph: objects referenced by pods bound to the node
  [nodeA, 'GET', '/api/v1/namespaces/default/secrets/regcred', true],
  [nodeA, 'GET', '/api/v1/namespaces/default/secrets/env-secret', true],
  [nodeA, 'GET', '/api/v1/namespaces/default/secrets/proj-secret', true],
  [nodeA, 'GET', '/api/v1/namespaces/default/secrets', true, 'watch=1&fieldSelector=metadata.name%3Dregcred'],
  [nodeA, 'GET', '/api/v1/namespaces/default/secrets/b-secret', `secrets "b-secret" is forbidden: User "system:node:a" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'a' and this object`],
  [nodeA, 'GET', '/api/v1/namespaces/other/secrets/regcred', `secrets "regcred" is forbidden: User "system:node:a" cannot get resource "secrets" in API group "" in the namespace "other": no relationship found between node 'a' and this object`],
  [nodeA, 'GET', '/api/v1/namespaces/default/secrets', 'secrets is forbidden: User "system:node:a" cannot list resource "secrets" in API group "" in the namespace "default": No Object name found'],
  [nodeA, 'GET', '/api/v1/secrets', 'secrets is forbidden: User "system:node:a" cannot list resource "secrets" in API group "" at the cluster scope: can only read namespaced object of this type'],
  [nodeA, 'PUT', '/api/v1/namespaces/default/secrets/regcred', 'secrets "regcred" is forbidden: User "system:node:a" cannot update resource "secrets" in API group "" in the namespace "default": can only read resources of this type'],
  [nodeA, 'GET', '/api/v1/namespaces/default/configmaps/env-cm', true],
  [nodeA, 'GET', '/api/v1/namespaces/default/configmaps/kube-root-ca.crt', true],
  [nodeA, 'GET', '/api/v1/namespaces/kube-system/configmaps/kube-root-ca.crt', `configmaps "kube-root-ca.crt" is forbidden: User "system:node:a" cannot get resource "configmaps" in API group "" in the namespace "kube-system": no relationship found between node 'a' and this object`],
  [nodeA, 'GET', '/api/v1/namespaces/default/persistentvolumeclaims/data', true],
  [nodeA, 'GET', '/api/v1/namespaces/default/persistentvolumeclaims/web-scratch', true],
  [nodeA, 'GET', '/api/v1/namespaces/default/persistentvolumeclaims/b-data', `persistentvolumeclaims "b-data" is forbidden: User "system:node:a" cannot get resource "persistentvolumeclaims" in API group "" in the namespace "default": no relationship found between node 'a' and this object`],
  [nodeA, 'GET', '/api/v1/namespaces/default/persistentvolumeclaims', 'persistentvolumeclaims is forbidden: User "system:node:a" cannot list resource "persistentvolumeclaims" in API group "" in the namespace "default": can only get individual resources of this type'],
  [nodeA, 'PATCH', '/api/v1/namespaces/default/persistentvolumeclaims/data/status', true],
  [nodeA, 'GET', '/api/v1/persistentvolumes/pv-a', true],
  [nodeA, 'GET', '/api/v1/persistentvolumes/pv-b', `persistentvolumes "pv-b" is forbidden: User "system:node:a" cannot get resource "persistentvolumes" in API group "" at the cluster scope: no relationship found between node 'a' and this object`],
  [nodeA, 'POST', '/api/v1/namespaces/default/serviceaccounts/web-sa/token', true],
  [nodeA, 'POST', '/api/v1/namespaces/default/serviceaccounts/default/token', `serviceaccounts "default" is forbidden: User "system:node:a" cannot create resource "serviceaccounts/token" in API group "" in the namespace "default": no relationship found between node 'a' and this object`],
  [nodeA, 'GET', '/api/v1/namespaces/default/serviceaccounts/web-sa', 'serviceaccounts "web-sa" is forbidden: User "system:node:a" cannot get resource "serviceaccounts" in API group "" in the namespace "default": can only create tokens for individual service accounts'],
  // leases: the node's own, in kube-node-lease
  [nodeA, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/a', true],
  [nodeA, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/a', true],
  [nodeA, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', true],
  [nodeA, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/b', 'leases.coordination.k8s.io "b" is forbidden: User "system:node:a" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node'],
  [nodeA, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/a', 'leases.coordination.k8s.io "a" is forbidden: User "system:node:a" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "kube-system": can only access leases in the "kube-node-lease" system namespace'],
  [nodeA, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', 'leases.coordination.k8s.io is forbidden: User "system:node:a" cannot list resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only get, create, update, patch, or delete a node lease'],
  [nodeNoName, 'GET', '/api/v1/pods', 'pods is forbidden: User "kubelet" cannot list resource "pods" in API group "" at the cluster scope: unknown node for user "kubelet"'],
  // kube-proxy: system:node-proxier
  [proxy, 'GET', '/api/v1/services', true, 'watch=true'],
  [proxy, 'GET', '/apis/discovery.k8s.io/v1/endpointslices', true],
  [proxy, 'GET', '/api/v1/endpoints', true],
  [proxy, 'GET', '/api/v1/nodes/a', true],
  [proxy, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', true],
  [proxy, 'PATCH', '/api/v1/namespaces/default/events/e', true],
  [proxy, 'GET', '/api/v1/namespaces/default/services/web', 'services "web" is forbidden: User "system:kube-proxy" cannot get resource "services" in API group "" in the namespace "default"'],
  [proxy, 'GET', '/api/v1/secrets', 'secrets is forbidden: User "system:kube-proxy" cannot list resource "secrets" in API group "" at the cluster scope'],
  [proxy, 'GET', '/api/v1/pods', 'pods is forbidden: User "system:kube-proxy" cannot list resource "pods" in API group "" at the cluster scope'],
  [proxy, 'DELETE', '/api/v1/namespaces/default/services/web', 'services "web" is forbidden: User "system:kube-proxy" cannot delete resource "services" in API group "" in the namespace "default"'],
  [proxy, 'GET', '/apis', true],
  // everyone else: as before RBAC
  [admin, 'DELETE', '/api/v1/nodes/a', true],
  [dns, 'GET', '/api/v1/secrets', true],
  [dns, 'POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', true],
];

for (const [user, method, path, expect, query] of rows) {
  test(`${user.name} ${method} ${path}${query ? `?${query}` : ''} -> ${expect === true ? 'allowed' : '403'}`, async () => {
    const q = new URLSearchParams(query ?? '');
    const a = attributesOf(user, parseRequestInfo(method, path, q), path, method, q);
    const d = await authz.authorize(a);
    if (expect === true) {
      assert.deepEqual(d, { allowed: true });
      return;
    }
    assert.equal(d.allowed, false);
    const err = forbidden(a, d.allowed ? '' : d.reason);
    assert.equal(err.code, 403);
    assert.equal(err.status.reason, 'Forbidden');
    assert.equal(err.message, expect);
  });
}

test('the graph is read only for the kinds the Node authorizer subdivides', async () => {
  const before = reader.scans;
  for (const path of ['/api/v1/pods', '/api/v1/nodes/a', '/api/v1/namespaces/default/events']) {
    const q = new URLSearchParams();
    await authz.authorize(attributesOf(nodeA, parseRequestInfo('GET', path, q), path, 'GET', q));
  }
  assert.equal(reader.scans, before);
});

test('only nodes get an admission step', () => {
  const info = parseRequestInfo('POST', '/api/v1/namespaces/default/pods', new URLSearchParams());
  assert.equal(typeof authz.admission(nodeA, info), 'function');
  assert.equal(authz.admission(proxy, info), undefined);
  assert.equal(authz.admission(admin, info), undefined);
});

test('a 403 carries upstream details', async () => {
  const q = new URLSearchParams();
  const path = '/api/v1/namespaces/default/secrets/b-secret';
  const a = attributesOf(nodeA, parseRequestInfo('GET', path, q), path, 'GET', q);
  const d = await authz.authorize(a);
  const err = forbidden(a, d.allowed ? '' : d.reason);
  assert.deepEqual(err.status.details, { name: 'b-secret', group: undefined, kind: 'secrets' });
});
