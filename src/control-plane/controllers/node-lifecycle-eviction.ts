// Taint eviction controller (upstream taint-eviction-controller, formerly the node controller's taint manager):
// a pod bound to a node with NoExecute taints is deleted at once when some taint is not tolerated, or after the
// least tolerationSeconds of the tolerations it uses, counted from when the taint was added (taint.timeAdded,
// so a controller restart keeps the schedule). Before deleting, the pod gets the DisruptionTarget condition and a
// TaintManagerEviction event, as upstream. Level-triggered: node taint changes and pod changes enqueue pod keys;
// a pod that may stay a while longer is requeued for the moment its time runs out.
import type { Node, Pod, PodCondition, Taint } from 'kubernetes-types/core/v1.js';
import { byNodeName, objectKey, splitKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import { isConflict, isNotFound } from '../../client/errors.ts';
import { type EventRecorder, formatTime } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { evictionDelay } from './node-lifecycle-taints.ts';
import { nodesRef, podsRef } from './refs.ts';

function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

export class TaintEvictionController extends Controller {
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  /** When we first saw a taint without timeAdded, per "node|key|value" (upstream counts from observation). */
  private readonly firstSeen = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'taint-eviction', workers: 8 });
    this.nodes = this.informer<Node>(nodesRef);
    this.pods = this.informer<Pod>(podsRef);
    this.recorder = ctx.recorder('taint-eviction-controller');
    this.nodes.addEventHandler({ onAdd: (n) => this.nodeChanged(undefined, n), onUpdate: (old, n) => this.nodeChanged(old, n) });
    const podChanged = (pod: Pod): void => {
      if (pod.spec?.nodeName && !pod.metadata?.deletionTimestamp && noExecuteTaints(this.nodes.lister.get('', pod.spec.nodeName)).length) {
        this.queue.add(objectKey(pod));
      }
    };
    this.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_, p) => podChanged(p) });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.lister.get(namespace, name);
    if (!pod?.spec?.nodeName || pod.metadata?.deletionTimestamp) return;
    const taints = noExecuteTaints(this.nodes.lister.get('', pod.spec.nodeName));
    if (taints.length === 0) return;
    const delay = evictionDelay(pod.spec.tolerations ?? [], taints);
    if (delay === 'never') return;
    if (delay !== 'now') {
      const due = this.since(pod.spec.nodeName, taints) + delay * 1000;
      const left = due - this.clock.now();
      if (left > 0) return { requeueAfter: left };
    }
    await this.evict(pod, signal);
  }

  private nodeChanged(old: Node | undefined, node: Node): void {
    if (JSON.stringify(noExecuteTaints(old)) === JSON.stringify(noExecuteTaints(node)) && old) return;
    if (noExecuteTaints(node).length === 0 && noExecuteTaints(old).length === 0) return;
    for (const pod of this.pods.lister.byIndex(byNodeName, node.metadata!.name!)) this.queue.add(objectKey(pod));
  }

  /** When the newest of the taints was added. */
  private since(nodeName: string, taints: Taint[]): number {
    let latest = 0;
    for (const t of taints) {
      let at = t.timeAdded ? Date.parse(t.timeAdded) : NaN;
      if (Number.isNaN(at)) {
        const k = `${nodeName}|${t.key}|${t.value ?? ''}`;
        if (!this.firstSeen.has(k)) this.firstSeen.set(k, this.clock.now());
        at = this.firstSeen.get(k)!;
      }
      latest = Math.max(latest, at);
    }
    return latest;
  }

  private async evict(pod: Pod, signal: AbortSignal): Promise<void> {
    const ns = pod.metadata!.namespace!;
    this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${pod.metadata!.name}`);
    const cond: PodCondition = {
      type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: formatTime(this.clock.now()),
    };
    const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), cond];
    const next: Pod = { ...structuredClone(pod), status: { ...structuredClone(pod.status), conditions } };
    try {
      await this.ctx.client.updateStatus(podsRef, next, { namespace: ns, signal });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err; // a conflict only loses the condition; the deletion below still happens
    }
    try {
      await this.ctx.client.delete(podsRef, pod.metadata!.name!, { namespace: ns, signal, preconditions: { uid: pod.metadata!.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

export async function startTaintEvictionController(ctx: ControllerContext): Promise<void> {
  await new TaintEvictionController(ctx).run();
}
