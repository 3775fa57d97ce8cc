// The mirror pod publisher: the part of upstream's kubelet that keeps a mirror pod in the API for each static pod,
// for the components a Skiff process supervises on its node (`skiff server`: the control plane, kube-proxy, DNS;
// `skiff agent`: kube-proxy). It is an ordinary API client (the node's own identity, system:node:<name>) that
// watches only this node's pods in kube-system and this Node, and writes only on change: a pod per component,
// created when missing, its status written when the supervisor's state moves, deleted (grace 0, UID
// precondition) and so re-created when a user deleted it or its config hash changed, and removed when no
// component of this source stands behind it any more (a component disabled since the last run).
// `skiff server` runs it in a worker thread of its own (mirror-pods-main.ts, mirror-pods-host.ts), off the API
// server's loop. `skiff agent` runs it in its own process (no API server there; its loop is the kubelet's, which
// upstream does this job on): startMirrorPods({ kubeconfig, nodeName, source: 'skiff-agent',
// sources: [hostedSource(hostedMirrorComponent('kube-proxy', 'worker thread of skiff agent', ['skiff', 'agent'])!,
// proxy)] }) with a HostedComponent, or steadySource(…, since) for one running on the agent's own event loop.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import {
  type Action, InformerFactory, RestClient, WorkQueue, isAlreadyExists, isConflict, isNotFound, resourceRef, runController,
} from '../client/index.ts';
import type { HostedComponent, HostedComponentState } from './hosted-component.ts';
import {
  type MirrorComponent, type MirrorNode, isMirrorPod, mirrorNamespace, mirrorPod, mirrorPodName, mirrorPodStatus, sourceAnnotation, mirrorAnnotation,
} from './mirror-pod.ts';

const podsRef = resourceRef('v1', 'pods', true);
const nodesRef = resourceRef('v1', 'nodes', false);

/**
 * How long a pod this publisher deleted (a user's delete finished, or an outdated pod) stays away before it is made
 * again. `kubectl delete` waits for the pod it deleted by listing the name and watching from there: a pod of the
 * same name already back at that list looks like the old one still there, and kubectl would wait forever.
 */
const recreateDelayMs = 1000;

/** One component as a mirror pod: how it shows, and its supervisor's state. */
export interface MirrorSource {
  component: MirrorComponent;
  state(): HostedComponentState;
  /** Calls fn whenever state() moved; returns how to stop. */
  onChange(fn: () => void): () => void;
}

/** A component supervised by a HostedComponent. */
export function hostedSource(component: MirrorComponent, hosted: HostedComponent): MirrorSource {
  return {
    component,
    state: () => hosted.state(),
    onChange(fn) {
      hosted.on('change', fn);
      return () => void hosted.off('change', fn);
    },
  };
}

/** A part of the publishing process itself (the API server, the store embedded in it): running while it runs. */
export function steadySource(component: MirrorComponent, since: Date): MirrorSource {
  const state: HostedComponentState = { phase: 'running', restarts: 0, firstStartedAt: since, startedAt: since, since, threadId: 0, pid: process.pid };
  return { component, state: () => ({ ...state }), onChange: () => () => undefined };
}

export interface MirrorPublisherOptions {
  /** An API client with the node's identity. */
  client: RestClient;
  nodeName: string;
  /** kubernetes.io/config.source of these pods: which process publishes them (this one removes only its own). */
  source: string;
  sources: MirrorSource[];
  signal: AbortSignal;
  log?: (line: string) => void;
}

export interface MirrorPublisher {
  /** Resolves when the publisher has stopped (signal aborted). */
  done: Promise<void>;
}

function nodeFacts(node: Node): MirrorNode {
  const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  return { name: node.metadata!.name!, uid: node.metadata!.uid!, address };
}

