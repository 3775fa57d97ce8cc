// One pod's reconcile (upstream's SyncPod/SyncTerminatingPod, level-triggered): read what CRI has for the pod and
// act — replace a dead sandbox, run init containers in order, create and start containers, restart exited ones
// per restartPolicy with CrashLoopBackOff — then write the status. A pod with a deletionTimestamp is torn down
// within its grace period and then deleted for good (grace 0, uid precondition), as upstream's status manager
// does. Containers of a pod that no longer exists (or of an older pod of the same name) are removed. Mirror pods
// are not run (their publisher keeps them).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { isMirrorPod } from '../../api/mirror-pod.ts';
import { activeDeadlineLeftMs, deadlineExceeded, deadlineMessage, deadlineReason } from './active-deadline.ts';
import { type Action, type Clock, type EventRecorder, type RestClient, isNotFound, resourceRef } from '../../client/index.ts';
import { CriError, type CriClient, isCriNotFound, rpcErrorText } from '../cri/client.ts';
import type { PodSandboxConfig } from '../cri/types.ts';
import type { Backoff } from '../../client/backoff.ts';
import { ConfigError, containerEnv } from './env.ts';
import { type PreparedVolume, type VolumeSources, VolumeError, containerMounts, prepareVolumes, removePodDir } from './volumes.ts';
import { runHook } from './hooks.ts';
import { runAsNonRootViolation } from './non-root.ts';
import type { ImagePuller } from './image-puller.ts';
import type { ProbeManager } from './prober.ts';
import { type Listed, type PodRuntimeView, podRuntime, podRuntimeOf, strays, teardown } from './pod-runtime.ts';
import { type Waiting, computePodStatus, restartCountOf } from './pod-status.ts';
import { type DnsSettings, containerConfig, podDns, sandboxConfig, terminationGraceSeconds } from './runtime-config.ts';
import { containerRef } from './container-ref.ts';

export const podsRef = resourceRef('v1', 'pods', true);
/** A container that ran this long before exiting starts its restart backoff over (upstream: 10 minutes). */
const backoffResetMs = 600_000;

export interface PodSyncDeps {
  client: RestClient;
  cri: CriClient;
  recorder: EventRecorder;
  puller: ImagePuller;
  restartBackoff: Backoff;
  /** ConfigMaps, Secrets and tokens for env and volumes. */
  envSources: VolumeSources;
  /** Per-pod directories (volumes) live under <podsDir>/<uid>. */
  podsDir: string;
  hostIP: string;
  runtimeName: string;
  /** Container logs go under <logRoot>/<ns>_<name>_<uid>/<container>/<n>.log. */
  logRoot: string;
  dns: DnsSettings;
  /** False until the CNI config is written; pod-network sandboxes wait for it. */
  networkReady: () => boolean;
  /** Probe workers: readiness and startup results, liveness restarts. */
  probes?: ProbeManager;
  clock: Clock;
  log: (msg: string) => void;
}

/** What one step did: when to come back, and the containers it created or started (name, id), whose statuses are
 *  all that changed since the sync listed the runtime. */
type Step = { requeueAfter?: number; touched?: Array<[string, string]> };
const sooner = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

export class PodSyncer {
  /** Why containers are not running, per pod uid and container name; feeds status. */
  private readonly waiting = new Map<string, Map<string, Waiting>>();
  /** The status last written per pod uid: its JSON, phase and startTime (the API's copy may not be back yet). */
  private readonly written = new Map<string, { text: string; phase?: string; startTime?: string }>();
  /** The uid last reconciled under each "ns/name": strays need looking for only when it changes. */
  private readonly checked = new Map<string, string>();
  private readonly volumes = new Map<string, Map<string, PreparedVolume>>();

  constructor(private readonly d: PodSyncDeps) {}

  /**
   * Whether an update of a pod is only the status this kubelet wrote coming back: upstream's pod config does not
   * sync a pod for a status-only change (the kubelet is the source of truth for status), and a re-sync per write
   * would cost containerd a relist per pod. A phase this kubelet did not write (pod GC's Failed) still syncs.
   */
  isOwnStatusEcho(old: Pod, pod: Pod): boolean {
    const uid = pod.metadata?.uid;
    if (!uid || old.metadata?.uid !== uid || !this.written.has(uid)) return false;
    if (pod.status?.phase !== this.written.get(uid)?.phase) return false;
    const rest = (p: Pod): string => JSON.stringify({ ...p, status: undefined, metadata: { ...p.metadata, resourceVersion: undefined, managedFields: undefined } });
    return rest(old) === rest(pod);
  }

