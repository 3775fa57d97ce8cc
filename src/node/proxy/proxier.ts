// kube-proxy's control loop: an ordinary API client. Informers on Services and EndpointSlices mark services dirty;
// a bounded-frequency runner coalesces bursts and hands the backend (nftables or iptables) the changed services'
// ports — computed from the caches, never from event payloads (level-triggered). The first sync after the caches
// fill is full, as is the one after any failure, so a restart removes whatever a gone service left behind.
import { EventEmitter } from 'node:events';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Clock } from '../../client/clock.ts';
import { InformerFactory, type Informer, waitForSync } from '../../client/informer.ts';
import { resourceRef } from '../../client/resource-ref.ts';
import type { RestClient } from '../../client/rest.ts';
import { objectKey } from '../../client/cache.ts';
import { type ServicePortInfo, servicePorts } from './model.ts';
import type { ProxyBackend, SyncStats } from './backend.ts';
import { BoundedRunner } from './runner.ts';
import { type FlowFilter, clearFlows, staleFlows } from './conntrack.ts';

export const servicesRef = resourceRef('v1', 'services');
export const endpointSlicesRef = resourceRef('discovery.k8s.io/v1', 'endpointslices');
const serviceNameLabel = 'kubernetes.io/service-name';
const byService = 'service';

export interface ProxierOptions {
  /** Deletes stale UDP/SCTP conntrack flows after a sync (default: `conntrack -D`; tests pass a recorder). */
  clearFlows?: (flows: FlowFilter[]) => Promise<void>;
  client: RestClient;
  nodeName: string;
  backend: ProxyBackend;
  signal: AbortSignal;
  /** Upstream --min-sync-period; small here so an endpoint change is live well within a second (default 100 ms). */
  minSyncPeriodMs?: number;
  clock?: Clock;
}

export interface SyncEvent extends SyncStats {
  durationMs: number;
  services: number;
}

export class Proxier extends EventEmitter<{ synced: [SyncEvent]; syncError: [unknown]; flowsError: [unknown] }> {
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly factory: InformerFactory;
  private readonly runner: BoundedRunner;
  private dirty = new Set<string>();
  private needFull = true;
  private synced = false;
  /** Each service's ports as last programmed (undefined before the first sync: the kernel's flows are unknown). */
  private programmed?: Map<string, ServicePortInfo[]>;

  constructor(private readonly o: ProxierOptions) {
    super();
    this.factory = new InformerFactory(o.client, { clock: o.clock });
    this.services = this.factory.informerFor<Service>(servicesRef);
    this.slices = this.factory.informerFor<EndpointSlice>(endpointSlicesRef);
    this.slices.addIndexer(byService, (s) => {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      return svc ? [`${s.metadata?.namespace ?? ''}/${svc}`] : [];
    });
    this.runner = new BoundedRunner(() => this.syncOnce(), {
      minIntervalMs: o.minSyncPeriodMs ?? 100,
      clock: o.clock,
      onError: (err) => {
        this.needFull = true;
        this.emit('syncError', err);
      },
    });
    const markSvc = (svc: Service): void => this.mark(objectKey(svc));
    const markSlice = (s: EndpointSlice): void => {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      if (svc) this.mark(`${s.metadata?.namespace ?? ''}/${svc}`);
    };
    this.services.addEventHandler({ onAdd: markSvc, onUpdate: (a, b) => { markSvc(a); markSvc(b); }, onDelete: markSvc });
    this.slices.addEventHandler({ onAdd: markSlice, onUpdate: (a, b) => { markSlice(a); markSlice(b); }, onDelete: markSlice });
  }

  /** Starts the informers; resolves once the first (full) sync is in the kernel. Runs until signal aborts. */
  async start(): Promise<void> {
    this.factory.start(this.o.signal);
    this.o.signal.addEventListener('abort', () => this.runner.stop(), { once: true });
    if (!(await waitForSync([this.services.synced, this.slices.synced], this.o.signal))) return;
    this.synced = true;
    const first = new Promise<void>((resolve) => this.once('synced', () => resolve()));
    this.runner.run();
    await Promise.race([first, new Promise((r) => this.o.signal.addEventListener('abort', r, { once: true }))]);
  }

  /** Asks for a sync that rebuilds the whole table (upstream's periodic full sync). */
  requestFullSync(): void {
    this.needFull = true;
    this.runner.run();
  }

  private mark(key: string): void {
    this.dirty.add(key);
    if (this.synced) this.runner.run();
  }

  private portsOf(key: string): ServicePortInfo[] {
    const [ns, name] = splitOnce(key);
    const svc = this.services.lister.get(ns, name);
    return svc ? servicePorts(svc, this.slices.lister.byIndex(byService, key), this.o.nodeName) : [];
  }

  private async syncOnce(): Promise<void> {
    const started = performance.now();
    const full = this.needFull;
    const keys = this.dirty;
    this.dirty = new Set();
    const changed = new Map<string, ServicePortInfo[]>();
    for (const key of keys) changed.set(key, this.portsOf(key));
    let everything: Map<string, ServicePortInfo[]> | undefined;
    const all = (): Map<string, ServicePortInfo[]> => {
      everything ??= new Map(this.services.cache.values().map((svc) => [objectKey(svc), this.portsOf(objectKey(svc))]));
      return everything;
    };
    let stats: SyncStats;
    try {
      stats = await this.o.backend.sync(changed, all, full);
    } catch (err) {
      for (const k of keys) this.dirty.add(k); // a full sync follows, but keep them for its bookkeeping
      throw err;
    }
    this.needFull = false;
    await this.afterSync(full ? all() : changed, full);
    this.emit('synced', { ...stats, durationMs: performance.now() - started, services: this.services.cache.size });
  }

  /** Records what is programmed now and clears the UDP flows it made stale (after the rules are in). */
  private async afterSync(now: Map<string, ServicePortInfo[]>, full: boolean): Promise<void> {
    const before = this.programmed;
    const flows: FlowFilter[] = [];
    if (before) {
      const keys = full ? new Set([...now.keys(), ...before.keys()]) : now.keys();
      for (const k of keys) flows.push(...staleFlows(before.get(k) ?? [], now.get(k) ?? []));
    }
    const next = full || !before ? new Map<string, ServicePortInfo[]>() : before;
    for (const [k, ports] of now) {
      if (ports.length > 0) next.set(k, ports);
      else next.delete(k);
    }
    this.programmed = next;
    if (flows.length === 0) return;
    try {
      await (this.o.clearFlows ?? clearFlows)(flows);
    } catch (err) {
      this.emit('flowsError', err); // the rules are in; stale flows only age out slower
    }
  }
}

function splitOnce(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
