// upstream's NodeRestriction admission plugin (plugin/pkg/admission/noderestriction) for a request the Node
// authorizer let through: a node may create only mirror pods bound to itself (owned by its own Node, naming no
// service account, secret, configmap or claim), delete and evict only pods bound to itself, write status only of
// pods bound to itself (labels unchanged), modify only its own Node (never its taints, nor labels under kubernetes.io
// or k8s.io other than the kubelet's own), create only its own Lease, and request service account tokens only bound
// to a pod running on it (for the TokenRequest endpoint to hand its TokenRequest to, as `object`). It sees the object as it is about to be written (after defaults and the other admission steps) and the
// stored one it replaces, through the write context of the generic store (WriteContext.admit). Messages are
// upstream's, wrapped as admission.NewForbidden does.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../../api/errors.ts';
import { semanticEqual } from '../../../api/equality.ts';
import { mirrorAnnotation } from '../../../api/mirror-pod.ts';
import { nodeForbiddenLabels } from '../../../api/node-labels.ts';
import type { KubeObject } from '../../../api/object.ts';
import { forbiddenError } from './attributes.ts';
import type { ObjectReader } from './node-graph.ts';
import { nodeLeaseNamespace } from './node-authorizer.ts';
import { claimNames, configMapNames, secretNames } from './pod-refs.ts';

export interface NodeWrite {
  node: string;
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  /** From the URL; a create's comes from its object. */
  name: string;
  /** The object about to be stored (absent for a delete). */
  object?: KubeObject;
  /** The stored object it replaces or deletes (absent for a create). */
  old?: KubeObject;
}

export async function admitNodeWrite(w: NodeWrite, reader: ObjectReader): Promise<void> {
  const fail = (why: string): ApiError =>
    forbiddenError({ group: w.group, resource: w.resource }, w.name || w.object?.metadata?.name || '', why);
  if (w.group === '' && w.resource === 'pods') {
    switch (w.subresource) {
      case '': return admitPod(w, fail, reader);
      case 'status': return admitPodStatus(w, fail);
      case 'eviction': return admitEviction(w, fail);
      default: throw fail(`unexpected pod subresource "${w.subresource}", only 'status' and 'eviction' are allowed`);
    }
  }
  if (w.group === '' && w.resource === 'nodes') return admitNode(w, fail);
  if (w.group === '' && w.resource === 'serviceaccounts' && w.subresource === 'token') return admitTokenRequest(w, fail, reader);
  if (w.group === 'coordination.k8s.io' && w.resource === 'leases') return admitLease(w, fail);
}

type Fail = (why: string) => ApiError;

const operationOf = (w: NodeWrite): string => (w.verb === 'delete' ? 'DELETE' : w.old ? 'UPDATE' : 'CREATE');

async function admitPod(w: NodeWrite, fail: Fail, reader: ObjectReader): Promise<void> {
  const op = operationOf(w);
  if (op === 'DELETE') {
    if ((w.old as Pod | undefined)?.spec?.nodeName !== w.node) throw fail(`node "${w.node}" can only delete pods with spec.nodeName set to itself`);
    return;
  }
  if (op !== 'CREATE') throw fail(`unexpected operation "${op}", node "${w.node}" can only create and delete mirror pods`);
  const pod = w.object as Pod;
  if (pod.metadata?.annotations?.[mirrorAnnotation] === undefined) {
    throw fail(`pod does not have "${mirrorAnnotation}" annotation, node "${w.node}" can only create mirror pods`);
  }
  if (pod.spec?.nodeName !== w.node) throw fail(`node "${w.node}" can only create pods with spec.nodeName set to itself`);
  const owners = pod.metadata?.ownerReferences ?? [];
  if (owners.length > 1) throw fail(`node "${w.node}" can only create pods with a single owner reference set to itself`);
  if (owners.length === 0) throw fail(`node "${w.node}" can only create pods with an owner reference set to itself`);
  const owner = owners[0];
  if (owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== w.node) {
    throw fail(`node "${w.node}" can only create pods with an owner reference set to itself`);
  }
  if (owner.controller !== true) throw fail(`node "${w.node}" can only create pods with a controller owner reference set to itself`);
  if (owner.blockOwnerDeletion === true) throw fail(`node "${w.node}" must not set blockOwnerDeletion on an owner reference`);
  const node = await reader.get<Node>('nodes', '', w.node);
  if (!node) throw ApiError.notFound({ group: '', resource: 'nodes' }, w.node);
  if (owner.uid !== node.metadata?.uid) throw fail(`node ${w.node} UID mismatch: expected ${node.metadata?.uid ?? ''} got ${owner.uid}`);
  if (pod.spec?.serviceAccountName) throw fail(`node "${w.node}" can not create pods that reference a service account`);
  if (secretNames(pod).size) throw fail(`node "${w.node}" can not create pods that reference secrets`);
  if (configMapNames(pod).size) throw fail(`node "${w.node}" can not create pods that reference configmaps`);
  if (claimNames(pod).size) throw fail(`node "${w.node}" can not create pods that reference persistentvolumeclaims`);
}

