// The controller runner: wait for the informers' caches, then run `workers` loops that take a key from the queue and
// reconcile it. reconcile says what happens next: { requeueAfter: ms } or nothing ("wait for a change"). A thrown
// error retries the key through the queue's rate limiter, unless it is a TerminalError. A key is never reconciled by
// two workers at once (the queue guarantees it). Aborting the signal shuts the queue down; the returned promise
// resolves once every worker has finished its current reconcile.
import type { WorkQueue } from './workqueue.ts';
import { type Informer, waitForSync } from './informer.ts';
import { objectKey } from './cache.ts';
import type { ApiObject } from './types.ts';

export type Action = { requeueAfter?: number } | void;

/** Thrown by reconcile for failures a retry cannot fix; the key is dropped until something changes it. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

export interface ControllerOptions<K> {
  name: string;
  queue: WorkQueue<K>;
  reconcile: (key: K, signal: AbortSignal) => Promise<Action>;
  /** Concurrent workers (default 1). */
  workers?: number;
  signal: AbortSignal;
  /** Caches that must have synced before the first reconcile (informer.synced promises). */
  synced?: Promise<unknown>[];
  /** Where errors are reported (default console.error). */
  onError?: (key: K, err: unknown) => void;
}

export async function runController<K>(o: ControllerOptions<K>): Promise<void> {
  const { queue, signal } = o;
  const stop = (): void => queue.shutdown();
  if (signal.aborted) {
    stop();
    return;
  }
  signal.addEventListener('abort', stop, { once: true });
  try {
    if (!(await waitForSync(o.synced ?? [], signal))) return;
    const report = o.onError ?? ((key: K, err: unknown) => {
      console.error(`controller ${o.name}: reconciling ${String(key)} failed:`, err instanceof Error ? err.message : err);
    });
    const worker = async (): Promise<void> => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        try {
          if (signal.aborted) continue;
          const action = await o.reconcile(key, signal);
          queue.forget(key);
          if (action?.requeueAfter !== undefined) queue.addAfter(key, action.requeueAfter);
        } catch (err) {
          if (signal.aborted) continue;
          report(key, err);
          if (err instanceof TerminalError) queue.forget(key);
          else queue.addRateLimited(key);
        } finally {
          queue.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.workers ?? 1) }, worker));
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

/**
 * Feeds an informer into a queue, level-triggered: every add, update and delete enqueues the keys keyOf returns
 * (default the object's own "ns/name"). Returns the unregister function.
 */
export function enqueueOnChange<T extends ApiObject>(
  informer: Informer<T>,
  queue: WorkQueue<string>,
  keyOf: (obj: T) => string | string[] | undefined = objectKey,
): () => void {
  const add = (obj: T): void => {
    const keys = keyOf(obj);
    for (const k of Array.isArray(keys) ? keys : keys ? [keys] : []) queue.add(k);
  };
  return informer.addEventHandler({
    onAdd: add,
    onUpdate: (old, obj) => {
      add(old);
      add(obj);
    },
    onDelete: add,
  });
}

/** keyOf for dependents: the "ns/name" key of the object's controller owner when it is of this kind. */
export function controllerOwnerKey(kind: string): (obj: ApiObject) => string | undefined {
  return (obj) => {
    const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
    if (!ref || ref.kind !== kind) return undefined;
    const ns = obj.metadata?.namespace;
    return ns ? `${ns}/${ref.name}` : ref.name;
  };
}
