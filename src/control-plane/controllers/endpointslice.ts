// EndpointSlice controller (upstream endpointslice-controller): for every Service with a selector, IPv4
// EndpointSlices labelled kubernetes.io/service-name=<svc> and managed-by endpointslice-controller.k8s.io, owned by
// the Service (the garbage collector removes them with it). What goes in which slice is endpointslice-plan.ts;
// here: informers to keys, writes only for slices whose content or labels changed, and a tracker of our own
// creates/deletes so a cache that has not seen them yet never makes us create a slice twice.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { splitKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { queueServicesOnChange } from './endpoints.ts';
import { endpointSlicesRef, nodesRef, podsRef, servicesRef } from './refs.ts';
import { derivedLabels, formatTriggerTime, triggerTimeAnnotation } from './endpoints-pods.ts';
import { type SliceContent, desiredGroups, planSlices } from './endpointslice-plan.ts';

export { endpointSlicesRef };
const zoneLabel = 'topology.kubernetes.io/zone';
export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const controllerName = 'endpointslice-controller.k8s.io';
const byService = 'endpointslice-service';

function sliceLabels(svc: Service): Record<string, string> {
  return { ...derivedLabels(svc), [serviceNameLabel]: svc.metadata!.name!, [managedByLabel]: controllerName };
}

function sameContent(s: EndpointSlice, want: SliceContent, labels: Record<string, string>): boolean {
  return JSON.stringify(s.endpoints ?? []) === JSON.stringify(want.endpoints) &&
    JSON.stringify(s.ports ?? []) === JSON.stringify(want.ports) &&
    JSON.stringify(Object.entries(s.metadata?.labels ?? {}).sort()) === JSON.stringify(Object.entries(labels).sort());
}

/**
 * Creates and deletes we made that the cache has not shown yet, per Service key (upstream's
 * endpointSliceTracker): acting on a cache that misses our own create would create the slice twice.
 */
class SliceTracker {
  private readonly inFlight = new Map<string, { created: Set<string>; deleted: Set<string> }>();

  constructor(private readonly slices: Informer<EndpointSlice>) {}

  caughtUp(key: string, namespace: string): boolean {
    const f = this.inFlight.get(key);
    if (!f) return true;
    for (const n of f.created) if (this.slices.lister.get(namespace, n)) f.created.delete(n);
    for (const n of f.deleted) if (!this.slices.lister.get(namespace, n)) f.deleted.delete(n);
    if (f.created.size || f.deleted.size) return false;
    this.inFlight.delete(key);
    return true;
  }

  created(key: string, name: string): void {
    this.track(key).created.add(name);
  }

  deleted(key: string, name: string): void {
    this.track(key).deleted.add(name);
  }

  private track(key: string): { created: Set<string>; deleted: Set<string> } {
    let f = this.inFlight.get(key);
    if (!f) this.inFlight.set(key, (f = { created: new Set(), deleted: new Set() }));
    return f;
  }
}

export class EndpointSliceController extends Controller {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly nodes: Informer<Node>;
  private readonly tracker: SliceTracker;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'endpointslice', workers: ctx.options.concurrentEndpointSliceSyncs });
    this.services = this.informer<Service>(servicesRef);
    this.pods = this.informer<Pod>(podsRef);
    this.slices = this.informer<EndpointSlice>(endpointSlicesRef);
    this.nodes = this.informer<Node>(nodesRef);
    this.tracker = new SliceTracker(this.slices);
    this.slices.addIndexer(byService, (s) => {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      return svc && s.metadata?.labels?.[managedByLabel] === controllerName ? [`${s.metadata!.namespace}/${svc}`] : [];
    });
    queueServicesOnChange(this.services, this.pods, this.queue);
    const sliceChanged = (s: EndpointSlice): void => {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      if (svc && s.metadata?.labels?.[managedByLabel] === controllerName) this.queue.add(`${s.metadata!.namespace}/${svc}`);
    };
    this.slices.addEventHandler({ onAdd: sliceChanged, onUpdate: (_, s) => sliceChanged(s), onDelete: sliceChanged });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    if (!this.tracker.caughtUp(key, namespace)) return { requeueAfter: 200 };
    const svc = this.services.lister.get(namespace, name);
    // a deleted Service's slices go with it through their ownerReference (garbage collector)
    if (!svc || !svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return;
    if (svc.spec.type === 'ExternalName') return;
    const zoneOf = (node: string): string | undefined => this.nodes.lister.get('', node)?.metadata?.labels?.[zoneLabel] || undefined;
    const groups = desiredGroups(svc, this.pods.lister.list(namespace), zoneOf);
    const all = this.slices.lister.byIndex(byService, key);
    // slices labelled for this Service name but owned by an earlier Service of that name are not ours to reuse
    const owned = all.filter((s) => s.metadata?.ownerReferences?.some((r) => r.uid === svc.metadata?.uid) ?? false);
    const plan = planSlices(owned, groups);
    const labels = sliceLabels(svc);
    const annotations = { [triggerTimeAnnotation]: formatTriggerTime(this.now()) };
    const writes = [
      ...plan.keep.filter(({ slice, content }) => !sameContent(slice, content, labels))
        .map(({ slice, content }) => this.update(slice, content, labels, annotations, signal)),
      ...plan.create.map((content) => this.create(key, svc, content, labels, annotations, signal)),
      ...[...plan.remove, ...all.filter((s) => !owned.includes(s))].map((slice) => this.remove(key, slice, signal)),
    ];
    const failed = (await Promise.allSettled(writes))
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    const real = failed.find((e) => !isConflict(e) && !isAlreadyExists(e));
    if (real) throw real;
    // conflicts only mean our cache is behind our own writes: look again once it has caught up
    if (failed.length) return { requeueAfter: 200 };
  }

  private async update(slice: EndpointSlice, content: SliceContent, labels: Record<string, string>, annotations: Record<string, string>, signal: AbortSignal): Promise<void> {
    const next: EndpointSlice = {
      ...structuredClone(slice),
      metadata: { ...structuredClone(slice.metadata), labels, annotations: { ...slice.metadata?.annotations, ...annotations } },
      endpoints: content.endpoints,
      ports: content.ports,
    };
    await this.ctx.client.update(endpointSlicesRef, next, { namespace: slice.metadata?.namespace, signal });
  }

  private async create(key: string, svc: Service, content: SliceContent, labels: Record<string, string>, annotations: Record<string, string>, signal: AbortSignal): Promise<void> {
    const { name, namespace, uid } = svc.metadata ?? {};
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: `${name}-`,
        namespace,
        labels,
        annotations,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: name ?? '', uid: uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: content.endpoints,
      ports: content.ports,
    };
    const made = await this.ctx.client.create(endpointSlicesRef, slice, { namespace, signal });
    this.tracker.created(key, made.metadata!.name!);
  }

  private async remove(key: string, slice: EndpointSlice, signal: AbortSignal): Promise<void> {
    const { name, namespace, uid } = slice.metadata ?? {};
    this.tracker.deleted(key, name ?? '');
    try {
      await this.ctx.client.delete(endpointSlicesRef, name ?? '', { namespace, signal, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export async function startEndpointSliceController(ctx: ControllerContext): Promise<void> {
  await new EndpointSliceController(ctx).run();
}
