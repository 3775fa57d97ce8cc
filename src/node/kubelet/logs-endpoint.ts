// `GET /containerLogs/{namespace}/{pod}/{container}` of the kubelet's API: the query is upstream's PodLogOptions
// (follow, previous, tailLines, sinceSeconds, sinceTime, timestamps, limitBytes); the body is the log as text,
// written as it is read so `follow` streams. Errors use the kubelet's messages (the API server relays them). A
// mirror pod's log is its component's log file (component-log-paths.ts), in the same format.
import type { ServerResponse } from 'node:http';
import { stat } from 'node:fs/promises';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CriClient } from '../cri/client.ts';
import { streamLog, type LogOptions } from './container-logs.ts';
import { containerAttempts, KubeletHttpError } from './pod-lookup.ts';
import { isMirrorPod } from '../../api/mirror-pod.ts';
import { componentLogPaths } from './component-log-paths.ts';

const truthy = (v: string | null): boolean => v === 'true' || v === '1';

function nonNegative(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new KubeletHttpError(400, `${name}: Invalid value: "${v}": must be a non-negative integer`);
  return n;
}

export function logOptionsOf(q: URLSearchParams, now = Date.now()): LogOptions & { previous: boolean } {
  const sinceSeconds = nonNegative(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  let sinceMs: number | undefined;
  if (sinceSeconds !== undefined) sinceMs = now - sinceSeconds * 1000;
  else if (sinceTime) {
    sinceMs = Date.parse(sinceTime);
    if (Number.isNaN(sinceMs)) throw new KubeletHttpError(400, `sinceTime: Invalid value: "${sinceTime}": must be an RFC3339 time`);
  }
  return {
    follow: truthy(q.get('follow')),
    previous: truthy(q.get('previous')),
    timestamps: truthy(q.get('timestamps')),
    tailLines: nonNegative(q, 'tailLines'),
    limitBytes: nonNegative(q, 'limitBytes'),
    sinceMs,
  };
}

export interface LogsContext {
  cri: CriClient;
  /** The pod as the kubelet knows it (for its container states), undefined when not on this node. */
  pod(namespace: string, name: string): Promise<Pod | undefined>;
  /** Where this node's Skiff components keep their logs (mirror pods); none: their logs are not served. */
  componentLogDir?: string;
}

/** The file's inode, or undefined when it is not there. */
async function inode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).ino;
  } catch {
    return undefined;
  }
}

/** A mirror pod's log: its component's file; following ends when a new instance of the component starts a new file. */
async function mirrorLog(ctx: LogsContext, pod: Pod, podName: string, container: string, previous: boolean): Promise<LogFile> {
  if (!pod.spec?.containers.some((c) => c.name === container)) throw new KubeletHttpError(400, `container ${container} is not valid for pod ${podName}`);
  if (!ctx.componentLogDir) throw new KubeletHttpError(400, `container "${container}" in mirror pod "${podName}" has no log on this node`);
  const paths = componentLogPaths(ctx.componentLogDir, container);
  const path = previous ? paths.previous : paths.current;
  const ino = await inode(path);
  if (ino === undefined) {
    if (previous) throw new KubeletHttpError(400, `previous terminated container "${container}" in pod "${podName}" not found`);
    throw new KubeletHttpError(400, `container "${container}" in mirror pod "${podName}" keeps no log file on this node (it runs inside the process that publishes the pod)`);
  }
  return { path, running: async () => !previous && (await inode(path)) === ino };
}

interface LogFile {
  path: string;
  /** Whether more may be written to it (follow stops after the first false). */
  running(): Promise<boolean>;
}

/** The log file to read, or the reason there is none (upstream's validateContainerLogStatus). */
async function logFile(ctx: LogsContext, ns: string, podName: string, container: string, previous: boolean): Promise<LogFile> {
  const pod = await ctx.pod(ns, podName);
  if (!pod) throw new KubeletHttpError(404, `pod "${podName}" does not exist`);
  if (isMirrorPod(pod)) return mirrorLog(ctx, pod, podName, container, previous);
  const attempts = await containerAttempts(ctx.cri, ns, podName, container);
  const chosen = previous ? attempts[1] : attempts[0];
  if (!chosen) {
    if (previous) throw new KubeletHttpError(400, `previous terminated container "${container}" in pod "${podName}" not found`);
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const waiting = statuses.find((s) => s.name === container)?.state?.waiting?.reason ?? 'ContainerCreating';
    throw new KubeletHttpError(400, `container "${container}" in pod "${podName}" is waiting to start: ${waiting}`);
  }
  const status = await ctx.cri.containerStatus(chosen.id);
  const running = async (): Promise<boolean> => {
    try {
      return (await ctx.cri.containerStatus(chosen.id)).state === 'CONTAINER_RUNNING';
    } catch {
      return false;
    }
  };
  return { path: status.logPath, running };
}

export async function serveContainerLogs(
  ctx: LogsContext, res: ServerResponse, parts: string[], query: URLSearchParams, signal: AbortSignal,
): Promise<void> {
  const [ns, podName, container] = parts as [string, string, string];
  const opts = logOptionsOf(query);
  const { path, running } = await logFile(ctx, ns, podName, container, opts.previous);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const sink = {
    write: (chunk: Buffer): Promise<boolean> => new Promise((resolve) => {
      if (res.destroyed) return resolve(false);
      if (res.write(chunk)) resolve(true);
      else {
        const done = (more: boolean) => () => {
          res.off('drain', onDrain).off('close', onClose);
          resolve(more);
        };
        const onDrain = done(true);
        const onClose = done(false);
        res.once('drain', onDrain).once('close', onClose);
      }
    }),
  };
  try {
    await streamLog(path, opts, sink, { running, signal });
  } catch (err) {
    // the head is out: a missing file (the runtime removed the container) just ends the body
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  res.end();
}
