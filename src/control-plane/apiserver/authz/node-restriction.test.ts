// NodeRestriction as a node's writes meet it: the object about to be written and the stored one, against upstream's
// rules and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { admitNodeWrite, type NodeWrite } from './node-restriction.ts';
import { FakeReader } from './testing.ts';

const reader = new FakeReader([
  { resource: 'nodes', object: { metadata: { name: 'a', uid: 'uid-a' } } },
  { resource: 'pods', object: { metadata: { namespace: 'default', name: 'mine', uid: 'uid-mine' }, spec: { nodeName: 'a', containers: [] } } },
  { resource: 'pods', object: { metadata: { namespace: 'default', name: 'theirs', uid: 'uid-theirs' }, spec: { nodeName: 'b', containers: [] } } },
]);

const tokenFor = (boundObjectRef?: object): NodeWrite => ({
  node: 'a', verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: 'default', name: 'default',
  object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], boundObjectRef } } as KubeObject,
});

const mirror = (over: Partial<NonNullable<Pod['spec']>> = {}, meta: Partial<NonNullable<Pod['metadata']>> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: 'kube-proxy-a', namespace: 'kube-system', annotations: { 'kubernetes.io/config.mirror': 'h' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'a', uid: 'uid-a', controller: true }], ...meta,
  },
  spec: { nodeName: 'a', containers: [{ name: 'c', image: 'i' }], ...over },
} as KubeObject);

const boundTo = (node: string, labels?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels }, spec: { nodeName: node, containers: [] } } as KubeObject);

const podWrite = (w: Partial<NodeWrite>): NodeWrite =>
  ({ node: 'a', verb: 'create', group: '', resource: 'pods', subresource: '', namespace: 'kube-system', name: '', ...w });

type Row = [what: string, write: NodeWrite, expect: true | string];

