// Taint eviction controller (upstream taint-eviction-controller, formerly the node controller's taint manager):
// a pod bound to a node with NoExecute taints is deleted at once when some taint is not tolerated, or after the
// least tolerationSeconds of the tolerations it uses, counted from when the taint was added (taint.timeAdded,
// so a controller restart keeps the schedule). Before deleting, the pod gets the DisruptionTarget condition and a
// TaintManagerEviction event, as upstream. Level-triggered: node taint changes and pod changes enqueue pod keys;
// a pod that may stay a while longer is requeued for the moment its time runs out.
import type { Node, Pod, PodCondition, Taint } from 'kubernetes-types/core/v1.js';
import { WorkQueue, byNodeName, formatTime, isConflict, isNotFound, objectKey, runController, splitKey } from '../../client/index.ts';
import { realClock } from '../../client/clock.ts';
import type { ControllerContext } from './context.ts';
import { evictionDelay } from './node-lifecycle-taints.ts';
import { nodesRef, podsRef } from './node-lifecycle.ts';

function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

export async function startTaintEvictionController(ctx: ControllerContext): Promise<void> {
  const clock = ctx.clock ?? realClock;
  const nodes = ctx.informers.informerFor<Node>(nodesRef);
  const pods = ctx.informers.informerFor<Pod>(podsRef);
  const recorder = ctx.recorder('taint-eviction-controller');
  const queue = new WorkQueue<string>();
  /** When we first saw a taint without timeAdded, per "node|key|value" (upstream counts from observation). */
  const firstSeen = new Map<string, number>();

  const nodeChanged = (old: Node | undefined, node: Node): void => {
    if (JSON.stringify(noExecuteTaints(old)) === JSON.stringify(noExecuteTaints(node)) && old) return;
    if (noExecuteTaints(node).length === 0 && noExecuteTaints(old).length === 0) return;
    for (const pod of pods.lister.byIndex(byNodeName, node.metadata!.name!)) queue.add(objectKey(pod));
  };
  nodes.addEventHandler({ onAdd: (n) => nodeChanged(undefined, n), onUpdate: nodeChanged });
  const podChanged = (pod: Pod): void => {
    if (pod.spec?.nodeName && !pod.metadata?.deletionTimestamp && noExecuteTaints(nodes.lister.get('', pod.spec.nodeName)).length) {
      queue.add(objectKey(pod));
    }
  };
  pods.addEventHandler({ onAdd: podChanged, onUpdate: (_, p) => podChanged(p) });

  const since = (nodeName: string, taints: Taint[]): number => {
    let latest = 0;
    for (const t of taints) {
      let at = t.timeAdded ? Date.parse(t.timeAdded) : NaN;
      if (Number.isNaN(at)) {
        const k = `${nodeName}|${t.key}|${t.value ?? ''}`;
        if (!firstSeen.has(k)) firstSeen.set(k, clock.now());
        at = firstSeen.get(k)!;
      }
      latest = Math.max(latest, at);
    }
    return latest;
  };

  const evict = async (pod: Pod, signal: AbortSignal): Promise<void> => {
    const ns = pod.metadata!.namespace!;
    recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${pod.metadata!.name}`);
    const cond: PodCondition = {
      type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: formatTime(clock.now()),
    };
    const next: Pod = {
      ...structuredClone(pod),
      status: { ...structuredClone(pod.status), conditions: [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), cond] },
    };
    try {
      await ctx.client.updateStatus(podsRef, next, { namespace: ns, signal });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err; // a conflict only loses the condition; the deletion below still happens
    }
    try {
      await ctx.client.delete(podsRef, pod.metadata!.name!, { namespace: ns, signal, preconditions: { uid: pod.metadata!.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  };

  await runController({
    name: 'taint-eviction',
    queue,
    signal: ctx.signal,
    workers: 8,
    synced: [nodes.synced, pods.synced],
    reconcile: async (key, signal) => {
      const { namespace, name } = splitKey(key);
      const pod = pods.lister.get(namespace, name);
      if (!pod?.spec?.nodeName || pod.metadata?.deletionTimestamp) return;
      const taints = noExecuteTaints(nodes.lister.get('', pod.spec.nodeName));
      if (taints.length === 0) return;
      const delay = evictionDelay(pod.spec.tolerations ?? [], taints);
      if (delay === 'never') return;
      if (delay !== 'now') {
        const due = since(pod.spec.nodeName, taints) + delay * 1000;
        const left = due - clock.now();
        if (left > 0) return { requeueAfter: left };
      }
      await evict(pod, signal);
    },
  });
}