export function publishMirrorPods(o: MirrorPublisherOptions): MirrorPublisher {
  const log = o.log ?? ((line: string) => console.error(`mirror-pods: ${line}`));
  const byName = new Map(o.sources.map((s) => [mirrorPodName(s.component, o.nodeName), s]));
  const factory = new InformerFactory(o.client);
  const pods = factory.informerFor<Pod>(podsRef, { namespace: mirrorNamespace, fieldSelector: `spec.nodeName=${o.nodeName}` });
  const nodes = factory.informerFor<Node>(nodesRef, { fieldSelector: `metadata.name=${o.nodeName}` });
  const queue = new WorkQueue<string>();
  /** The status last written per pod (by UID): a status is written once, not on every wake-up. */
  const written = new Map<string, { uid: string; status: string }>();
  const all = (): void => {
    for (const name of byName.keys()) queue.add(name);
  };
  pods.addEventHandler({
    onAdd: (p) => queue.add(p.metadata!.name!),
    onUpdate: (_, p) => queue.add(p.metadata!.name!),
    onDelete: (p) => queue.add(p.metadata!.name!),
  });
  const nodeReady = (n: Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  nodes.addEventHandler({
    onAdd: all,
    onUpdate: (a, b) => {
      // the node-lifecycle controller marks a silent node's pods not ready; once it is Ready again, so are they
      if (nodeReady(b) && !nodeReady(a)) written.clear();
      if (a.metadata?.uid !== b.metadata?.uid || nodeFacts(a).address !== nodeFacts(b).address || nodeReady(a) !== nodeReady(b)) all();
    },
    onDelete: all,
  });
  const unsubscribe = o.sources.map((s) => s.onChange(() => queue.add(mirrorPodName(s.component, o.nodeName))));
  o.signal.addEventListener('abort', () => unsubscribe.forEach((u) => u()), { once: true });
  factory.start(o.signal);
  all();

  /** When a pod this publisher deleted may be made again. */
  const recreateAt = new Map<string, number>();
  const remove = async (pod: Pod, signal: AbortSignal): Promise<void> => {
    try {
      await o.client.delete(podsRef, pod.metadata!.name!, { namespace: mirrorNamespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata!.uid! }, signal });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  };

  const reconcile = async (name: string, signal: AbortSignal): Promise<Action> => {
    const have = pods.lister.get(mirrorNamespace, name);
    const source = byName.get(name);
    if (!source) {
      // a mirror pod of ours whose component is gone (disabled, or renamed since the last run)
      if (have && isMirrorPod(have) && have.metadata?.annotations?.[sourceAnnotation] === o.source) {
        log(`removing mirror pod ${mirrorNamespace}/${name}: no such component here any more`);
        await remove(have, signal);
      }
      return;
    }
    const node = nodes.lister.get(undefined, o.nodeName);
    if (!node?.metadata?.uid) return; // the Node's arrival wakes every pod
    const facts = nodeFacts(node);
    const want = mirrorPod(source.component, facts, o.source);
    const hash = want.metadata!.annotations![mirrorAnnotation];
    let pod = have;
    if (pod && !isMirrorPod(pod)) {
      log(`pod ${mirrorNamespace}/${name} exists and is not a mirror pod: leaving it alone`);
      return;
    }
    if (pod && (pod.metadata?.deletionTimestamp || pod.metadata?.annotations?.[mirrorAnnotation] !== hash)) {
      // deleted by a user, or out of date: finish the deletion; its disappearance brings the new one
      await remove(pod, signal);
      recreateAt.set(name, Date.now() + recreateDelayMs);
      return;
    }
    if (!pod) {
      const wait = (recreateAt.get(name) ?? 0) - Date.now();
      if (wait > 0) return { requeueAfter: wait };
      recreateAt.delete(name);
      try {
        pod = await o.client.create<Pod>(podsRef, want, { namespace: mirrorNamespace, signal });
      } catch (err) {
        // made a moment ago and not yet in the cache (the watch is behind): look at it as it is, next round
        if (isAlreadyExists(err)) return { requeueAfter: 100 };
        throw err;
      }
    }
    const status = mirrorPodStatus(source.component, source.state(), facts);
    const text = JSON.stringify(status);
    const last = written.get(name);
    if (last && last.uid === pod.metadata!.uid && last.status === text) return;
    // a merge patch replaces the lists (conditions, containerStatuses) whole, and needs no resourceVersion
    await o.client.patch(podsRef, name, { status }, 'merge', { namespace: mirrorNamespace, subresource: 'status', signal });
    written.set(name, { uid: pod.metadata!.uid!, status: text });
  };

  const done = runController({
    name: 'mirror-pods',
    queue,
    signal: o.signal,
    synced: [pods.synced, nodes.synced],
    reconcile: async (name, signal) => {
      try {
        return await reconcile(name, signal);
      } catch (err) {
        // the pod went between the cache and the write: the watch brings that, and with it the next round
        if (isNotFound(err)) return;
        throw err;
      }
    },
    onError: (name, err) => log(`${mirrorNamespace}/${name}: ${err instanceof Error ? err.message : String(err)}`),
  });
  return { done };
}

/**
 * A publisher with its own client from the node's kubeconfig (what `skiff server` and `skiff agent` call). stop()
 * ends it; the pods stay, as a stopped kubelet's mirror pods do.
 */
export function startMirrorPods(o: Omit<MirrorPublisherOptions, 'client' | 'signal'> & { kubeconfig: string }): { stop(): Promise<void> } {
  const client = RestClient.fromKubeconfig(o.kubeconfig, { userAgent: `skiff-mirror-pods/${o.nodeName}`, qps: 0 });
  const ac = new AbortController();
  const { done } = publishMirrorPods({ ...o, client, signal: ac.signal });
  return {
    async stop() {
      ac.abort();
      await done;
      client.close();
    },
  };
}
