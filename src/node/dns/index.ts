// Cluster DNS as an API client: informers for Services and discovery.k8s.io EndpointSlices feed a CacheView, a
// DnsServer answers from it on UDP and TCP and forwards the rest upstream. startClusterDns() returns once the
// caches have synced and both listeners are bound; it stops when signal aborts (or stop() is called).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { type Informer, InformerFactory } from '../../client/informer.ts';
import type { RestClient } from '../../client/rest.ts';
import { Forwarder, type Upstream } from './forward.ts';
import { DnsMetrics } from './metrics.ts';
import { publishEndpoint } from './publish.ts';
import { endpointSlicesRef, servicesRef } from './refs.ts';
import { DnsServer } from './server.ts';
import { CacheView } from './view.ts';

export interface ClusterDnsOptions {
  client: RestClient;
  host: string;
  port: number;
  /** cluster domain (default cluster.local) */
  zone?: string;
  ttl?: number;
  upstreams: Upstream[];
  /** per-upstream timeout before trying the next one / answering SERVFAIL (default 2 s) */
  forwardTimeoutMs?: number;
  /** answered for ns.dns.<zone> (the kube-dns Service's cluster IP) */
  nsIPs?: string[];
  /** publish this server as the kube-dns Service's endpoint (publish.ts), removed again on stop */
  publish?: { address: string; nodeName: string };
  /** serve Prometheus metrics (CoreDNS's names) at http://host:port/metrics; port 0 picks one */
  metrics?: { host: string; port: number };
  signal: AbortSignal;
}

export interface RunningClusterDns {
  port: number;
  /** the metrics port, when metrics were asked for */
  metricsPort?: number;
  services: Informer<Service>;
  endpointSlices: Informer<EndpointSlice>;
  /** resolves once the server has closed */
  done: Promise<void>;
}

export { endpointSlicesRef, servicesRef } from './refs.ts';

export async function startClusterDns(o: ClusterDnsOptions): Promise<RunningClusterDns> {
  const factory = new InformerFactory(o.client);
  const services = factory.informerFor<Service>(servicesRef);
  const endpointSlices = factory.informerFor<EndpointSlice>(endpointSlicesRef);
  const view = new CacheView(services.cache, endpointSlices.cache, () => services.hasSynced() && endpointSlices.hasSynced());
  // the SOA serial moves with every change seen, so secondaries (and people) can tell the zone changed
  let serial = Math.floor(Date.now() / 1000);
  const bump = (): void => {
    serial = Math.max(serial + 1, Math.floor(Date.now() / 1000));
  };
  for (const inf of [services, endpointSlices] as Informer<Service | EndpointSlice>[]) {
    inf.addEventHandler({ onAdd: (_o, initial) => !initial && bump(), onUpdate: bump, onDelete: bump }, o.signal);
  }
  factory.start(o.signal);
  await factory.waitForSync(o.signal);
  const metrics = o.metrics ? new DnsMetrics(`dns://${o.host}:${o.port}`) : undefined;
  const server = new DnsServer({
    view, forwarder: new Forwarder(o.upstreams, o.forwardTimeoutMs ?? 2000), host: o.host, port: o.port,
    zone: o.zone ?? 'cluster.local', ttl: o.ttl ?? 5, nsIPs: o.nsIPs ?? [], serial: () => serial, metrics,
  });
  const port = await server.listen();
  const metricsServer = o.metrics ? await metrics!.listen(o.metrics.host, o.metrics.port) : undefined;
  const unpublish = o.publish ? await publishEndpoint({ client: o.client, ...o.publish, port }) : undefined;
  const done = new Promise<void>((resolve) => {
    // the slice goes first, so the Service stops sending queries before the server stops answering them
    const stop = (): void => void (unpublish?.() ?? Promise.resolve()).catch(() => {}).then(() => Promise.all([server.close(), metricsServer?.close()])).then(() => resolve());
    if (o.signal.aborted) stop();
    else o.signal.addEventListener('abort', stop, { once: true });
  });
  return { port, metricsPort: metricsServer?.port, services, endpointSlices, done };
}
