// The per-kind parts of upstream's registry strategies that the generic store needs: which kinds track
// metadata.generation, whether status lives behind a subresource, what a fresh object's status looks like,
// whether PUT may create, and graceful deletion. Defaulting and validation live in src/api/ (by KindKey).
import type { KubeObject } from '../../../api/object.ts';
import { podQOSClass } from '../../../api/defaults/pod.ts';

export interface KindBehaviour {
  /** metadata.generation starts at 1 and is bumped whenever anything outside metadata/status changes. */
  generation?: boolean;
  /** PUT on a missing object creates it (upstream AllowCreateOnUpdate). */
  createOnUpdate?: boolean;
  /** Resets status on create (upstream PrepareForCreate). */
  initialStatus?: (obj: KubeObject) => unknown;
  /** Grace period (seconds) before a delete becomes final, or 0 to delete at once. */
  gracePeriod?: (obj: KubeObject, requested: number | undefined) => number;
  /** Delete returns the deleted object rather than a Success Status (upstream ReturnDeletedObject). */
  returnDeletedObject?: boolean;
}

const clearStatus = (): unknown => ({});

function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  // A pod that never reached a node, or already finished, has nothing to stop: it goes at once.
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const grace = requested ?? spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, grace);
}

export const kindBehaviours: Record<string, KindBehaviour> = {
  'v1/Pod': {
    initialStatus: (pod) => ({ phase: 'Pending', qosClass: podQOSClass((pod as { spec?: Parameters<typeof podQOSClass>[0] }).spec) }),
    gracePeriod: podGracePeriod,
    returnDeletedObject: true,
  },
  'v1/Service': { initialStatus: () => ({ loadBalancer: {} }) },
  'v1/Endpoints': { createOnUpdate: true },
  'v1/Event': { createOnUpdate: true },
  'events.k8s.io/v1/Event': { createOnUpdate: true },
  'coordination.k8s.io/v1/Lease': { createOnUpdate: true },
  'discovery.k8s.io/v1/EndpointSlice': {},
  'v1/Namespace': { returnDeletedObject: true },
  'apps/v1/Deployment': { generation: true, initialStatus: clearStatus },
  'apps/v1/ReplicaSet': { generation: true, initialStatus: clearStatus },
};
