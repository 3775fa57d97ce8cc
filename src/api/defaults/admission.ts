// Create-time pod mutations that upstream performs in admission plugins rather than defaulting:
//  - ServiceAccount: serviceAccountName "default", a pod naming no imagePullSecrets gets its ServiceAccount's, and
//    unless the pod or its account opts out (automountServiceAccountToken: false) the kube-api-access token volume
//    (service-account-volume.ts) (admitPodServiceAccount, which reads the account),
//  - DefaultTolerationSeconds: tolerate not-ready / unreachable NoExecute taints for 300 s,
//  - Priority: priority from the priority class (0 without one) and preemptionPolicy PreemptLowerPriority.
// admitPod mutates in place and throws ApiError 403 where upstream's plugins reject the pod.
import type { Pod, ServiceAccount, Toleration } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { AdmissionLookup } from '../strategy.ts';
import { mountServiceAccountToken } from './service-account-volume.ts';

export const defaultTolerationSeconds = 300;
export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
export const unreachableTaintKey = 'node.kubernetes.io/unreachable';

/** The two built-in priority classes every cluster has; no PriorityClass API is served yet. */
export const builtinPriorityClasses: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

/** Upstream's check: a toleration for the key (or with no key) whose effect is NoExecute or "" (all effects). */
function tolerates(tolerations: Toleration[], key: string): boolean {
  return tolerations.some((t) => (t.effect === 'NoExecute' || !t.effect) && (t.key === key || !t.key));
}

function addDefaultTolerations(pod: Pod): void {
  const spec = pod.spec!;
  const tolerations = spec.tolerations ?? [];
  const add: Toleration[] = [];
  for (const key of [notReadyTaintKey, unreachableTaintKey]) {
    if (!tolerates(tolerations, key)) {
      add.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultTolerationSeconds });
    }
  }
  if (add.length) spec.tolerations = [...tolerations, ...add];
}

function admitPriority(pod: Pod, podName: string): void {
  const spec = pod.spec!;
  let priority = 0;
  const className = spec.priorityClassName ?? '';
  if (className) {
    const p = builtinPriorityClasses[className];
    if (p === undefined) {
      throw ApiError.of(403, 'Forbidden', `pods "${podName}" is forbidden: no PriorityClass with name ${className} was found`);
    }
    priority = p;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw ApiError.of(403, 'Forbidden', `pods "${podName}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  // Every class we know (the default and the two system ones) preempts lower priorities.
  const policy = 'PreemptLowerPriority';
  if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
    throw ApiError.of(403, 'Forbidden', `pods "${podName}" is forbidden: the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
  }
  spec.preemptionPolicy = policy;
}

/** Runs the pod admission mutations for a create (upstream's plugins skip mirror pods for the SA step). */
export function admitPod(obj: KubeObject): void {
  const pod = obj as unknown as Pod;
  if (!pod.spec) return;
  const spec = pod.spec;
  const mirror = pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined;
  if (!mirror && !spec.serviceAccountName) {
    spec.serviceAccountName = spec.serviceAccount || 'default';
  }
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  addDefaultTolerations(pod);
  admitPriority(pod, pod.metadata?.name ?? pod.metadata?.generateName ?? '');
}

/** Upstream's ServiceAccount plugin, the part that reads the account: a pod without imagePullSecrets gets the
 *  account's, and the token volume unless the pod (or else its account) says automountServiceAccountToken: false.
 *  A missing account is let through (upstream refuses it; Skiff's tests create pods before the serviceaccount
 *  controller has made "default"). Mirror pods are left alone, as upstream does. */
export async function admitPodServiceAccount(obj: KubeObject, lookup: AdmissionLookup): Promise<void> {
  const pod = obj as unknown as Pod;
  const spec = pod.spec;
  if (!spec?.serviceAccountName) return;
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
  const wantsSecrets = !spec.imagePullSecrets?.length;
  if (!wantsSecrets && spec.automountServiceAccountToken === false) return;
  const sa = (await lookup('serviceaccounts', pod.metadata?.namespace ?? '', spec.serviceAccountName)) as ServiceAccount | undefined;
  if (wantsSecrets && sa?.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((r) => ({ name: r.name }));
  if (spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true) mountServiceAccountToken(pod);
}
