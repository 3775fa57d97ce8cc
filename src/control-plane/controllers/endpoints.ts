// Endpoints controller (upstream endpoint-controller): for every Service with a selector, one Endpoints object of
// the same name listing the selected pods' IPs — ready ones in `addresses`, the others in `notReadyAddresses`
// (all ready with publishNotReadyAddresses) — grouped into subsets of identical resolved port sets as upstream's
// RepackSubsets does. Services without a selector are someone else's (the apiserver's `kubernetes`, or user-managed)
// and are never touched; Endpoints of a deleted Service are deleted.
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { objectKey, splitKey } from '../../client/cache.ts';
import type { Action } from '../../client/controller.ts';
import { StatusError, isAlreadyExists, isConflict, isForbidden, isNotFound } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import type { WorkQueue } from '../../client/workqueue.ts';
import { Controller, errMessage } from './base.ts';
import type { ControllerContext } from './context.ts';
import { endpointsRef, podsRef, servicesRef } from './refs.ts';
import {
  derivedLabels, formatTriggerTime, podHostname, podInEndpoints, podReady, resolveTargetPort, selects, triggerTimeAnnotation,
} from './endpoints-pods.ts';

const leaderAnnotation = 'control-plane.alpha.kubernetes.io/leader';

/** The subsets upstream would compute for svc over pods (already filtered to the service's namespace). */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (!selects(svc, pod) || !podInEndpoints(pod, publishNotReady)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      const p: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) p.name = sp.name;
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      ports.push(p);
    }
    // a pod none of whose named ports resolve serves nothing; a service without ports only lists pods when headless
    if (ports.length === 0 && ((svc.spec?.ports?.length ?? 0) > 0 || svc.spec?.clusterIP !== 'None')) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || (a.protocol ?? '').localeCompare(b.protocol ?? ''));
    const addr: EndpointAddress = { ip: pod.status!.podIP ?? pod.status!.podIPs![0].ip! };
    const hostname = podHostname(pod, svc);
    if (hostname) addr.hostname = hostname;
    if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
    addr.targetRef = { kind: 'Pod', namespace: pod.metadata!.namespace, name: pod.metadata!.name, uid: pod.metadata!.uid };
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    (publishNotReady || podReady(pod) ? g.ready : g.notReady).push(addr);
  }
  // upstream LessEndpointAddress: the IPs' bytes compared as strings, then the target's uid
  const byIp = (a: EndpointAddress, b: EndpointAddress): number =>
    cmp(a.ip, b.ip) || cmp(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => {
    const s: EndpointSubset = {};
    if (g.ready.length) s.addresses = g.ready.sort(byIp);
    if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byIp);
    if (g.ports.length) s.ports = g.ports;
    return s;
  });
}

