// kube-scheduler's loop: informers feed the cache (bound pods, nodes) and the queue (pending pods whose
// schedulerName is ours); one synchronous cycle per pod picks a node, assumes the pod there and starts the bind
// (POST pods/<name>/binding) without waiting for it, so the next cycle overlaps the write. A failed bind forgets
// the assumption and retries after backoff. No fit: PodScheduled=False/Unschedulable on the pod's status, a
// FailedScheduling Warning event with upstream's message, and the pod parks until a cluster event may help it.
import { semanticEqual } from '../../api/equality.ts';
import { setMaxListeners } from 'node:events';
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import {
  type Clock, EventRecorder, type Informer, InformerFactory, type RestClient, isConflict, isNotFound, realClock, resourceRef, sleep,
} from '../../client/index.ts';
import { Algorithm, FitError } from './algorithm.ts';
import { SchedulerCache } from './cache.ts';
import { EventSink } from './event-sink.ts';
import { assignedPodAdded, assignedPodDeleted, nodeAdded, nodeUpdated } from './events.ts';
import { newPodInfo } from './pod-info.ts';
import { defaultProfile } from './plugins/index.ts';
import { type QueuedPod, SchedulingQueue } from './queue.ts';
import { volumeEvent, watchVolumes } from './volume-informers.ts';

export const podsRef = resourceRef('v1', 'pods', true);
/** How often parked pods are checked against maxUnschedulableMs (upstream flushes every 30 s). */
export const flushUnschedulableIntervalMs = 30_000;
export const nodesRef = resourceRef('v1', 'nodes', false);

export interface SchedulerOptions {
  client: RestClient;
  schedulerName?: string;
  /** 0 (default) = adaptive, as upstream. */
  percentageOfNodesToScore?: number;
  /** Binds in flight at once (default 64). */
  bindConcurrency?: number;
  informers?: InformerFactory;
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Record the Normal "Scheduled" event per pod (default true). */
  scheduledEvents?: boolean;
}

export interface SchedulerStats {
  scheduled: number;
  failed: number;
  bindErrors: number;
  /** performance.now() when the caches had synced, and of the last successful bind (for throughput figures). */
  syncedAt?: number;
  lastBindAt?: number;
}

function isAssigned(pod: Pod): boolean {
  return Boolean(pod.spec?.nodeName);
}

/** Whether two versions of a pod differ only in status and bookkeeping (upstream's isPodUpdated, negated). */
export function sameExceptStatus(a: Pod, b: Pod): boolean {
  const strip = (p: Pod): Pod => ({ ...p, status: undefined, metadata: { ...p.metadata, resourceVersion: undefined, managedFields: undefined, generation: undefined } });
  return semanticEqual(strip(a), strip(b));
}

