// A shared informer: one Reflector filling one Cache for one resource (and selector), fanned out to any number of
// event handlers, with a Lister over the cache and a `synced` promise that resolves once the first list is in.
// InformerFactory hands every component in a process the same informer per (resource, namespace, selectors), so
// they share one watch. Handlers run synchronously in cache order and must not block; level-triggered consumers
// should only enqueue keys.
import type { ApiObject } from './types.ts';
import type { KubeObject } from '../api/object.ts';
import { type Clock, type Timer, realClock } from './clock.ts';
import { Cache, type IndexFunc, Lister, defaultIndexers } from './cache.ts';
import { type Delta, type ListWatchOptions, Reflector } from './reflector.ts';
import type { RestClient } from './rest.ts';
import { type ResourceRef, refKey } from './resource-ref.ts';

export interface EventHandler<T> {
  /** initial: the object came from a list (startup or relist), not from a watch event. */
  onAdd?(obj: T, initial: boolean): void;
  onUpdate?(old: T, obj: T): void;
  /** obj is the final state the server reported, or the last state cached when a relist found it gone. */
  onDelete?(obj: T): void;
}

export interface InformerOptions extends ListWatchOptions {
  client: RestClient;
  ref: ResourceRef;
  /** Every this often, onUpdate(obj, obj) for every cached object (0 = never, the default). */
  resyncPeriodMs?: number;
  indexers?: Record<string, IndexFunc<ApiObject>>;
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  watchTimeoutSeconds?: number;
}

export class Informer<T extends ApiObject = KubeObject> {
  readonly cache: Cache<T>;
  readonly lister: Lister<T>;
  /** Resolves once the first list has been applied to the cache (and reported to handlers). */
  readonly synced: Promise<void>;
  private markSynced!: () => void;
  private isSynced = false;
  private readonly handlers = new Set<EventHandler<T>>();
  private running?: Promise<void>;
  private reflector?: Reflector<T>;
  private readonly clock: Clock;

  constructor(private readonly o: InformerOptions) {
    this.cache = new Cache<T>((o.indexers ?? defaultIndexers) as Record<string, IndexFunc<T>>);
    this.lister = new Lister(this.cache);
    this.clock = o.clock ?? realClock;
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
  }

  get ref(): ResourceRef {
    return this.o.ref;
  }

  hasSynced(): boolean {
    return this.isSynced;
  }

  /**
   * Registers handlers; objects already cached are replayed to them as adds (initial = true), so a late
   * registration sees the same world as an early one. Returns a function that unregisters them.
   */
  addEventHandler(h: EventHandler<T>, signal?: AbortSignal): () => void {
    if (signal?.aborted) return () => {};
    this.handlers.add(h);
    for (const obj of this.cache.values()) this.call(() => h.onAdd?.(obj, true));
    const remove = (): void => {
      this.handlers.delete(h);
      signal?.removeEventListener('abort', remove);
    };
    // a registration tied to a signal ends with it (a restarted controller leaves no handlers of its dead run)
    signal?.addEventListener('abort', remove, { once: true });
    return remove;
  }

  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.cache.addIndexer(name, fn);
  }

  /** Starts list+watch; calling it again returns the same run. Resolves after signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    this.running ??= this.loop(signal);
    return this.running;
  }

  /** The resourceVersion the cache reflects (from the last list, event or bookmark); '' before the first list. */
  lastSyncResourceVersion(): string {
    return this.reflector?.lastSyncResourceVersion ?? '';
  }

  isRunning(): boolean {
    return this.running !== undefined;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const reflector = (this.reflector = new Reflector<T>({
      client: this.o.client,
      ref: this.o.ref,
      namespace: this.o.namespace,
      labelSelector: this.o.labelSelector,
      fieldSelector: this.o.fieldSelector,
      metadataOnly: this.o.metadataOnly,
      cache: this.cache,
      clock: this.clock,
      initialBackoffMs: this.o.initialBackoffMs,
      maxBackoffMs: this.o.maxBackoffMs,
      watchTimeoutSeconds: this.o.watchTimeoutSeconds,
      notify: (d) => this.distribute(d),
      onListed: () => {
        if (this.isSynced) return;
        this.isSynced = true;
        this.markSynced();
      },
    }));
    const stopResync = this.startResync(signal);
    try {
      await reflector.run(signal);
    } finally {
      stopResync();
    }
  }

  private startResync(signal: AbortSignal): () => void {
    const period = this.o.resyncPeriodMs ?? 0;
    if (period <= 0) return () => {};
    let timer: Timer | undefined;
    const schedule = (): void => {
      timer = this.clock.setTimeout(() => {
        if (signal.aborted) return;
        for (const obj of this.cache.values()) this.distribute({ type: 'update', old: obj, object: obj });
        schedule();
      }, period);
    };
    schedule();
    return () => timer?.cancel();
  }

  private distribute(d: Delta<T>): void {
    for (const h of this.handlers) {
      if (d.type === 'add') this.call(() => h.onAdd?.(d.object, d.initial));
      else if (d.type === 'update') this.call(() => h.onUpdate?.(d.old, d.object));
      else this.call(() => h.onDelete?.(d.object));
    }
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      console.error(`informer ${refKey(this.o.ref)}: event handler threw:`, err);
    }
  }
}

