// Services and EndpointSlices for the proxy's unit tests (ruleset generators, model).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export function svc(name: string, spec: Service['spec'], status?: Service['status']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: '10.43.0.50', ...spec }, status };
}

export function ep(ip: string, node = 'n1', conditions: Endpoint['conditions'] = { ready: true }): Endpoint {
  return { addresses: [ip], nodeName: node, conditions };
}

export function slice(service: string, endpoints: Endpoint[], ports: EndpointSlice['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `${service}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    ports, endpoints,
  };
}
