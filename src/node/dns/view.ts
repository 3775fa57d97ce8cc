// What the DNS server knows about the cluster: Services and EndpointSlices in two client caches (filled by
// informers in production, by hand in unit tests), with indexes for the lookups a query needs — slices by owning
// service, services by cluster IP, slices by endpoint address (for PTR). Read-only over the caches.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { Cache } from '../../client/cache.ts';

export const serviceNameLabel = 'kubernetes.io/service-name';
const sliceByService = 'dns/service';
const serviceByIP = 'dns/clusterIP';
const sliceByIP = 'dns/address';

export interface ClusterView {
  /** false until both caches hold their first list: answering NXDOMAIN then would be a lie (SERVFAIL instead). */
  synced(): boolean;
  service(namespace: string, name: string): Service | undefined;
  slices(namespace: string, service: string): EndpointSlice[];
  servicesByIP(ip: string): Service[];
  slicesByIP(ip: string): EndpointSlice[];
}

export function isIP(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));
}

export class CacheView implements ClusterView {
  constructor(
    private readonly services: Cache<Service>,
    private readonly endpointSlices: Cache<EndpointSlice>,
    private readonly isSynced: () => boolean = () => true,
  ) {
    services.addIndexer(serviceByIP, (s) => (s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])).filter(isIP));
    endpointSlices.addIndexer(sliceByService, (e) => {
      const svc = e.metadata?.labels?.[serviceNameLabel];
      return svc ? [`${e.metadata?.namespace}/${svc}`] : [];
    });
    endpointSlices.addIndexer(sliceByIP, (e) => (e.endpoints ?? []).flatMap((ep) => ep.addresses ?? []));
  }

  synced(): boolean {
    return this.isSynced();
  }

  service(namespace: string, name: string): Service | undefined {
    return this.services.getByKey(`${namespace}/${name}`);
  }

  slices(namespace: string, service: string): EndpointSlice[] {
    return this.endpointSlices.byIndex(sliceByService, `${namespace}/${service}`);
  }

  servicesByIP(ip: string): Service[] {
    return this.services.byIndex(serviceByIP, ip);
  }

  slicesByIP(ip: string): EndpointSlice[] {
    return this.endpointSlices.byIndex(sliceByIP, ip);
  }
}

/** A view over fixed objects (unit tests, benchmarks). */
export function staticView(services: Service[], slices: EndpointSlice[]): CacheView {
  const sc = new Cache<Service>();
  const ec = new Cache<EndpointSlice>();
  for (const s of services) sc.set(s);
  for (const e of slices) ec.set(e);
  return new CacheView(sc, ec);
}
