// upstream's Node authorizer (plugin/pkg/auth/authorizer/node) for users in group system:nodes named
// system:node:<nodeName>: secrets and configmaps (get/list/watch of one named object), persistentvolumeclaims and
// persistentvolumes (get), a service account's token (create) only when a pod bound to the node references them
// (node-graph.ts); leases only the node's own in kube-node-lease; everything else by upstream's static NodeRules
// (rules.ts). A denial carries upstream's reason, which the 403 message ends with.
import type { UserInfo } from '../authn.ts';
import { allow, deny, type Attributes, type Decision } from './attributes.ts';
import { relatedToNode, type ObjectReader, type RelatedKind } from './node-graph.ts';
import { authenticatedRules, nodeRules, rulesAllow } from './rules.ts';

export const nodesGroup = 'system:nodes';
const nodeUserPrefix = 'system:node:';
export const nodeLeaseNamespace = 'kube-node-lease';

/** upstream's NodeIdentifier: undefined for a user who is not a node; name '' for a node whose name is unknown. */
export function nodeIdentity(user: UserInfo): { name: string } | undefined {
  if (!user.groups.includes(nodesGroup)) return undefined;
  return { name: user.name.startsWith(nodeUserPrefix) ? user.name.slice(nodeUserPrefix.length) : '' };
}

export async function authorizeNode(a: Attributes, node: string, reader: ObjectReader): Promise<Decision> {
  if (!node) return deny(`unknown node for user "${a.user.name}"`);
  if (a.resourceRequest && a.group === '') {
    switch (a.resource) {
      case 'secrets':
      case 'configmaps':
        return readNamespacedObject(a, node, a.resource, reader);
      case 'persistentvolumeclaims':
        return a.subresource === 'status' ? statusUpdate(a, node, reader) : getRelated(a, node, 'persistentvolumeclaims', reader);
      case 'persistentvolumes':
        return getRelated(a, node, 'persistentvolumes', reader);
      case 'serviceaccounts':
        return createToken(a, node, reader);
    }
  }
  if (a.resourceRequest && a.group === 'coordination.k8s.io' && a.resource === 'leases') return lease(a, node);
  return rulesAllow(a, nodeRules) || rulesAllow(a, authenticatedRules) ? allow : deny();
}

async function related(a: Attributes, node: string, kind: RelatedKind, reader: ObjectReader): Promise<Decision> {
  if (!a.name) return deny('No Object name found');
  if (await relatedToNode(reader, node, kind, a.namespace, a.name)) return allow;
  return deny(`no relationship found between node '${node}' and this object`);
}

function readNamespacedObject(a: Attributes, node: string, kind: RelatedKind, reader: ObjectReader): Promise<Decision> | Decision {
  if (a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch') return deny('can only read resources of this type');
  if (a.subresource) return deny('cannot read subresource');
  if (!a.namespace) return deny('can only read namespaced object of this type');
  return related(a, node, kind, reader);
}

function getRelated(a: Attributes, node: string, kind: RelatedKind, reader: ObjectReader): Promise<Decision> | Decision {
  if (a.verb !== 'get') return deny('can only get individual resources of this type');
  if (a.subresource) return deny('cannot get subresource');
  return related(a, node, kind, reader);
}

function statusUpdate(a: Attributes, node: string, reader: ObjectReader): Promise<Decision> | Decision {
  if (a.verb !== 'update' && a.verb !== 'patch') return deny('can only get/update/patch this type');
  if (a.subresource !== 'status') return deny('can only update status subresource');
  return related(a, node, 'persistentvolumeclaims', reader);
}

function createToken(a: Attributes, node: string, reader: ObjectReader): Promise<Decision> | Decision {
  if (a.verb !== 'create' || !a.name) return deny('can only create tokens for individual service accounts');
  if (a.subresource !== 'token') return deny('can only create token subresource of serviceaccount');
  return related(a, node, 'serviceaccounts', reader);
}

function lease(a: Attributes, node: string): Decision {
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return deny('can only get, create, update, patch, or delete a node lease');
  if (a.namespace !== nodeLeaseNamespace) return deny(`can only access leases in the "${nodeLeaseNamespace}" system namespace`);
  // a create names no object in its URL: NodeRestriction checks the body's name
  if (a.verb !== 'create' && a.name !== node) return deny('can only access node lease with the same name as the requesting node');
  return allow;
}
