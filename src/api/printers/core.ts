// Core/v1 printers besides pods, nodes and events: Namespace, Service, Endpoints, ConfigMap, Secret,
// ServiceAccount — upstream's columns and cell spellings ("80:30080/TCP", "<pending>", "+ 1 more...").
import type { ConfigMap, Endpoints, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../object.ts';
import { ageColumn, col, nameColumn, wide } from './columns.ts';
import { translateTimestampSince } from './duration.ts';
import { formatLabels, joinHostPort, view } from './format.ts';
import type { RowPrinter } from './table.ts';

function age(obj: KubeObject, now: Date): string {
  return translateTimestampSince(obj.metadata?.creationTimestamp, now);
}

const name = (obj: KubeObject): string => obj.metadata?.name ?? '';

export const namespacePrinter: RowPrinter = {
  columns: [nameColumn(), col('Status', 'string', 'The status of the namespace'), ageColumn()],
  cells: (obj, now) => [name(obj), view<Namespace>(obj).status?.phase ?? '', age(obj, now)],
};

// --- Service

function loadBalancerIngress(svc: Service): string {
  // A sorted set of IPs (or hostnames); server-side printing is always wide, so never clipped.
  const set = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort().join(',');
}

export function serviceExternalIP(svc: Service): string {
  const external = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc);
      if (external.length > 0) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export function servicePorts(svc: Service): string {
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => (p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`))
    .join(',');
}

export const servicePrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Type', 'string',
      'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, ' +
      'NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. ' +
      'Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints ' +
      'object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are ' +
      'published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on ' +
      'every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an ' +
      'external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. ' +
      '"ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ' +
      'ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types'),
    col('Cluster-IP', 'string',
      'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified ' +
      'manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; ' +
      'otherwise creation of the service will fail. More info: ' +
      'https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    col('External-IP', 'string',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  ' +
      'These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node ' +
      'with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.'),
    col('Port(s)', 'string',
      'The list of ports that are exposed by this service. More info: ' +
      'https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    ageColumn(),
    wide('Selector', 'string',
      'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the ' +
      'service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only ' +
      'applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: ' +
      'https://kubernetes.io/docs/concepts/services-networking/service/'),
  ],
  cells: (obj, now) => {
    const svc = view<Service>(obj);
    // v1 -> internal conversion fills clusterIPs from clusterIP when only the latter is set.
    const clusterIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>';
    return [name(obj), svc.spec?.type ?? '', clusterIP, serviceExternalIP(svc), servicePorts(svc), age(obj, now),
      formatLabels(svc.spec?.selector)];
  },
};

// --- Endpoints

/** formatEndpoints: up to three "ip:port" (or bare IPs for port-less subsets), then "+ N more...". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Endpoints', 'string',
      'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs ' +
      'they share. A single address with multiple ports, some of which are ready and some of which are not (because ' +
      'they come from different containers) will result in the address being displayed in different subsets for the ' +
      'different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of ' +
      'addresses and ports that comprise a service.'),
    ageColumn(),
  ],
  cells: (obj, now) => [name(obj), formatEndpoints(view<Endpoints>(obj)), age(obj, now)],
};

// --- ConfigMap, Secret, ServiceAccount

export const configMapPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Data', 'string',
      "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. " +
      'Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap ' +
      'with the keys in the BinaryData field, this is enforced during validation process.'),
    ageColumn(),
  ],
  cells: (obj, now) => {
    const cm = view<ConfigMap>(obj);
    return [name(obj), Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(obj, now)];
  },
};

export const secretPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Type', 'string',
      'Used to facilitate programmatic handling of secret data. More info: ' +
      'https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
    col('Data', 'string',
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The " +
      'serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly ' +
      'non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4'),
    ageColumn(),
  ],
  cells: (obj, now) => {
    const s = view<Secret>(obj);
    return [name(obj), s.type ?? '', Object.keys(s.data ?? {}).length, age(obj, now)];
  },
};

export const serviceAccountPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Secrets', 'string',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed ' +
      'to use. More info: https://kubernetes.io/docs/concepts/configuration/secret'),
    ageColumn(),
  ],
  cells: (obj, now) => [name(obj), (view<ServiceAccount>(obj).secrets ?? []).length, age(obj, now)],
};
