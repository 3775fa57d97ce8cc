// Which PersistentVolume a claim may bind to (upstream pkg/controller/volume/persistentvolume/index.go
// findBestMatchForClaim and volume_binding's checks), pure: a volume pre-bound to the claim wins; otherwise an
// unclaimed, non-terminating volume of the same class and volume mode that offers every requested access mode,
// at least the requested capacity, matches the claim's selector and (when a node is chosen) the node's labels;
// the smallest such volume is chosen.
import type { Node, NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { labelSelectorMatcher } from '../../client/selector.ts';
import { requirementMatches } from '../scheduler/plugins/node-affinity.ts';
import { compareQuantities, parseQuantity } from '../../api/validation/quantity.ts';

export const selectedNodeAnnotation = 'volume.kubernetes.io/selected-node';
export const bindCompletedAnnotation = 'pv.kubernetes.io/bind-completed';
export const boundByControllerAnnotation = 'pv.kubernetes.io/bound-by-controller';
export const provisionedByAnnotation = 'pv.kubernetes.io/provisioned-by';
export const storageProvisionerAnnotation = 'volume.kubernetes.io/storage-provisioner';
export const betaStorageProvisionerAnnotation = 'volume.beta.kubernetes.io/storage-provisioner';

/** The class a claim or volume names ('' for none), the beta annotation first as upstream. */
export function classOf(obj: PersistentVolume | PersistentVolumeClaim): string {
  return obj.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? obj.spec?.storageClassName ?? '';
}

function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata?.labels ?? {};
  return exprs.every((r) => requirementMatches(r, labels[r.key])) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name));
}

/** A volume without node affinity is reachable from every node. */
export function volumeFitsNode(pv: PersistentVolume, node: Node): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  return !terms || terms.some((t) => termMatches(t, node));
}

export function isPreBoundTo(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  return Boolean(ref && ref.name === claim.metadata?.name && ref.namespace === claim.metadata?.namespace &&
    (!ref.uid || ref.uid === claim.metadata?.uid));
}

function compatible(pv: PersistentVolume, claim: PersistentVolumeClaim, node: Node | undefined): boolean {
  if (pv.metadata?.deletionTimestamp) return false;
  if (classOf(pv) !== classOf(claim)) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
  const modes = new Set(pv.spec?.accessModes ?? []);
  if (!(claim.spec?.accessModes ?? []).every((m) => modes.has(m))) return false;
  const want = claim.spec?.resources?.requests?.storage ?? '0';
  const cmp = compareQuantities(pv.spec?.capacity?.storage ?? '0', want);
  if (cmp === undefined || cmp < 0) return false;
  if (claim.spec?.selector && !labelSelectorMatcher(claim.spec.selector)(pv.metadata?.labels)) return false;
  return !node || volumeFitsNode(pv, node);
}

export function findBestMatch(claim: PersistentVolumeClaim, volumes: PersistentVolume[], node: Node | undefined): PersistentVolume | undefined {
  const preBound = volumes.find((pv) => isPreBoundTo(pv, claim) && compatible(pv, claim, node));
  if (preBound) return preBound;
  const free = volumes.filter((pv) => !pv.spec?.claimRef && compatible(pv, claim, node));
  const size = (pv: PersistentVolume): bigint => parseQuantity(pv.spec?.capacity?.storage ?? '0') ?? 0n;
  free.sort((a, b) => (size(a) < size(b) ? -1 : size(a) > size(b) ? 1 : 0));
  return free[0];
}