  /** Reconciles the pod "ns/name" (pod undefined: it is gone from the API). */
  async sync(namespace: string, name: string, pod: Pod | undefined, signal: AbortSignal): Promise<Action> {
    const uid = pod?.metadata?.uid;
    const key = `${namespace}/${name}`;
    let own: Listed | undefined;
    if (!uid || this.checked.get(key) !== uid) {
      // containers of a deleted pod, or of an older pod of the same name (PLEG wakes us for those too)
      const stray = await strays(this.d.cri, namespace, name, uid, signal);
      own = stray.own;
      if (stray.containers.length || stray.sandboxes.length) {
        await teardown(this.d.cri, stray.containers, stray.sandboxes, { graceSeconds: 0, signal });
        for (const s of stray.sandboxes) this.forget(s.metadata.uid);
      }
      if (uid) this.checked.set(key, uid);
      else this.checked.delete(key);
    }
    if (!pod || !uid) return;
    // a mirror pod stands for a component this node's Skiff process runs and publishes (server/mirror-pods.ts),
    // as upstream's kubelet never runs a mirror pod's containers
    if (isMirrorPod(pod)) return;
    if (pod.metadata?.deletionTimestamp) return this.terminate(pod, signal);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      await this.stopSandboxes(uid, signal);
      return;
    }
    if (!pod.spec?.hostNetwork && !this.d.networkReady()) return { requeueAfter: 500 };
    const left = this.deadlineLeft(pod);
    if (left !== undefined && left <= 0) return this.killForDeadline(pod, signal);
    const action = await this.syncRunning(pod, signal, own);
    // the first sync writes startTime: the deadline counts from then, though no status echo wakes us for it
    const after = left ?? this.deadlineLeft(pod);
    return after === undefined ? action : { requeueAfter: Math.min(after, action?.requeueAfter ?? after) };
  }

  /** Milliseconds before activeDeadlineSeconds runs out, counted from the startTime in the API or the one written. */
  private deadlineLeft(pod: Pod): number | undefined {
    const startTime = pod.status?.startTime ?? this.written.get(pod.metadata?.uid ?? '')?.startTime;
    return activeDeadlineLeftMs(startTime ? { ...pod, status: { ...pod.status, startTime } } : pod, this.d.clock.now());
  }

  private async killForDeadline(pod: Pod, signal: AbortSignal): Promise<Action> {
    const uid = pod.metadata!.uid!;
    this.d.recorder.event(pod, 'Warning', deadlineReason, deadlineMessage);
    const rt = await podRuntime(this.d.cri, uid, signal);
    // stop, but keep the exited containers (their status and logs), then the sandbox
    await teardown(this.d.cri, rt.all.filter((c) => c.state === 'CONTAINER_RUNNING'), [], {
      graceSeconds: terminationGraceSeconds(pod), pod, podIP: rt.sandbox?.ip, recorder: this.d.recorder, signal, keepContainers: true,
    });
    await this.stopSandboxes(uid, signal);
    await this.writeStatus(pod, await podRuntime(this.d.cri, uid, signal), signal, deadlineExceeded);
  }

  private forget(uid: string): void {
    this.waiting.delete(uid);
    this.written.delete(uid);
    this.d.restartBackoff.resetPrefix(`${uid}/`);
    this.d.probes?.removePod(uid);
    this.volumes.delete(uid);
    removePodDir(this.d.podsDir, uid);
  }

  private async terminate(pod: Pod, signal: AbortSignal): Promise<Action> {
    const uid = pod.metadata!.uid!;
    const rt = await podRuntime(this.d.cri, uid, signal);
    // stop first and report the stopped containers (exit codes, reasons) as upstream's status manager does before
    // the pod goes; then remove containers and sandboxes
    await teardown(this.d.cri, rt.all, [], {
      graceSeconds: terminationGraceSeconds(pod), pod, podIP: rt.sandbox?.ip, recorder: this.d.recorder, signal, keepContainers: true,
    });
    const stopped = await podRuntime(this.d.cri, uid, signal);
    try {
      await this.writeStatus(pod, stopped, signal, undefined, true);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await teardown(this.d.cri, stopped.all, stopped.sandboxes, { graceSeconds: 0, signal });
    this.forget(uid);
    this.checked.delete(`${pod.metadata!.namespace}/${pod.metadata!.name}`);
    try {
      await this.d.client.delete(podsRef, pod.metadata!.name!, { namespace: pod.metadata!.namespace, gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async stopSandboxes(uid: string, signal: AbortSignal): Promise<void> {
    const rt = await podRuntime(this.d.cri, uid, signal);
    for (const s of rt.sandboxes) if (s.state === 'SANDBOX_READY') await this.d.cri.stopPodSandbox(s.id, { signal });
  }

  private waitingFor(uid: string): Map<string, Waiting> {
    let m = this.waiting.get(uid);
    if (!m) this.waiting.set(uid, (m = new Map()));
    return m;
  }

  private logDir(pod: Pod): string {
    return join(this.d.logRoot, `${pod.metadata?.namespace}_${pod.metadata?.name}_${pod.metadata?.uid}`);
  }

  /** listed: the pod's sandboxes and containers when sync has just listed them (a pod seen for the first time). */
  private async syncRunning(pod: Pod, signal: AbortSignal, listed?: Listed): Promise<Action> {
    const uid = pod.metadata!.uid!;
    let rt = listed ? await podRuntimeOf(this.d.cri, listed, signal) : await podRuntime(this.d.cri, uid, signal);
    const current = rt.sandboxes[0];
    let config: PodSandboxConfig;
    if (!current || current.state !== 'SANDBOX_READY') {
      if (current) {
        this.d.recorder.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
        await teardown(this.d.cri, rt.all, rt.sandboxes, { graceSeconds: 0, signal });
      }
      config = sandboxConfig(pod, current ? current.metadata.attempt + 1 : 0, this.logDir(pod), this.d.dns);
      // the resolv.conf is fixed when the sandbox is made: that is when what was dropped from it is reported
      for (const w of podDns(pod, this.d.dns).warnings) this.d.recorder.event(pod, 'Warning', 'DNSConfigForming', w);
      mkdirSync(config.logDirectory!, { recursive: true });
      let id: string;
      try {
        id = await this.d.cri.runPodSandbox(config, { signal });
      } catch (err) {
        this.d.recorder.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${rpcErrorText(err)}`);
        throw err;
      }
      // a fresh sandbox holds no containers yet: its IP is all there is to learn (no relist needed)
      const st = await this.d.cri.podSandboxStatus(id, { signal });
      rt = { sandboxes: [], all: [], containers: new Map(), sandbox: { id, ready: st.state === 'SANDBOX_READY', ip: st.network?.ip ?? '' } };
    } else {
      config = sandboxConfig(pod, current.metadata.attempt, this.logDir(pod), this.d.dns);
    }
    const step = await this.withVolumes(pod, rt, (volumes) => this.syncContainers(pod, rt, config, volumes, signal));
    const after = await this.refreshed(rt, step.touched ?? [], signal);
    this.d.probes?.sync(pod, after);
    const status = await this.writeStatus(pod, after, signal);
    if (status === 'Succeeded' || status === 'Failed') await this.stopSandboxes(uid, signal);
    return step.requeueAfter !== undefined ? { requeueAfter: step.requeueAfter } : undefined;
  }

  /** The view after a step: only the containers it created or started have changed, so only their statuses are
   *  read again (a full relist per sync costs containerd four calls; the PLEG reports anything else that moved). */
  private async refreshed(rt: PodRuntimeView, touched: Array<[string, string]>, signal: AbortSignal): Promise<PodRuntimeView> {
    if (!touched.length) return rt;
    const containers = new Map(rt.containers);
    for (const [name, id] of touched) {
      try {
        const st = await this.d.cri.containerStatus(id, { signal });
        containers.set(name, [st, ...(rt.containers.get(name) ?? []).filter((s) => s.id !== id)].slice(0, 2));
      } catch (err) {
        if (!isCriNotFound(err)) throw err;
      }
    }
    return { ...rt, containers };
  }

  /** Runs fn with the pod's volumes laid out; a volume that cannot be set up is a FailedMount and a retry. */
  private async withVolumes(pod: Pod, rt: PodRuntimeView, fn: (v: ReadonlyMap<string, PreparedVolume>) => Promise<Step>): Promise<Step> {
    const uid = pod.metadata!.uid!;
    let volumes = this.volumes.get(uid);
    if (!volumes) {
      try {
        volumes = await prepareVolumes(pod, this.d.podsDir, this.d.envSources, { podIP: rt.sandbox?.ip ?? '', hostIP: this.d.hostIP });
      } catch (err) {
        if (!(err instanceof VolumeError)) throw err;
        this.d.recorder.event(pod, 'Warning', 'FailedMount', err.message);
        return { requeueAfter: 2000 };
      }
      this.volumes.set(uid, volumes);
    }
    return fn(volumes);
  }

  /** Init containers one at a time, in order; then every regular container. */
  private async syncContainers(pod: Pod, rt: PodRuntimeView, config: PodSandboxConfig, volumes: ReadonlyMap<string, PreparedVolume>, signal: AbortSignal): Promise<Step> {
    const policy = pod.spec?.restartPolicy ?? 'Always';
    for (const c of pod.spec?.initContainers ?? []) {
      const latest = rt.containers.get(c.name)?.[0];
      if (latest?.state === 'CONTAINER_EXITED' && latest.exitCode === 0) continue;
      if (latest?.state === 'CONTAINER_RUNNING') return {};
      if (latest?.state === 'CONTAINER_EXITED' && policy === 'Never') return {};
      return this.ensureContainer(pod, c, rt, config, volumes, signal, true);
    }
    let requeue: number | undefined;
    const touched: Array<[string, string]> = [];
    for (const c of pod.spec?.containers ?? []) {
      const step = await this.ensureContainer(pod, c, rt, config, volumes, signal, false);
      requeue = sooner(requeue, step.requeueAfter);
      touched.push(...(step.touched ?? []));
    }
    return { requeueAfter: requeue, touched };
  }

  private async ensureContainer(
    pod: Pod, c: Container, rt: PodRuntimeView, config: PodSandboxConfig, volumes: ReadonlyMap<string, PreparedVolume>, signal: AbortSignal, init: boolean,
  ): Promise<Step> {
    const uid = pod.metadata!.uid!;
    const waiting = this.waitingFor(uid);
    const latest = rt.containers.get(c.name)?.[0];
    if (latest?.state === 'CONTAINER_RUNNING') {
      waiting.delete(c.name);
      return {};
    }
    let attempt = 0;
    if (latest?.state === 'CONTAINER_EXITED') {
      const policy = pod.spec?.restartPolicy ?? 'Always';
      const restart = policy === 'Always' || (policy === 'OnFailure' && latest.exitCode !== 0) || (init && latest.exitCode !== 0 && policy !== 'Never');
      if (!restart) {
        waiting.delete(c.name);
        return {};
      }
      const key = `${uid}/${c.name}`;
      if (latest.finishedAt - latest.startedAt >= backoffResetMs * 1e6) this.d.restartBackoff.reset(key);
      const left = this.d.restartBackoff.remaining(key, Math.floor(latest.finishedAt / 1e6));
      if (left > 0) {
        const delayS = Math.round(this.d.restartBackoff.delay(key) / 1000);
        const who = `${pod.metadata?.name}_${pod.metadata?.namespace}(${uid})`;
        waiting.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${delayS}s restarting failed container=${c.name} pod=${who}` });
        this.d.recorder.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${who}`, containerRef(pod, c.name));
        return { requeueAfter: left };
      }
      this.d.restartBackoff.next(key);
      attempt = restartCountOf(latest) + 1;
    } else if (latest?.state === 'CONTAINER_CREATED') {
      return this.start(pod, c, latest.id, rt, signal);
    }
    return this.createAndStart(pod, c, attempt, rt, config, volumes, signal);
  }

  private async createAndStart(
    pod: Pod, c: Container, attempt: number, rt: PodRuntimeView, config: PodSandboxConfig, volumes: ReadonlyMap<string, PreparedVolume>, signal: AbortSignal,
  ): Promise<Step> {
    const waiting = this.waitingFor(pod.metadata!.uid!);
    const pulled = await this.d.puller.ensure(pod, c, signal);
    if ('waiting' in pulled) {
      waiting.set(c.name, pulled.waiting);
      // a failed pull (ErrImagePull) is shown as ImagePullBackOff at the next sync, a second on, as upstream's
      // pod worker re-syncs after an error; within the backoff, come back when it ends
      const retry = pulled.waiting.reason === 'ErrImagePull' ? 1000 : Math.max(1000, this.d.puller.retryIn(pod, c));
      return { requeueAfter: retry };
    }
    let id: string;
    try {
      await this.verifyNonRoot(pod, c, pulled.image, signal);
      const env = await containerEnv(pod, c, this.d.envSources, { podIP: rt.sandbox?.ip ?? '', hostIP: this.d.hostIP });
      const mounts = containerMounts(c, volumes);
      id = await this.d.cri.createContainer(rt.sandbox!.id, containerConfig(pod, c, pulled.image, attempt, env, mounts), config, { signal });
    } catch (err) {
      if (signal.aborted) throw err;
      const reason = err instanceof ConfigError ? 'CreateContainerConfigError' : 'CreateContainerError';
      const message = err instanceof CriError ? err.details : err instanceof Error ? err.message : String(err);
      waiting.set(c.name, { reason, message });
      this.d.recorder.event(pod, 'Warning', 'Failed', `Error: ${message}`, containerRef(pod, c.name));
      return { requeueAfter: 5000 };
    }
    this.d.recorder.event(pod, 'Normal', 'Created', `Created container: ${c.name}`, containerRef(pod, c.name));
    return this.start(pod, c, id, rt, signal);
  }

  /** runAsNonRoot against the image's user (CRI ImageStatus), before anything is created. */
  private async verifyNonRoot(pod: Pod, c: Container, image: string, signal: AbortSignal): Promise<void> {
    if (!(c.securityContext?.runAsNonRoot ?? pod.spec?.securityContext?.runAsNonRoot)) return;
    const st = await this.d.cri.imageStatus({ image }, { signal });
    const violation = runAsNonRootViolation(pod, c, { uid: st?.uid ? Number(st.uid.value) : undefined, username: st?.username || undefined });
    if (violation) throw new ConfigError(violation);
  }

  private async start(pod: Pod, c: Container, id: string, rt: PodRuntimeView, signal: AbortSignal): Promise<Step> {
    const waiting = this.waitingFor(pod.metadata!.uid!);
    try {
      await this.d.cri.startContainer(id, { signal });
    } catch (err) {
      if (signal.aborted) throw err;
      const message = err instanceof CriError ? err.details : String(err);
      waiting.set(c.name, { reason: 'RunContainerError', message });
      this.d.recorder.event(pod, 'Warning', 'Failed', `Error: ${message}`, containerRef(pod, c.name));
      return { requeueAfter: 5000, touched: [[c.name, id]] };
    }
    waiting.delete(c.name);
    this.d.recorder.event(pod, 'Normal', 'Started', `Started container ${c.name}`, containerRef(pod, c.name));
    if (c.lifecycle?.postStart) {
      // upstream: a failed postStart hook kills the container, which then restarts per restartPolicy
      const failed = await runHook(c.lifecycle.postStart, this.d.cri, id, rt.sandbox?.ip ?? '', c, terminationGraceSeconds(pod));
      if (failed) {
        this.d.recorder.event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${failed}`, containerRef(pod, c.name));
        await this.d.cri.stopContainer(id, terminationGraceSeconds(pod), { signal });
      }
    }
    return { touched: [[c.name, id]] };
  }

  /** Writes the computed status when it differs from what the API (or our last write) has; returns the phase. */
  private async writeStatus(pod: Pod, rt: PodRuntimeView, signal: AbortSignal, adjust: (s: PodStatus) => PodStatus = (s) => s, terminal = false): Promise<string | undefined> {
    const uid = pod.metadata!.uid!;
    // until the API's copy of our first write is back in the cache, keep the startTime that write gave
    const startTime = this.written.get(uid)?.startTime;
    const base = pod.status?.startTime || !startTime ? pod : { ...pod, status: { ...pod.status, startTime } };
    const status = adjust(computePodStatus({
      pod: base, runtime: rt, waiting: this.waitingFor(uid), readiness: this.d.probes?.readiness(pod), started: this.d.probes?.started(pod),
      hostIP: this.d.hostIP, runtimeName: this.d.runtimeName, now: this.d.clock.now(), terminal,
    }));
    const text = JSON.stringify(status);
    if (text === JSON.stringify(pod.status) || text === this.written.get(uid)?.text) return status.phase;
    await this.d.client.patch(podsRef, pod.metadata!.name!, { metadata: { uid }, status }, 'merge', { namespace: pod.metadata!.namespace, subresource: 'status', signal });
    this.written.set(uid, { text, phase: status.phase, startTime: status.startTime });
    return status.phase;
  }
}