const rows: Row[] = [
  ['a mirror pod of its own', podWrite({ object: mirror() }), true],
  ['a pod without the mirror annotation', podWrite({ object: mirror({}, { annotations: {} }) }),
    'pods "kube-proxy-a" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "a" can only create mirror pods'],
  ['a mirror pod bound to another node', podWrite({ object: mirror({ nodeName: 'b' }) }),
    'pods "kube-proxy-a" is forbidden: node "a" can only create pods with spec.nodeName set to itself'],
  ['a mirror pod owned by nothing', podWrite({ object: mirror({}, { ownerReferences: [] }) }),
    'pods "kube-proxy-a" is forbidden: node "a" can only create pods with an owner reference set to itself'],
  ['a mirror pod owned by another node', podWrite({ object: mirror({}, { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'b', uid: 'u', controller: true }] }) }),
    'pods "kube-proxy-a" is forbidden: node "a" can only create pods with an owner reference set to itself'],
  ['a mirror pod owned twice', podWrite({ object: mirror({}, { ownerReferences: [
    { apiVersion: 'v1', kind: 'Node', name: 'a', uid: 'uid-a', controller: true }, { apiVersion: 'v1', kind: 'Node', name: 'a', uid: 'uid-a' }] }) }),
    'pods "kube-proxy-a" is forbidden: node "a" can only create pods with a single owner reference set to itself'],
  ['a mirror pod whose owner is not its controller', podWrite({ object: mirror({}, { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'a', uid: 'uid-a' }] }) }),
    'pods "kube-proxy-a" is forbidden: node "a" can only create pods with a controller owner reference set to itself'],
  ['a mirror pod blocking its owner\'s deletion', podWrite({ object: mirror({}, { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'a', uid: 'uid-a', controller: true, blockOwnerDeletion: true }] }) }),
    'pods "kube-proxy-a" is forbidden: node "a" must not set blockOwnerDeletion on an owner reference'],
  ['a mirror pod owned by a previous Node of that name', podWrite({ object: mirror({}, { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'a', uid: 'old', controller: true }] }) }),
    'pods "kube-proxy-a" is forbidden: node a UID mismatch: expected uid-a got old'],
  ['a mirror pod with a service account', podWrite({ object: mirror({ serviceAccountName: 'default' }) }),
    'pods "kube-proxy-a" is forbidden: node "a" can not create pods that reference a service account'],
  ['a mirror pod mounting a secret', podWrite({ object: mirror({ volumes: [{ name: 's', secret: { secretName: 'x' } }] }) }),
    'pods "kube-proxy-a" is forbidden: node "a" can not create pods that reference secrets'],
  ['a mirror pod pulling with a secret', podWrite({ object: mirror({ imagePullSecrets: [{ name: 'regcred' }] }) }),
    'pods "kube-proxy-a" is forbidden: node "a" can not create pods that reference secrets'],
  ['a mirror pod reading a configmap', podWrite({ object: mirror({ containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'x' } }] }] }) }),
    'pods "kube-proxy-a" is forbidden: node "a" can not create pods that reference configmaps'],
  ['a mirror pod with a claim', podWrite({ object: mirror({ volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'x' } }] }) }),
    'pods "kube-proxy-a" is forbidden: node "a" can not create pods that reference persistentvolumeclaims'],
  ['deleting a pod bound to it', podWrite({ verb: 'delete', name: 'p', namespace: 'default', old: boundTo('a') }), true],
  ['deleting another node\'s pod', podWrite({ verb: 'delete', name: 'p', namespace: 'default', old: boundTo('b') }),
    'pods "p" is forbidden: node "a" can only delete pods with spec.nodeName set to itself'],
  ['deleting an unscheduled pod', podWrite({ verb: 'delete', name: 'p', namespace: 'default', old: boundTo('') }),
    'pods "p" is forbidden: node "a" can only delete pods with spec.nodeName set to itself'],
  ['status of a pod bound to it', podWrite({ verb: 'patch', subresource: 'status', name: 'p', object: boundTo('a'), old: boundTo('a') }), true],
  ['status of another node\'s pod', podWrite({ verb: 'patch', subresource: 'status', name: 'p', object: boundTo('b'), old: boundTo('b') }),
    'pods "p" is forbidden: node "a" can only update pod status for pods with spec.nodeName set to itself'],
  ['labels through pod status', podWrite({ verb: 'patch', subresource: 'status', name: 'p', object: boundTo('a', { x: 'y' }), old: boundTo('a') }),
    'pods "p" is forbidden: node "a" cannot update labels through pod status'],
  ['evicting a pod bound to it', podWrite({ subresource: 'eviction', name: 'p', old: boundTo('a') }), true],
  ['evicting another node\'s pod', podWrite({ subresource: 'eviction', name: 'p', old: boundTo('b') }),
    'pods "p" is forbidden: node a can only evict pods with spec.nodeName set to itself'],
  ['registering itself', { node: 'a', verb: 'create', group: '', resource: 'nodes', subresource: '', namespace: '', name: '', object: { metadata: { name: 'a' } } }, true],
  ['registering another node', { node: 'a', verb: 'create', group: '', resource: 'nodes', subresource: '', namespace: '', name: '', object: { metadata: { name: 'x' } } },
    'nodes "x" is forbidden: node "a" is not allowed to modify node "x"'],
  ['patching another node', { node: 'a', verb: 'patch', group: '', resource: 'nodes', subresource: '', namespace: '', name: 'x', object: { metadata: { name: 'x' } }, old: { metadata: { name: 'x' } } },
    'nodes "x" is forbidden: node "a" is not allowed to modify node "x"'],
  ['another node\'s status', { node: 'a', verb: 'update', group: '', resource: 'nodes', subresource: 'status', namespace: '', name: 'x', object: { metadata: { name: 'x' } }, old: { metadata: { name: 'x' } } },
    'nodes "x" is forbidden: node "a" is not allowed to modify node "x"'],
  ['its own status', { node: 'a', verb: 'patch', group: '', resource: 'nodes', subresource: 'status', namespace: '', name: 'a', object: { metadata: { name: 'a' }, status: { phase: 'Running' } }, old: { metadata: { name: 'a' } } }, true],
  ['removing its own taint', { node: 'a', verb: 'patch', group: '', resource: 'nodes', subresource: '', namespace: '', name: 'a', object: { metadata: { name: 'a' }, spec: {} },
    old: { metadata: { name: 'a' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } } }, 'nodes "a" is forbidden: node "a" is not allowed to modify taints'],
  ['registering with the kubelet\'s labels', { node: 'a', verb: 'create', group: '', resource: 'nodes', subresource: '', namespace: '', name: '',
    object: { metadata: { name: 'a', labels: { 'kubernetes.io/hostname': 'a', 'beta.kubernetes.io/arch': 'amd64', 'node.kubernetes.io/exclude-from-external-load-balancers': '', 'example.com/rack': 'r1' } } } }, true],
  ['registering as a control plane', { node: 'a', verb: 'create', group: '', resource: 'nodes', subresource: '', namespace: '', name: '',
    object: { metadata: { name: 'a', labels: { 'node-role.kubernetes.io/control-plane': 'true', 'node-restriction.kubernetes.io/x': '', 'kubernetes.io/hostname': 'a' } } } },
    'nodes "a" is forbidden: node "a" is not allowed to set the following labels: node-restriction.kubernetes.io/x, node-role.kubernetes.io/control-plane'],
  ['labelling itself a control plane', { node: 'a', verb: 'patch', group: '', resource: 'nodes', subresource: '', namespace: '', name: 'a',
    object: { metadata: { name: 'a', labels: { 'node-role.kubernetes.io/control-plane': 'true' } } }, old: { metadata: { name: 'a' } } },
    'nodes "a" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane'],
  ['dropping its control-plane label', { node: 'a', verb: 'update', group: '', resource: 'nodes', subresource: '', namespace: '', name: 'a',
    object: { metadata: { name: 'a', labels: {} } }, old: { metadata: { name: 'a', labels: { 'node-role.kubernetes.io/control-plane': 'true' } } } },
    'nodes "a" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane'],
  ['a token bound to its pod', tokenFor({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'uid-mine' }), true],
  ['a token bound to nothing', tokenFor(), 'serviceaccounts "default" is forbidden: node requested token not bound to a pod'],
  ['a token bound to a pod without its uid', tokenFor({ apiVersion: 'v1', kind: 'Pod', name: 'mine' }),
    'serviceaccounts "default" is forbidden: node requested token with a pod binding without a uid'],
  ['a token bound to a pod since re-created', tokenFor({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'old' }),
    'serviceaccounts "default" is forbidden: the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated'],
  ['a token bound to another node\'s pod', tokenFor({ apiVersion: 'v1', kind: 'Pod', name: 'theirs', uid: 'uid-theirs' }),
    'serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node'],
  ['its own lease', { node: 'a', verb: 'create', group: 'coordination.k8s.io', resource: 'leases', subresource: '', namespace: 'kube-node-lease', name: '', object: { metadata: { name: 'a' } } }, true],
  ['another node\'s lease', { node: 'a', verb: 'create', group: 'coordination.k8s.io', resource: 'leases', subresource: '', namespace: 'kube-node-lease', name: '', object: { metadata: { name: 'b' } } },
    'leases.coordination.k8s.io "b" is forbidden: can only access node lease with the same name as the requesting node'],
];

for (const [what, write, expect] of rows) {
  test(`${what}: ${expect === true ? 'admitted' : 'forbidden'}`, async () => {
    if (expect === true) return assert.equal(await admitNodeWrite(write, reader), undefined);
    await assert.rejects(admitNodeWrite(write, reader), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 403);
      assert.equal(e.message, expect);
      return true;
    });
  });
}

test('a mirror pod for a node that is not registered is a 404', async () => {
  const empty = new FakeReader([]);
  await assert.rejects(admitNodeWrite(podWrite({ object: mirror() }), empty), (e: unknown) => e instanceof ApiError && e.code === 404 && e.message === 'nodes "a" not found');
});
