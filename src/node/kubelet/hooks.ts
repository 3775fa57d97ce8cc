// Container lifecycle hooks (upstream's handlerRunner): postStart runs right after StartContainer and a failure
// kills the container (FailedPostStartHook); preStop runs before the stop signal and eats into the grace period
// (FailedPreStopHook on failure, the stop goes on). exec hooks go through CRI ExecSync, httpGet ones from the node
// to the pod IP, as probes do.
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/index.ts';
import type { CriClient } from '../cri/client.ts';
import { runProbe } from './probe.ts';
import { containerRef } from './container-ref.ts';

export async function runHook(h: LifecycleHandler, cri: CriClient, containerId: string, podIP: string, c: Container, timeoutSeconds: number): Promise<string | undefined> {
  if (h.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(h.sleep!.seconds, timeoutSeconds) * 1000));
    return undefined;
  }
  const outcome = await runProbe({ exec: h.exec, httpGet: h.httpGet, tcpSocket: h.tcpSocket, timeoutSeconds: Math.max(1, timeoutSeconds) }, { cri, containerId, podIP, container: c });
  return outcome.ok ? undefined : outcome.output || 'hook failed';
}

/** Runs c's preStop hook, if any, within the grace period; returns the seconds of grace left for the stop. */
export async function preStop(pod: Pod, c: Container, containerId: string, podIP: string, graceSeconds: number, cri: CriClient, recorder?: EventRecorder): Promise<number> {
  const h = c.lifecycle?.preStop;
  if (!h || graceSeconds <= 0) return graceSeconds;
  const started = Date.now();
  const failed = await runHook(h, cri, containerId, podIP, c, graceSeconds).catch((err: unknown) => String(err));
  if (failed && recorder) recorder.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${failed}`, containerRef(pod, c.name));
  return Math.max(0, graceSeconds - Math.ceil((Date.now() - started) / 1000));
}
