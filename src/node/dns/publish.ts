// A DNS server that is a Skiff component (not pods behind a selector) publishes where it listens: one EndpointSlice
// for the selector-less kube-dns Service (kube-system), labelled with the service name and managed-by skiff-dns so
// the EndpointSlice controller leaves it alone, ports named as the Service's (dns/UDP, dns-tcp/TCP). kube-proxy then
// sends 10.43.0.10:53 to it like to any endpoint. The slice is removed when the server stops.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.ts';
import type { RestClient } from '../../client/rest.ts';
import { endpointSlicesRef } from './refs.ts';
import { serviceNameLabel } from './view.ts';

export const managedBy = 'skiff-dns';

export interface PublishOptions {
  client: RestClient;
  /** the address clients reach the server on (a node address, not loopback) */
  address: string;
  port: number;
  /** the node the server runs on: names the slice, so each node's server publishes its own */
  nodeName: string;
  namespace?: string;
  service?: string;
}

export function dnsEndpointSlice(o: PublishOptions): EndpointSlice {
  const service = o.service ?? 'kube-dns';
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      name: `${service}-${o.nodeName}`, namespace: o.namespace ?? 'kube-system',
      labels: { [serviceNameLabel]: service, 'endpointslice.kubernetes.io/managed-by': managedBy },
    },
    addressType: o.address.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [o.address], conditions: { ready: true, serving: true, terminating: false }, nodeName: o.nodeName }],
    ports: [{ name: 'dns', port: o.port, protocol: 'UDP' }, { name: 'dns-tcp', port: o.port, protocol: 'TCP' }],
  };
}

/** Creates or replaces this server's slice; returns a function that deletes it. */
export async function publishEndpoint(o: PublishOptions): Promise<() => Promise<void>> {
  const want = dnsEndpointSlice(o);
  const ns = want.metadata!.namespace!;
  try {
    await o.client.create(endpointSlicesRef, want);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    const cur = await o.client.get<EndpointSlice>(endpointSlicesRef, want.metadata!.name!, { namespace: ns });
    await o.client.update(endpointSlicesRef, { ...want, metadata: { ...want.metadata, resourceVersion: cur.metadata?.resourceVersion } });
  }
  return async () => {
    try {
      await o.client.delete(endpointSlicesRef, want.metadata!.name!, { namespace: ns });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  };
}
