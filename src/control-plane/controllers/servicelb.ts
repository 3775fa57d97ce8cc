// ServiceLB (k3s's idea, without its DaemonSet of pods): a Service of type LoadBalancer whose loadBalancerClass is
// unset or ours gets the nodes' addresses as status.loadBalancer.ingress (ip + ipMode VIP, the 1.30+ shape), and
// every kube-proxy accepts the service port on those addresses (they are local to some node). A class other than
// ours belongs to another implementation and is left alone; a Service that stops being a LoadBalancer has its
// ingress cleared (as upstream's service controller does). Nodes labelled
// node.kubernetes.io/exclude-from-external-load-balancers are skipped, as upstream.
import type { LoadBalancerIngress, Node, Service } from 'kubernetes-types/core/v1.js';
import type { Action } from '../../client/controller.ts';
import { isNotFound } from '../../client/errors.ts';
import type { Informer } from '../../client/informer.ts';
import { objectKey, splitKey } from '../../client/cache.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { nodesRef, servicesRef } from './refs.ts';

export const serviceLBClass = 'skiff.io/servicelb';
const excludeLabel = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** Whether this controller implements the service's load balancer. */
export function isOurs(svc: Service): boolean {
  const cls = svc.spec?.loadBalancerClass;
  return svc.spec?.type === 'LoadBalancer' && (cls === undefined || cls === null || cls === serviceLBClass);
}

/** The ingress list for the given nodes: each node's InternalIP (ExternalIP when it has none), sorted, unique. */
export function nodeIngress(nodes: Node[]): LoadBalancerIngress[] {
  const ips = new Set<string>();
  for (const n of nodes) {
    if (n.metadata?.deletionTimestamp || n.metadata?.labels?.[excludeLabel] !== undefined) continue;
    const addrs = n.status?.addresses ?? [];
    const ip = addrs.find((a) => a.type === 'InternalIP')?.address ?? addrs.find((a) => a.type === 'ExternalIP')?.address;
    if (ip && !ip.includes(':')) ips.add(ip);
  }
  return [...ips].sort(compareIPs).map((ip) => ({ ip, ipMode: 'VIP' }));
}

function compareIPs(a: string, b: string): number {
  const n = (s: string): number => s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
}

function sameIngress(a: LoadBalancerIngress[] = [], b: LoadBalancerIngress[] = []): boolean {
  return a.length === b.length && a.every((x, i) => x.ip === b[i]!.ip && (x.ipMode ?? '') === (b[i]!.ipMode ?? '') && !x.hostname && !b[i]!.hostname);
}

export class ServiceLBController extends Controller {
  private readonly services: Informer<Service>;
  private readonly nodes: Informer<Node>;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'servicelb' });
    this.services = this.informer<Service>(servicesRef);
    this.nodes = this.informer<Node>(nodesRef);
    const svcKey = (s: Service): void => this.queue.add(objectKey(s));
    this.services.addEventHandler({ onAdd: svcKey, onUpdate: (_, s) => svcKey(s) });
    // a node's address appearing or going changes every load balancer's ingress
    const all = (): void => {
      for (const s of this.services.cache.values()) if (s.spec?.type === 'LoadBalancer') svcKey(s);
    };
    this.nodes.addEventHandler({
      onAdd: all,
      onUpdate: (a, b) => {
        if (!sameIngress(nodeIngress([a]), nodeIngress([b])) || a.metadata?.labels?.[excludeLabel] !== b.metadata?.labels?.[excludeLabel]) all();
      },
      onDelete: all,
    });
  }

  /** key: namespace/name of a Service. */
  async reconcile(key: string, signal: AbortSignal): Promise<Action> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.lister.get(namespace, name);
    if (!svc || svc.metadata?.deletionTimestamp) return;
    const current = svc.status?.loadBalancer?.ingress ?? [];
    let want: LoadBalancerIngress[];
    if (isOurs(svc)) want = nodeIngress(this.nodes.cache.values());
    else if (svc.spec?.type !== 'LoadBalancer') want = [];
    else return; // another implementation's load balancer
    if (sameIngress(current, want)) return;
    const next: Service = { ...svc, status: { ...svc.status, loadBalancer: want.length ? { ingress: want } : {} } };
    try {
      await this.ctx.client.updateStatus(servicesRef, next, { namespace, signal });
    } catch (err) {
      if (!isNotFound(err)) throw err; // a conflict is retried with the newer object from the cache
    }
  }
}

export async function startServiceLBController(ctx: ControllerContext): Promise<void> {
  await new ServiceLBController(ctx).run();
}
