// Object builders for DNS tests and benchmarks: Services and EndpointSlices shaped as the API server stores them.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export function service(ns: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}

export function clusterIPService(ns: string, name: string, ip: string, ports: ServicePort[] = [{ name: 'http', port: 80, protocol: 'TCP' }]): Service {
  return service(ns, name, { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ports });
}

export function headlessService(ns: string, name: string, ports: ServicePort[] = [{ name: 'http', port: 80, protocol: 'TCP' }]): Service {
  return service(ns, name, { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports });
}

export interface EndpointSpec {
  ip: string;
  ready?: boolean;
  hostname?: string;
}

export function slice(ns: string, svc: string, name: string, eps: EndpointSpec[], ports: EndpointPort[] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): EndpointSlice {
  const endpoints: Endpoint[] = eps.map((e) => ({
    addresses: [e.ip], conditions: { ready: e.ready ?? true }, ...(e.hostname ? { hostname: e.hostname } : {}),
  }));
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': svc } },
    addressType: eps.some((e) => e.ip.includes(':')) ? 'IPv6' : 'IPv4', endpoints, ports,
  };
}