function admitPodStatus(w: NodeWrite, fail: Fail): void {
  const op = operationOf(w);
  if (op !== 'UPDATE') throw fail(`unexpected operation "${op}"`);
  const old = w.old as Pod;
  if (old.spec?.nodeName !== w.node) throw fail(`node "${w.node}" can only update pod status for pods with spec.nodeName set to itself`);
  if (!semanticEqual(old.metadata?.labels ?? {}, (w.object as Pod | undefined)?.metadata?.labels ?? {})) {
    throw fail(`node "${w.node}" cannot update labels through pod status`);
  }
}

/** Eviction deletes the pod it names (the store hands admission the stored pod as `old`). */
function admitEviction(w: NodeWrite, fail: Fail): void {
  if ((w.old as Pod | undefined)?.spec?.nodeName !== w.node) throw fail(`node ${w.node} can only evict pods with spec.nodeName set to itself`);
}

function admitNode(w: NodeWrite, fail: Fail): void {
  const requested = w.name || w.object?.metadata?.name || w.old?.metadata?.name || '';
  if (requested !== w.node) throw fail(`node "${w.node}" is not allowed to modify node "${requested}"`);
  const op = operationOf(w);
  if (op === 'CREATE') {
    const labels = nodeForbiddenLabels(modifiedLabels(w.object?.metadata?.labels, undefined));
    if (labels.length) throw fail(`node "${w.node}" is not allowed to set the following labels: ${labels.join(', ')}`);
  }
  if (op !== 'UPDATE') return;
  const taints = (n: KubeObject | undefined): Taint[] => (n as Node | undefined)?.spec?.taints ?? [];
  if (!semanticEqual(taints(w.object), taints(w.old))) throw fail(`node "${w.node}" is not allowed to modify taints`);
  const labels = nodeForbiddenLabels(modifiedLabels(w.object?.metadata?.labels, w.old?.metadata?.labels));
  // upstream's wording for an update names no node
  if (labels.length) throw fail(`is not allowed to modify labels: ${labels.join(', ')}`);
}

/** Keys added, removed or changed between two label sets. */
function modifiedLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): string[] {
  const x = a ?? {};
  const y = b ?? {};
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => x[k] !== y[k]);
}

interface TokenRequestSpec {
  spec?: { boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string } };
}

/** A node's TokenRequest (object: the TokenRequest) must bind the token to a pod that exists and runs on the node. */
async function admitTokenRequest(w: NodeWrite, fail: Fail, reader: ObjectReader): Promise<void> {
  const ref = (w.object as TokenRequestSpec | undefined)?.spec?.boundObjectRef;
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw fail('node requested token not bound to a pod');
  if (!ref.uid) throw fail('node requested token with a pod binding without a uid');
  const pod = await reader.get<Pod>('pods', w.namespace, ref.name);
  if (!pod) throw ApiError.notFound({ group: '', resource: 'pods' }, ref.name);
  if (ref.uid !== pod.metadata?.uid) {
    throw fail(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  if (pod.spec?.nodeName !== w.node) throw fail('node requested token bound to a pod scheduled on a different node');
}

function admitLease(w: NodeWrite, fail: Fail): void {
  if (w.namespace !== nodeLeaseNamespace) throw fail(`can only access leases in the "${nodeLeaseNamespace}" system namespace`);
  const name = operationOf(w) === 'CREATE' ? (w.object as Lease | undefined)?.metadata?.name : w.name;
  if (name !== w.node) throw fail('can only access node lease with the same name as the requesting node');
}