/** A Forbidden whose Status names the NamespaceTerminating cause. */
export function namespaceTerminating(err: unknown): boolean {
  return isForbidden(err) && err instanceof StatusError &&
    (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Upstream caps an Endpoints object at 1000 addresses, keeping ready ones first, proportionally per subset. */
export const maxEndpointsCapacity = 1000;
export const overCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity';

export function truncateSubsets(subsets: EndpointSubset[], max = maxEndpointsCapacity): boolean {
  const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (ready + notReady <= max) return false;
  const truncReady = ready > max;
  const budget = truncReady ? max : max - ready;
  const total = truncReady ? ready : notReady;
  let left = budget;
  for (const s of subsets) {
    const inSubset = (truncReady ? s.addresses : s.notReadyAddresses)?.length ?? 0;
    const take = Math.min(Math.ceil((inSubset / total) * budget), left);
    if (truncReady) {
      s.addresses = s.addresses?.slice(0, take);
      s.notReadyAddresses = [];
      left -= s.addresses?.length ?? 0;
    } else {
      s.notReadyAddresses = s.notReadyAddresses?.slice(0, take);
      left -= s.notReadyAddresses?.length ?? 0;
    }
  }
  return true;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}

/** Service keys a pod change concerns: services in its namespace that select the old or the new pod. */
export function servicesForPod(services: Service[], ...pods: Pod[]): string[] {
  const keys = new Set<string>();
  for (const svc of services) if (pods.some((p) => selects(svc, p))) keys.add(objectKey(svc));
  return [...keys];
}

/** Queues a Service's key when it changes, or when a pod it selects (before or after the change) does. */
export function queueServicesOnChange(services: Informer<Service>, pods: Informer<Pod>, queue: WorkQueue<string>): void {
  const svcKey = (svc: Service): void => queue.add(objectKey(svc));
  services.addEventHandler({ onAdd: svcKey, onUpdate: (_, s) => svcKey(s), onDelete: svcKey });
  const podChanged = (...ps: Pod[]): void => {
    for (const k of servicesForPod(services.lister.list(ps[0].metadata?.namespace), ...ps)) queue.add(k);
  };
  pods.addEventHandler({ onAdd: (p) => podChanged(p), onUpdate: (o, p) => podChanged(o, p), onDelete: (p) => podChanged(p) });
}

export class EndpointsController extends Controller {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'endpoints', workers: ctx.options.concurrentEndpointSyncs });
    this.services = this.informer<Service>(servicesRef);
    this.pods = this.informer<Pod>(podsRef);
    this.endpoints = this.informer<Endpoints>(endpointsRef);
    this.recorder = ctx.recorder('endpoint-controller');
    queueServicesOnChange(this.services, this.pods, this.queue);
    // initial adds: Endpoints left behind by a Service deleted while we were down get collected (upstream's
    // checkLeftoverEndpoints), except leader-election records, which have no Service by design
    this.endpoints.addEventHandler({
      onAdd: (ep, initial) => {
        if (initial && !ep.metadata?.annotations?.[leaderAnnotation]) this.queue.add(objectKey(ep));
      },
      onDelete: (ep) => this.queue.add(objectKey(ep)),
      onUpdate: (_, ep) => this.queue.add(objectKey(ep)),
    });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    if (namespace === 'default' && name === 'kubernetes') return; // the apiserver's own
    const svc = this.services.lister.get(namespace, name);
    const current = this.endpoints.lister.get(namespace, name);
    if (!svc) return this.deleteLeftover(current, signal);
    if (svc.spec?.type === 'ExternalName') return;
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return;
    const next = this.desired(svc, current);
    if (!next) return;
    return this.write(next, current, signal);
  }

  /** Endpoints whose Service is gone. */
  private async deleteLeftover(current: Endpoints | undefined, signal: AbortSignal): Promise<Action> {
    if (!current) return;
    const { name, namespace, uid } = current.metadata ?? {};
    try {
      await this.ctx.client.delete(endpointsRef, name ?? '', { namespace, signal, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** The Endpoints the Service should have; undefined when the current one already is that. */
  private desired(svc: Service, current: Endpoints | undefined): Endpoints | undefined {
    const { name, namespace } = svc.metadata ?? {};
    const subsets = desiredSubsets(svc, this.pods.lister.list(namespace));
    const labels = derivedLabels(svc);
    const truncated = truncateSubsets(subsets);
    if (current && !truncated && !current.metadata?.annotations?.[overCapacityAnnotation] &&
      JSON.stringify(current.subsets ?? []) === JSON.stringify(subsets) && sameLabels(current.metadata?.labels, labels)) return undefined;
    const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}), [triggerTimeAnnotation]: formatTriggerTime(this.now()) };
    if (truncated) annotations[overCapacityAnnotation] = 'truncated';
    else delete annotations[overCapacityAnnotation];
    return { apiVersion: 'v1', kind: 'Endpoints', metadata: { ...(current?.metadata ?? {}), name, namespace, labels, annotations }, subsets };
  }

  private async write(next: Endpoints, current: Endpoints | undefined, signal: AbortSignal): Promise<Action> {
    const { name, namespace } = next.metadata ?? {};
    try {
      if (current) await this.ctx.client.update(endpointsRef, next, { namespace, signal });
      else await this.ctx.client.create(endpointsRef, next, { namespace, signal });
    } catch (err) {
      // NotFound: deleted meanwhile, its delete event requeues the key. Conflict / AlreadyExists: our cache is
      // behind our own last write; look again once it has caught up rather than logging a failure.
      if (isConflict(err) || isAlreadyExists(err)) return { requeueAfter: 200 };
      if (isNotFound(err)) return;
      // a terminating namespace refuses creates for good: drop the key (upstream does the same)
      if (!current && namespaceTerminating(err)) return;
      this.recorder.event(next, 'Warning', current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint', current
        ? `Failed to update endpoint ${namespace}/${name}: ${errMessage(err)}`
        : `Failed to create endpoint for service ${namespace}/${name}: ${errMessage(err)}`);
      throw err;
    }
  }
}

export async function startEndpointsController(ctx: ControllerContext): Promise<void> {
  await new EndpointsController(ctx).run();
}
