// EndpointSlice controller (upstream endpointslice-controller): for every Service with a selector, IPv4
// EndpointSlices labelled kubernetes.io/service-name=<svc> and managed-by endpointslice-controller.k8s.io, owned by
// the Service (the garbage collector removes them with it). Endpoints are grouped by their resolved port set and cut
// into slices of at most maxEndpointsPerSlice; each endpoint carries upstream's ready/serving/terminating conditions
// (terminating pods stay, not ready). A Service with no endpoints keeps one empty placeholder slice, as upstream.
// Slices are matched to existing ones of the same port set in name order, so a steady state writes nothing.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { WorkQueue, isAlreadyExists, isConflict, isNotFound, objectKey, runController, splitKey } from '../../client/index.ts';
import { findResource } from '../../api/resources.ts';
import type { ControllerContext } from './context.ts';
import { servicesForPod, servicesRef, podsRef } from './endpoints.ts';
import {
  derivedLabels, formatTriggerTime, podHostname, podInEndpoints, podReady, resolveTargetPort, selects, triggerTimeAnnotation,
} from './endpoints-pods.ts';

export const endpointSlicesRef = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const nodesRef = findResource('', 'v1', 'nodes')!;
const zoneLabel = 'topology.kubernetes.io/zone';
export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const controllerName = 'endpointslice-controller.k8s.io';
export const maxEndpointsPerSlice = 100;
const byService = 'endpointslice-service';

export interface SliceContent {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

/** Endpoints grouped by port set, each group cut into chunks of at most max; one empty placeholder when none. */
export function desiredSlices(svc: Service, pods: Pod[], max = maxEndpointsPerSlice, zoneOf: (node: string) => string | undefined = () => undefined): SliceContent[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, SliceContent>();
  const sorted = pods.filter((p) => selects(svc, p) && podInEndpoints(p, true))
    .sort((a, b) => (a.metadata!.name ?? '').localeCompare(b.metadata!.name ?? ''));
  for (const pod of sorted) {
    const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? '';
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) continue; // IPv4 slices only
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      const p: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      ports.push(p);
    }
    const serving = publishNotReady || podReady(pod);
    const terminating = pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null;
    const ep: Endpoint = {
      addresses: [ip],
      conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
      targetRef: { kind: 'Pod', namespace: pod.metadata!.namespace, name: pod.metadata!.name, uid: pod.metadata!.uid },
    };
    const hostname = podHostname(pod, svc);
    if (hostname) ep.hostname = hostname;
    if (pod.spec?.nodeName) {
      ep.nodeName = pod.spec.nodeName;
      const zone = zoneOf(pod.spec.nodeName);
      if (zone) ep.zone = zone;
    }
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(ep);
  }
  const out: SliceContent[] = [];
  for (const [, g] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    for (let i = 0; i < g.endpoints.length; i += max) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + max) });
  }
  if (out.length === 0) out.push({ ports: [], endpoints: [] });
  return out;
}

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
  const svcKey = (svc: Service): void => queue.add(objectKey(svc));
  services.addEventHandler({ onAdd: svcKey, onUpdate: (_, s) => svcKey(s), onDelete: svcKey });
  const podChanged = (...ps: Pod[]): void => {
    for (const k of servicesForPod(services.lister.list(ps[0].metadata?.namespace), ...ps)) queue.add(k);
  };
  pods.addEventHandler({ onAdd: (p) => podChanged(p), onUpdate: (o, p) => podChanged(o, p), onDelete: (p) => podChanged(p) });
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
      const want = desiredSlices(svc, pods.lister.list(namespace), maxEndpointsPerSlice, zoneOf);
      const existing = slices.lister.byIndex(byService, key)
        .filter((s) => s.metadata?.ownerReferences?.some((r) => r.uid === svc.metadata?.uid) ?? false)
        .sort((a, b) => (a.metadata!.name ?? '').localeCompare(b.metadata!.name ?? ''));
      const stale = slices.lister.byIndex(byService, key).filter((s) => !existing.includes(s));
      const free = new Map<string, EndpointSlice[]>();
      for (const s of existing) {
        const k = JSON.stringify(s.ports ?? []);
        free.set(k, [...(free.get(k) ?? []), s]);
      }
      const writes: Promise<unknown>[] = [];
      const annotations = { [triggerTimeAnnotation]: formatTriggerTime(now()) };
      const toCreate: SliceContent[] = [];
      for (const content of want) {
        const reuse = free.get(JSON.stringify(content.ports))?.shift();
        if (!reuse) {
          toCreate.push(content);
          continue;
        }
        if (sameContent(reuse, content, labels)) continue;
        const next: EndpointSlice = {
          ...structuredClone(reuse),
          metadata: { ...structuredClone(reuse.metadata), labels, annotations: { ...reuse.metadata?.annotations, ...annotations } },
          endpoints: content.endpoints,
          ports: content.ports,
        };
        writes.push(ctx.client.update(endpointSlicesRef, next, { namespace, signal }));
      }
      // a leftover slice of another port set is rewritten rather than deleting one and creating another
      const leftovers = [...free.values()].flat();
      for (const content of toCreate) {
        const reuse = leftovers.shift();
        if (reuse) {
          const next: EndpointSlice = {
            ...structuredClone(reuse),
            metadata: { ...structuredClone(reuse.metadata), labels, annotations: { ...reuse.metadata?.annotations, ...annotations } },
            endpoints: content.endpoints,
            ports: content.ports,
          };
          writes.push(ctx.client.update(endpointSlicesRef, next, { namespace, signal }));
          continue;
        }
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
      for (const s of [...leftovers, ...stale]) {
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
