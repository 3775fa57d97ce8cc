// EndpointSlice controller (upstream endpointslice-controller): for every Service with a selector, IPv4
// EndpointSlices labelled kubernetes.io/service-name=<svc> and managed-by endpointslice-controller.k8s.io, owned by
// the Service (the garbage collector removes them with it). What goes in which slice is endpointslice-plan.ts;
// here: informers to keys, writes only for slices whose content or labels changed, and a tracker of our own
// creates/deletes so a cache that has not seen them yet never makes us create a slice twice.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { WorkQueue, isAlreadyExists, isConflict, isNotFound, runController, splitKey } from '../../client/index.ts';
import { findResource } from '../../api/resources.ts';
import type { ControllerContext } from './context.ts';
import { queueServicesOnChange, servicesRef, podsRef } from './endpoints.ts';
import { derivedLabels, formatTriggerTime, triggerTimeAnnotation } from './endpoints-pods.ts';
import { type SliceContent, desiredGroups, planSlices } from './endpointslice-plan.ts';

export const endpointSlicesRef = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const nodesRef = findResource('', 'v1', 'nodes')!;
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

export async function startEndpointSliceController(ctx: ControllerContext): Promise<void> {
  const services = ctx.informers.informerFor<Service>(servicesRef);
  const pods = ctx.informers.informerFor<Pod>(podsRef);
  const slices = ctx.informers.informerFor<EndpointSlice>(endpointSlicesRef);
  const nodes = ctx.informers.informerFor<Node>(nodesRef);
  const zoneOf = (name: string): string | undefined => nodes.lister.get('', name)?.metadata?.labels?.[zoneLabel] || undefined;
  slices.addIndexer(byService, (s) => {
    const svc = s.metadata?.labels?.[serviceNameLabel];
    return svc && s.metadata?.labels?.[managedByLabel] === controllerName ? [`${s.metadata!.namespace}/${svc}`] : [];
  });
  const queue = new WorkQueue<string>();
  queueServicesOnChange(services, pods, queue);
  const sliceChanged = (s: EndpointSlice): void => {
    const svc = s.metadata?.labels?.[serviceNameLabel];
    if (svc && s.metadata?.labels?.[managedByLabel] === controllerName) queue.add(`${s.metadata!.namespace}/${svc}`);
  };
  slices.addEventHandler({ onAdd: sliceChanged, onUpdate: (_, s) => sliceChanged(s), onDelete: sliceChanged });
  // Creates and deletes we made that the cache has not shown yet (upstream's endpointSliceTracker): acting on a
  // cache that misses our own create would create the slice twice.
  const inFlight = new Map<string, { created: Set<string>; deleted: Set<string> }>();
  const caughtUp = (key: string, namespace: string): boolean => {
    const f = inFlight.get(key);
    if (!f) return true;
    for (const n of f.created) if (slices.lister.get(namespace, n)) f.created.delete(n);
    for (const n of f.deleted) if (!slices.lister.get(namespace, n)) f.deleted.delete(n);
    if (f.created.size || f.deleted.size) return false;
    inFlight.delete(key);
    return true;
  };
  const track = (key: string): { created: Set<string>; deleted: Set<string> } => {
    let f = inFlight.get(key);
    if (!f) inFlight.set(key, (f = { created: new Set(), deleted: new Set() }));
    return f;
  };
  const now = (): number => ctx.clock?.now() ?? Date.now();

  await runController({
    name: 'endpointslice',
    queue,
    signal: ctx.signal,
    workers: ctx.options.concurrentEndpointSliceSyncs,
    synced: [services.synced, pods.synced, slices.synced, nodes.synced],
    reconcile: async (key, signal) => {
      const { namespace, name } = splitKey(key);
      if (!caughtUp(key, namespace)) return { requeueAfter: 200 };
      const svc = services.lister.get(namespace, name);
      // a deleted Service's slices go with it through their ownerReference (garbage collector)
      if (!svc || !svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return;
      const labels = sliceLabels(svc);
      if (svc.spec.type === 'ExternalName') return;
      const groups = desiredGroups(svc, pods.lister.list(namespace), zoneOf);
      const all = slices.lister.byIndex(byService, key);
      // slices labelled for this Service name but owned by an earlier Service of that name are not ours to reuse
      const owned = all.filter((s) => s.metadata?.ownerReferences?.some((r) => r.uid === svc.metadata?.uid) ?? false);
      const plan = planSlices(owned, groups);
      const writes: Promise<unknown>[] = [];
      const annotations = { [triggerTimeAnnotation]: formatTriggerTime(now()) };
      for (const { slice, content } of plan.keep) {
        if (sameContent(slice, content, labels)) continue;
        const next: EndpointSlice = {
          ...structuredClone(slice),
          metadata: { ...structuredClone(slice.metadata), labels, annotations: { ...slice.metadata?.annotations, ...annotations } },
          endpoints: content.endpoints,
          ports: content.ports,
        };
        writes.push(ctx.client.update(endpointSlicesRef, next, { namespace, signal }));
      }
      for (const content of plan.create) {
        const slice: EndpointSlice = {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            generateName: `${name}-`,
            namespace,
            labels,
            annotations,
            ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
          },
          addressType: 'IPv4',
          endpoints: content.endpoints,
          ports: content.ports,
        };
        writes.push(ctx.client.create(endpointSlicesRef, slice, { namespace, signal }).then((made) => {
          track(key).created.add(made.metadata!.name!);
        }));
      }
      for (const s of [...plan.remove, ...all.filter((s) => !owned.includes(s))]) {
        track(key).deleted.add(s.metadata!.name!);
        writes.push(ctx.client.delete(endpointSlicesRef, s.metadata!.name!, { namespace, signal, preconditions: { uid: s.metadata?.uid } })
          .catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
          }));
      }
      const results = await Promise.allSettled(writes);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
      const real = failed.find((e) => !isConflict(e) && !isAlreadyExists(e));
      if (real) throw real;
      // conflicts only mean our cache is behind our own writes: look again once it has caught up
      if (failed.length) return { requeueAfter: 200 };
    },
  });
}
