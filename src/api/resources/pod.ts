// Pod (core/v1): upstream pkg/registry/core/pod. A new pod is Pending with its QoS class; deleting a pod that
// runs on a node is graceful; binding assigns it a node once; eviction deletes it with its own DeleteOptions.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { defaultPod, podQOSClass } from '../defaults/pod.ts';
import { admitPod, admitPodServiceAccount } from '../defaults/admission.ts';
import { bindingValidator, podValidator } from '../validation/pod.ts';
import { podPrinter } from '../printers/pod.ts';
import { bool, podIPs, str } from '../field-values.ts';
import { defineResource } from './define.ts';

function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const p = pod as Pod;
  // A pod that never reached a node, or already finished, has nothing to stop: it goes at once.
  if (!p.spec?.nodeName || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return 0;
  return Math.max(0, requested ?? p.spec.terminationGracePeriodSeconds ?? 30);
}

/** pods/binding: sets spec.nodeName once, with a PodScheduled condition; a second binding is a 409. */
function bindPod(parent: KubeObject, body: KubeObject, now: Date): KubeObject {
  const name = parent.metadata?.name ?? '';
  const gr = { group: '', resource: 'pods' };
  if (parent.metadata?.deletionTimestamp) throw ApiError.conflict(gr, name, 'pod is being deleted, cannot be assigned to a host');
  const spec = (parent.spec ??= {}) as { nodeName?: string };
  if (spec.nodeName) throw ApiError.conflict(gr, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
  spec.nodeName = (body as { target?: { name?: string } }).target?.name;
  const status = (parent.status ??= {}) as { conditions?: PodCondition[] };
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as string, lastTransitionTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z') });
  status.conditions = conditions;
  return parent;
}

/** Upstream's UpdatePodCondition: replaces the condition of that type, keeping its transition time if the status stays. */
function setCondition(pod: KubeObject, condition: PodCondition, now: Date): KubeObject {
  const status = (pod.status ??= {}) as { conditions?: PodCondition[] };
  const conditions = status.conditions ?? [];
  const prev = conditions.find((c) => c.type === condition.type);
  const lastTransitionTime = prev && prev.status === condition.status ? prev.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const next = { ...condition, lastProbeTime: null as unknown as string, lastTransitionTime };
  status.conditions = prev ? conditions.map((c) => (c === prev ? next : c)) : [...conditions, next];
  return pod;
}

/** pods/eviction marks the pod as a disruption target before deleting it (PodDisruptionConditions, GA in 1.31). */
const markEvicted = (pod: KubeObject, now: Date): KubeObject =>
  setCondition(pod, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }, now);

export const pods = defineResource({
  group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'],
  printer: podPrinter,
  fieldSelectors: {
    'spec.nodeName': str('spec.nodeName'),
    'spec.restartPolicy': str('spec.restartPolicy'),
    'spec.schedulerName': str('spec.schedulerName'),
    'spec.serviceAccountName': str('spec.serviceAccountName'),
    'spec.hostNetwork': bool('spec.hostNetwork'),
    'status.phase': str('status.phase'),
    // upstream selects on the first IP (the primary family).
    'status.podIP': (o) => str('status.podIP')(o) || (podIPs(o).split(',')[0] ?? ''),
    'status.podIPs': podIPs,
    'status.nominatedNodeName': str('status.nominatedNodeName'),
  },
  strategy: {
    validator: podValidator,
    defaults: defaultPod,
    admit: async (obj, lookup) => {
      admitPod(obj);
      await admitPodServiceAccount(obj, lookup);
    },
    initialStatus: (pod) => ({ phase: 'Pending', qosClass: podQOSClass((pod as Pod).spec) }),
    gracePeriod: podGracePeriod,
    returnDeletedObject: true,
  },
  status: true,
  subresources: {
    binding: { type: 'bind', bodyKind: { apiVersion: 'v1', kind: 'Binding' }, validate: (b) => bindingValidator.create(b), apply: bindPod },
    eviction: { type: 'evict', bodyKind: { apiVersion: 'policy/v1', kind: 'Eviction' }, prepare: markEvicted },
    // streamed from the node's kubelet (src/control-plane/apiserver/connect.ts)
    log: { type: 'connect', methods: ['GET'], optionsKind: 'PodLogOptions', discoveryKind: 'Pod' },
    exec: { type: 'connect', methods: ['GET', 'POST'], optionsKind: 'PodExecOptions', discoveryKind: 'PodExecOptions' },
    attach: { type: 'connect', methods: ['GET', 'POST'], optionsKind: 'PodAttachOptions', discoveryKind: 'PodAttachOptions' },
    portforward: { type: 'connect', methods: ['GET', 'POST'], optionsKind: 'PodPortForwardOptions', discoveryKind: 'PodPortForwardOptions' },
  },
});