const keyOf = (pod: Pod): string => `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly stats: SchedulerStats = { scheduled: 0, failed: 0, bindErrors: 0 };
  private readonly algorithm: Algorithm;
  private readonly events: EventSink;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly podInformer: Informer<Pod>;
  private readonly nodeInformer: Informer<Node>;
  private readonly factory: InformerFactory;
  private readonly volumesSynced: Promise<void>[];
  private inFlight = 0;
  private slotFreed?: () => void;
  private readonly binds = new Set<Promise<void>>();

  constructor(private readonly o: SchedulerOptions) {
    this.name = o.schedulerName ?? 'default-scheduler';
    this.clock = o.clock ?? realClock;
    this.queue = new SchedulingQueue({ clock: this.clock, initialBackoffMs: o.initialBackoffMs, maxBackoffMs: o.maxBackoffMs });
    this.events = new EventSink(new EventRecorder({ client: o.client, component: this.name, clock: this.clock }));
    this.factory = o.informers ?? new InformerFactory(o.client);
    const volumes = watchVolumes(this.factory, () => this.queue.moveAll(volumeEvent));
    this.volumesSynced = volumes.synced;
    this.algorithm = new Algorithm(defaultProfile(o.percentageOfNodesToScore ?? 0, volumes.lister));
    this.podInformer = this.factory.informerFor<Pod>(podsRef, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
    this.nodeInformer = this.factory.informerFor<Node>(nodesRef);
    this.wire();
  }

  private responsible(pod: Pod): boolean {
    return (pod.spec?.schedulerName ?? 'default-scheduler') === this.name;
  }

  private wire(): void {
    this.nodeInformer.addEventHandler({
      onAdd: (n) => {
        this.cache.addNode(n);
        this.queue.moveAll(nodeAdded);
      },
      onUpdate: (old, n) => {
        this.cache.addNode(n);
        const plugins = nodeUpdated(old, n);
        if (plugins) this.queue.moveAll(plugins);
      },
      onDelete: (n) => this.cache.removeNode(n.metadata?.name ?? ''),
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.podSeen(pod),
      onUpdate: (old, pod) => {
        if (!isAssigned(pod) && isAssigned(old)) this.cache.removePod(old);
        this.podSeen(pod, old);
      },
      onDelete: (pod) => {
        this.queue.delete(keyOf(pod));
        if (isAssigned(pod) || this.cache.nodeOf(pod.metadata?.uid ?? '') !== undefined) {
          this.cache.removePod(pod);
          this.queue.moveAll(assignedPodDeleted);
        }
      },
    });
  }

  /** old is the previous version on an update: a pending pod whose change is only its status stays where it is. */
  private podSeen(pod: Pod, old?: Pod): void {
    if (isAssigned(pod)) {
      this.queue.delete(keyOf(pod));
      const uid = pod.metadata?.uid ?? '';
      // newly seen bound (including our own assumed pods, now confirmed): affinity/spread waiters may fit now
      const fresh = this.cache.nodeOf(uid) === undefined || this.cache.isAssumed(uid);
      this.cache.addOrUpdatePod(pod);
      if (fresh) this.queue.moveAll(assignedPodAdded);
      return;
    }
    if (!this.responsible(pod) || pod.metadata?.deletionTimestamp) {
      this.queue.delete(keyOf(pod));
      return;
    }
    if (this.cache.isAssumed(pod.metadata?.uid ?? '')) return; // bind in flight
    if (pod.spec?.schedulingGates?.length) {
      // upstream's SchedulingGates PreEnqueue: not queued until every gate is removed
      this.queue.delete(keyOf(pod));
      if (!old || !old.spec?.schedulingGates?.length) this.setPodScheduledFalse(pod, 'SchedulingGated', 'Scheduling is blocked due to non-empty scheduling gates');
      return;
    }
    const info = newPodInfo(pod);
    if (!this.queue.has(info.key)) this.queue.add(info);
    else if (!old || !sameExceptStatus(old, pod)) this.queue.update(info);
  }

  /** Runs until signal aborts; resolves once in-flight binds have settled. */
  async run(signal: AbortSignal): Promise<void> {
    setMaxListeners(0, signal); // every in-flight request listens on it
    this.factory.start(signal);
    const flushStop = new AbortController();
    // on the injected clock, so a test steps time to see parked pods retried
    const flushing = this.flushUnschedulableEvery(flushUnschedulableIntervalMs, AbortSignal.any([signal, flushStop.signal]));
    const stop = (): void => this.queue.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      const synced = await Promise.race([
        Promise.all([this.podInformer.synced, this.nodeInformer.synced, ...this.volumesSynced]).then(() => true),
        new Promise<false>((r) => (signal.aborted ? r(false) : signal.addEventListener('abort', () => r(false), { once: true }))),
      ]);
      if (!synced) return;
      this.stats.syncedAt = performance.now();
      const limit = this.o.bindConcurrency ?? 64;
      let sinceYield = 0;
      for (;;) {
        while (this.inFlight >= limit) await new Promise<void>((r) => (this.slotFreed = r));
        const qp = await this.queue.pop();
        if (!qp || signal.aborted) break;
        this.scheduleOne(qp, signal);
        // informer events and bind replies need the event loop; a busy queue would otherwise starve them
        if (++sinceYield >= 8) {
          sinceYield = 0;
          await new Promise<void>((r) => setImmediate(r));
        }
      }
    } finally {
      flushStop.abort();
      await flushing;
      signal.removeEventListener('abort', stop);
      stop();
      await Promise.allSettled([...this.binds]);
      await this.events.stop();
    }
  }

  private async flushUnschedulableEvery(ms: number, signal: AbortSignal): Promise<void> {
    while (await sleep(this.clock, ms, signal)) this.queue.flushUnschedulable();
  }

  /** One cycle; synchronous up to the bind, which runs in the background. */
  scheduleOne(qp: QueuedPod, signal: AbortSignal): void {
    const cur = this.podInformer.lister.get(qp.info.namespace, qp.info.name);
    if (!cur || cur.metadata?.uid !== qp.info.uid || isAssigned(cur) || cur.metadata?.deletionTimestamp) return;
    if (cur !== qp.info.pod) qp.info = newPodInfo(cur);
    let nodeName: string;
    try {
      nodeName = this.algorithm.schedule(qp.info, this.cache).node.name;
    } catch (err) {
      if (!(err instanceof FitError)) {
        // a plugin bug must not stop the scheduler: report it and retry the pod after backoff
        console.error(`scheduler: scheduling ${qp.info.key} failed:`, err);
        this.queue.addBackoff(qp);
        return;
      }
      this.stats.failed++;
      this.queue.addUnschedulable(qp, err.unschedulablePlugins);
      this.reportUnschedulable(cur, err.message, signal);
      return;
    }
    const pod = cur;
    this.cache.assume(newPodInfo({ ...pod, spec: { ...pod.spec!, nodeName } }), nodeName);
    this.inFlight++;
    const p = this.bind(qp, pod, nodeName, signal).finally(() => {
      this.inFlight--;
      this.binds.delete(p);
      const f = this.slotFreed;
      this.slotFreed = undefined;
      f?.();
    });
    this.binds.add(p);
  }

  private async bind(qp: QueuedPod, pod: Pod, nodeName: string, signal: AbortSignal): Promise<void> {
    const { namespace, name, uid } = qp.info;
    try {
      await this.o.client.createSubresource(podsRef, name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace, uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      }, { namespace, signal });
      this.stats.scheduled++;
      this.stats.lastBindAt = performance.now();
      if (this.o.scheduledEvents ?? true) this.events.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
    } catch (err) {
      this.cache.forget(uid);
      if (signal.aborted) return;
      this.stats.bindErrors++;
      if (isNotFound(err)) return; // deleted meanwhile
      if (isConflict(err)) {
        // already bound (by someone else), or a stale uid: the informer will say which
        const cur = this.podInformer.lister.get(namespace, name);
        if (!cur || isAssigned(cur) || cur.metadata?.uid !== uid) return;
      }
      const msg = `Binding rejected: ${err instanceof Error ? err.message : String(err)}`;
      this.events.event(pod, 'Warning', 'FailedScheduling', msg);
      const latest = this.podInformer.lister.get(namespace, name);
      if (latest && latest.metadata?.uid === uid && !isAssigned(latest)) {
        qp.info = newPodInfo(latest);
        this.queue.addBackoff(qp);
      }
    }
  }

  private reportUnschedulable(pod: Pod, message: string, signal: AbortSignal): void {
    this.events.event(pod, 'Warning', 'FailedScheduling', message);
    this.setPodScheduledFalse(pod, 'Unschedulable', message, signal);
  }

  /** Writes PodScheduled=False through pods/status unless the pod already says exactly that. */
  private setPodScheduledFalse(pod: Pod, reason: string, message: string, signal?: AbortSignal): void {
    const old = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (old && old.status === 'False' && old.reason === reason && old.message === message) return;
    const cond: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastTransitionTime: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    if (old?.status === 'False' && old.lastTransitionTime) cond.lastTransitionTime = old.lastTransitionTime;
    const patch = { status: { conditions: [{ ...cond, lastProbeTime: null }] } };
    const ns = pod.metadata?.namespace;
    const task = this.o.client.patch(podsRef, pod.metadata!.name!, patch, 'strategic', { namespace: ns, subresource: 'status', signal })
      .then(() => undefined, (err: unknown) => {
        if (!signal?.aborted && !isNotFound(err)) console.error(`scheduler: updating PodScheduled of ${ns}/${pod.metadata?.name} failed:`, err instanceof Error ? err.message : err);
      });
    this.binds.add(task);
    void task.finally(() => this.binds.delete(task));
  }
}