export interface InformerFactoryOptions {
  /** Watch only this namespace (default: all). */
  namespace?: string;
  resyncPeriodMs?: number;
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  watchTimeoutSeconds?: number;
}

/** What a component sees of a factory: the shared informer for a resource (and selectors). */
export interface SharedInformers {
  informerFor<T extends ApiObject = KubeObject>(ref: ResourceRef, sel?: ListWatchOptions): Informer<T>;
}

/**
 * The same shared informers, but every event handler registered through this view is removed when signal aborts:
 * what a supervisor hands a component it may restart, so the dead run's handlers do not pile up. The view holds
 * one abort listener for all its registrations (a controller such as the garbage collector registers on dozens of
 * informers: a listener each would pile up on the signal).
 */
export function scopedInformers(factory: SharedInformers, signal: AbortSignal): SharedInformers {
  const removers = new Set<() => void>();
  signal.addEventListener('abort', () => {
    for (const remove of removers) remove();
    removers.clear();
  }, { once: true });
  const register = <T extends ApiObject>(target: Informer<T>, h: EventHandler<T>): (() => void) => {
    if (signal.aborted) return () => {};
    const unregister = target.addEventHandler(h);
    const remove = (): void => {
      removers.delete(remove);
      unregister();
    };
    removers.add(remove);
    return remove;
  };
  return {
    informerFor<T extends ApiObject = KubeObject>(ref: ResourceRef, sel?: ListWatchOptions): Informer<T> {
      const inf = factory.informerFor<T>(ref, sel);
      return new Proxy(inf, {
        get(target, prop) {
          if (prop === 'addEventHandler') return (h: EventHandler<T>) => register(target, h);
          const v: unknown = Reflect.get(target, prop, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    },
  };
}

/** One informer per (resource, namespace, selectors, metadata-only or whole) per process; start() runs them all, including later ones. */
export class InformerFactory implements SharedInformers {
  private readonly informers = new Map<string, Informer>();
  private signal?: AbortSignal;

  constructor(private readonly client: RestClient, private readonly o: InformerFactoryOptions = {}) {}

  informerFor<T extends ApiObject = KubeObject>(ref: ResourceRef, sel: ListWatchOptions = {}): Informer<T> {
    const namespace = sel.namespace ?? this.o.namespace;
    const key = [refKey(ref), namespace ?? '', sel.labelSelector ?? '', sel.fieldSelector ?? '', sel.metadataOnly ? 'metadata' : ''].join('|');
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer({ ...this.o, ...sel, namespace, client: this.client, ref });
      this.informers.set(key, inf);
      if (this.signal) void inf.run(this.signal);
    }
    return inf as unknown as Informer<T>;
  }

  /** Starts every informer made so far and any made later, until signal aborts. */
  start(signal: AbortSignal): void {
    this.signal ??= signal;
    for (const inf of this.informers.values()) void inf.run(this.signal);
  }

  /** Resolves true when every informer has synced, false if signal aborts first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    return waitForSync([...this.informers.values()].map((i) => i.synced), signal);
  }
}

/** Waits for synced promises, giving up (false) when signal aborts. */
export async function waitForSync(synced: Promise<unknown>[], signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  let onAbort = (): void => {};
  const aborted = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([Promise.all(synced).then(() => true as const), aborted]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
