// Objects every cluster starts with (upstream's bootstrap controller): the system namespaces and the
// `kubernetes` Service in default with its Endpoints and EndpointSlice pointing at this apiserver (the slice is what
// kube-proxy programs: without it pods could not reach 10.43.0.1:443), and (like k3s) the default
// `local-path` StorageClass. Idempotent on every start.
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ApiServer } from './server.ts';
import { localPathStorageClass } from '../controllers/local-path-provisioner-class.ts';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface BootstrapOptions {
  /** The first address of the service CIDR (10.43.0.1 by default). */
  kubernetesServiceIP: string;
  advertiseAddress: string;
  securePort: number;
  /** Where the default `local-path` StorageClass provisions volumes on nodes (<data-dir>/storage). */
  storageDir?: string;
  /** The cluster DNS address (10.43.0.10): when set, the kube-dns Service in kube-system is created with it. */
  clusterDNSIP?: string;
}

async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 409)) throw e;
  }
}

export async function bootstrap(server: ApiServer, opts: BootstrapOptions): Promise<void> {
  const ctx = () => ({ dryRun: false, now: new Date() });
  const namespaces = server.storeFor('', 'v1', 'namespaces')!;
  for (const name of systemNamespaces) {
    await ensure(() => namespaces.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } }, ctx()));
  }
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: opts.kubernetesServiceIP,
      clusterIPs: [opts.kubernetesServiceIP],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.securePort }],
      sessionAffinity: 'None',
    },
  };
  await ensure(() => server.storeFor('', 'v1', 'services')!.create('default', service, ctx()));
  const endpoints: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: opts.advertiseAddress }], ports: [{ name: 'https', port: opts.securePort, protocol: 'TCP' }] }],
  };
  const endpointsStore = server.storeFor('', 'v1', 'endpoints')!;
  await endpointsStore.guaranteedUpdate('default', 'kubernetes', (cur) => ({ ...(cur ?? endpoints), subsets: endpoints.subsets }), ctx(), { createIfMissing: true });
  // Upstream's endpoint reconciler writes the slice itself (hence skip-mirror above): the EndpointSlice controller
  // leaves Services without a selector alone.
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [opts.advertiseAddress], conditions: { ready: true } }],
    ports: [{ name: 'https', port: opts.securePort, protocol: 'TCP' }],
  };
  const slicesStore = server.storeFor('discovery.k8s.io', 'v1', 'endpointslices')!;
  await slicesStore.guaranteedUpdate('default', 'kubernetes', (cur) => ({ ...(cur ?? slice), endpoints: slice.endpoints, ports: slice.ports }), ctx(), { createIfMissing: true });
  if (opts.clusterDNSIP) await ensure(() => server.storeFor('', 'v1', 'services')!.create('kube-system', kubeDnsService(opts.clusterDNSIP!), ctx()));
  if (opts.storageDir) await ensure(() => server.storeFor('storage.k8s.io', 'v1', 'storageclasses')!.create('', localPathStorageClass(opts.storageDir!), ctx()));
}

/** Upstream's kube-dns Service (names, labels, ports as CoreDNS's manifest), without a selector: the DNS server is
 *  a Skiff component, not pods, so its EndpointSlice is published by the component (src/node/dns), not the controller. */
export function kubeDnsService(ip: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns', namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], sessionAffinity: 'None',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  };
}
