// Probe workers (upstream's prober manager): one loop per running container and probe kind, tied to that
// container's ID so a restarted container gets fresh workers. Readiness starts False and liveness True; a result
// flips after successThreshold/failureThreshold consecutive outcomes, after initialDelaySeconds, every
// periodSeconds. Liveness and readiness wait for a startup probe to succeed. A liveness (or startup) failure stops
// the container (its preStop hook first, within the probe's or the pod's grace period) — the pod worker then
// restarts it per restartPolicy. Every change wakes the pod's worker.
import { setMaxListeners } from 'node:events';
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { type Clock, type EventRecorder, realClock, sleep } from '../../client/index.ts';
import type { CriClient } from '../cri/client.ts';
import type { PodRuntime } from './pod-status.ts';
import { preStop } from './hooks.ts';
import { runProbe } from './probe.ts';
import { terminationGraceSeconds } from './runtime-config.ts';
import { containerRef } from './container-ref.ts';

type Kind = 'startup' | 'liveness' | 'readiness';
const kinds: Kind[] = ['startup', 'liveness', 'readiness'];
const title: Record<Kind, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

function probeOf(c: Container, kind: Kind): Probe | undefined {
  return kind === 'startup' ? c.startupProbe : kind === 'liveness' ? c.livenessProbe : c.readinessProbe;
}

export interface ProberDeps {
  cri: CriClient;
  recorder: EventRecorder;
  /** Wakes the pod worker of "ns/name". */
  onChange: (podKey: string) => void;
  clock?: Clock;
}

interface Worker {
  containerId: string;
  ac: AbortController;
}

export class ProbeManager {
  private readonly workers = new Map<string, Worker>();
  private readonly results = new Map<string, boolean>();
  private readonly clock: Clock;

  constructor(private readonly d: ProberDeps) {
    this.clock = d.clock ?? realClock;
  }

  /** Starts workers for running containers with probes, and stops those whose container is gone or replaced. */
  sync(pod: Pod, rt: PodRuntime): void {
    const uid = pod.metadata?.uid ?? '';
    const wanted = new Set<string>();
    for (const c of pod.spec?.containers ?? []) {
      const latest = rt.containers.get(c.name)?.[0];
      if (latest?.state !== 'CONTAINER_RUNNING') continue;
      for (const kind of kinds) {
        const probe = probeOf(c, kind);
        if (!probe) continue;
        const key = `${uid}/${c.name}/${kind}`;
        wanted.add(key);
        const w = this.workers.get(key);
        if (w?.containerId === latest.id) continue;
        w?.ac.abort();
        this.results.delete(key);
        const ac = new AbortController();
        setMaxListeners(0, ac.signal);
        this.workers.set(key, { containerId: latest.id, ac });
        void this.run(pod, c, kind, probe, latest.id, Math.floor(latest.startedAt / 1e6), rt.sandbox?.ip ?? '', ac.signal);
      }
    }
    for (const [key, w] of this.workers) {
      if (key.startsWith(`${uid}/`) && !wanted.has(key)) {
        w.ac.abort();
        this.workers.delete(key);
        this.results.delete(key);
      }
    }
  }

  private result(uid: string, c: Container, kind: Kind): boolean | undefined {
    if (!probeOf(c, kind)) return undefined;
    return this.results.get(`${uid}/${c.name}/${kind}`) ?? false;
  }

  /** Readiness by container name, for containers with a readiness probe. */
  readiness(pod: Pod): Map<string, boolean> {
    const uid = pod.metadata?.uid ?? '';
    const m = new Map<string, boolean>();
    for (const c of pod.spec?.containers ?? []) {
      const r = this.result(uid, c, 'readiness');
      if (r !== undefined) m.set(c.name, r);
    }
    return m;
  }

  /** Whether containers with a startup probe have passed it. */
  started(pod: Pod): Map<string, boolean> {
    const uid = pod.metadata?.uid ?? '';
    const m = new Map<string, boolean>();
    for (const c of pod.spec?.containers ?? []) {
      const r = this.result(uid, c, 'startup');
      if (r !== undefined) m.set(c.name, r);
    }
    return m;
  }

  removePod(uid: string): void {
    for (const [key, w] of this.workers) {
      if (!key.startsWith(`${uid}/`)) continue;
      w.ac.abort();
      this.workers.delete(key);
      this.results.delete(key);
    }
  }

  stopAll(): void {
    for (const w of this.workers.values()) w.ac.abort();
    this.workers.clear();
  }

  private async run(pod: Pod, c: Container, kind: Kind, p: Probe, containerId: string, startedAtMs: number, podIP: string, signal: AbortSignal): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const key = `${uid}/${c.name}/${kind}`;
    const podKey = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const period = (p.periodSeconds ?? 10) * 1000;
    const successThreshold = p.successThreshold ?? 1;
    const failureThreshold = p.failureThreshold ?? 3;
    let result = kind === 'liveness';
    let successes = 0;
    let failures = 0;
    const delay = startedAtMs + (p.initialDelaySeconds ?? 0) * 1000 - this.clock.now();
    if (delay > 0 && !(await sleep(this.clock, delay, signal))) return;
    do {
      if (kind !== 'startup' && c.startupProbe && this.results.get(`${uid}/${c.name}/startup`) !== true) continue;
      const outcome = await runProbe(p, { cri: this.d.cri, containerId, podIP, container: c });
      if (signal.aborted) return;
      if (outcome.ok) {
        successes++;
        failures = 0;
      } else {
        failures++;
        successes = 0;
        this.d.recorder.event(pod, 'Warning', 'Unhealthy', `${title[kind]} probe failed: ${outcome.output}`, containerRef(pod, c.name));
      }
      const next = outcome.ok ? (successes >= successThreshold ? true : result) : failures >= failureThreshold ? false : result;
      if (next !== result || !this.results.has(key)) {
        result = next;
        this.results.set(key, result);
        this.d.onChange(podKey);
      }
      if (kind === 'startup' && result) return;
      if ((kind === 'liveness' || kind === 'startup') && !result && failures >= failureThreshold) {
        this.d.recorder.event(pod, 'Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`, containerRef(pod, c.name));
        // upstream's killContainer: the probe's own grace period if set, the preStop hook first
        const grace = await preStop(pod, c, containerId, podIP, p.terminationGracePeriodSeconds ?? terminationGraceSeconds(pod), this.d.cri, this.d.recorder);
        await this.d.cri.stopContainer(containerId, grace).catch(() => undefined);
        this.d.onChange(podKey);
        return;
      }
    } while (await sleep(this.clock, period, signal));
  }
}
