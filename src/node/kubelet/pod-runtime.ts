// What the runtime holds for one pod, found by the labels the kubelet put on it (so a restarted kubelet sees the
// same): its sandboxes newest first, the current sandbox's IP, and each container's CRI statuses newest first; and
// the teardown used for deletion and sandbox replacement: stop containers (SIGTERM, SIGKILL after the grace
// period, done by the runtime), remove them, stop and remove the sandboxes.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/index.ts';
import { type CriClient, isCriNotFound } from '../cri/client.ts';
import type { Container, ContainerStatus, PodSandbox } from '../cri/types.ts';
import type { PodRuntime } from './pod-status.ts';
import { preStop } from './hooks.ts';
import { containerNameLabel, podNameLabel, podNamespaceLabel, podUidLabel } from './runtime-config.ts';
import { containerRef } from './container-ref.ts';

export interface PodRuntimeView extends PodRuntime {
  sandboxes: PodSandbox[];
  all: Container[];
}

const newestFirst = <T extends { createdAt: number }>(a: T, b: T): number => b.createdAt - a.createdAt;

export async function podRuntime(cri: CriClient, uid: string, signal?: AbortSignal): Promise<PodRuntimeView> {
  const [sandboxes, all] = await Promise.all([
    cri.listPodSandbox({ labelSelector: { [podUidLabel]: uid } }, { signal }),
    cri.listContainers({ labelSelector: { [podUidLabel]: uid } }, { signal }),
  ]);
  return podRuntimeOf(cri, { sandboxes, containers: all }, signal);
}

/** The view from the pod's sandboxes and containers already listed (statuses are read here). */
export async function podRuntimeOf(cri: CriClient, listed: Listed, signal?: AbortSignal): Promise<PodRuntimeView> {
  const sandboxes = [...listed.sandboxes];
  const all = listed.containers;
  sandboxes.sort(newestFirst);
  const current = sandboxes[0];
  const view: PodRuntimeView = { sandboxes, all, containers: new Map() };
  if (!current) return view;
  const ready = current.state === 'SANDBOX_READY';
  let ip = '';
  if (ready) {
    try {
      ip = (await cri.podSandboxStatus(current.id, { signal })).network?.ip ?? '';
    } catch (err) {
      if (!isCriNotFound(err)) throw err;
    }
  }
  view.sandbox = { id: current.id, ready, ip };
  const byName = new Map<string, Container[]>();
  for (const c of all) {
    if (c.podSandboxId !== current.id) continue;
    const name = c.labels[containerNameLabel] ?? c.metadata.name;
    byName.set(name, [...(byName.get(name) ?? []), c]);
  }
  for (const [name, list] of byName) {
    list.sort(newestFirst);
    // the latest and the previous attempt are all status needs (state and lastState)
    const statuses: ContainerStatus[] = [];
    for (const c of list.slice(0, 2)) {
      try {
        statuses.push(await cri.containerStatus(c.id, { signal }));
      } catch (err) {
        if (!isCriNotFound(err)) throw err;
      }
    }
    view.containers.set(name, statuses);
  }
  return view;
}

export interface KillOptions {
  graceSeconds: number;
  /** The pod's IP, for httpGet preStop hooks. */
  podIP?: string;
  /** For Killing events; absent when the pod object is already gone. */
  pod?: Pod;
  recorder?: EventRecorder;
  signal?: AbortSignal;
  /** Stop containers but leave them in place (their status and logs stay). */
  keepContainers?: boolean;
}

async function ignoreNotFound(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isCriNotFound(err)) throw err;
  }
}

/** Stops and removes the given containers and sandboxes (all of one pod, or the stale ones). */
export async function teardown(cri: CriClient, containers: Container[], sandboxes: PodSandbox[], o: KillOptions): Promise<void> {
  await Promise.all(containers.map(async (c) => {
    if (c.state === 'CONTAINER_RUNNING') {
      const name = c.labels[containerNameLabel] ?? c.metadata.name;
      let grace = o.graceSeconds;
      const spec = o.pod?.spec?.containers?.find((x) => x.name === name);
      if (o.pod && o.recorder) o.recorder.event(o.pod, 'Normal', 'Killing', `Stopping container ${name}`, containerRef(o.pod, name));
      if (o.pod && spec) grace = await preStop(o.pod, spec, c.id, o.podIP ?? '', grace, cri, o.recorder);
      await ignoreNotFound(cri.stopContainer(c.id, grace, { signal: o.signal }));
    }
    if (!o.keepContainers) await ignoreNotFound(cri.removeContainer(c.id, { signal: o.signal }));
  }));
  for (const s of sandboxes) {
    await ignoreNotFound(cri.stopPodSandbox(s.id, { signal: o.signal }));
    await ignoreNotFound(cri.removePodSandbox(s.id, { signal: o.signal }));
  }
}

export interface Listed {
  containers: Container[];
  sandboxes: PodSandbox[];
}

/** Sandboxes and containers of pods named ns/name whose uid is not keepUid (a deleted or replaced pod); and, as
 *  `own`, those of keepUid, from the same two list calls. */
export async function strays(
  cri: CriClient, namespace: string, name: string, keepUid: string | undefined, signal?: AbortSignal,
): Promise<Listed & { own: Listed }> {
  const sel = { [podNamespaceLabel]: namespace, [podNameLabel]: name };
  const [sandboxes, containers] = await Promise.all([
    cri.listPodSandbox({ labelSelector: sel }, { signal }),
    cri.listContainers({ labelSelector: sel }, { signal }),
  ]);
  const stray = (labels: Record<string, string>) => labels[podUidLabel] !== keepUid;
  return {
    sandboxes: sandboxes.filter((s) => stray(s.labels)), containers: containers.filter((c) => stray(c.labels)),
    own: { sandboxes: sandboxes.filter((s) => !stray(s.labels)), containers: containers.filter((c) => !stray(c.labels)) },
  };
}
