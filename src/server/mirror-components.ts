// What `skiff server` shows in kube-system: a mirror pod per component it runs on its node, named like kubeadm's
// static pods (kube-apiserver-<node>, kube-scheduler-<node>, kube-controller-manager-<node>) and the kube-proxy
// and DNS pods of a k3s node. The store shows for what it is: the embedded SQLite store as sqlite-<node> (code
// inside the API server's process, so its image is the API server's); an etcd given by --datastore-endpoint is
// not run by Skiff and has no pod here, as kubeadm shows none for an external etcd. The DNS pod is skiff-dns-<node>
// (it is not CoreDNS) with CoreDNS's k8s-app=kube-dns label; the kube-dns Service has no selector, so the label
// puts no second endpoint beside the one the DNS server publishes itself (node/dns/publish.ts).
// kube-apiserver's log is the server process's own output and sqlite's a line saying so (server-log.ts).
import { kubernetesMinor } from '../version.ts';
import type { HostedComponent } from './hosted-component.ts';
import type { MirrorComponent } from './mirror-pod.ts';
import type { MirrorSourceSpec } from './mirror-states.ts';

const tag = `v1.${kubernetesMinor}.0`;

/** The container (and log file) name of each hosted component, by its supervisor's name. */
export const hostedContainers: Record<string, string> = {
  scheduler: 'kube-scheduler',
  'controller-manager': 'kube-controller-manager',
  kubelet: 'kubelet', // no pod (upstream's kubelet is none either), but a log file
  'kube-proxy': 'kube-proxy',
  dns: 'skiff-dns',
};

function controlPlane(name: string, hostedIn: string, image = name): MirrorComponent {
  return { name, container: name, labels: { component: name, tier: 'control-plane' }, image: `skiff/${image}:${tag}`, command: ['skiff', 'server'], hostedIn };
}

/** How a hosted component shows, or undefined for one that is no pod (the kubelet). */
export function hostedMirrorComponent(hosted: string, hostedIn: string, command = ['skiff', 'server']): MirrorComponent | undefined {
  switch (hosted) {
    case 'scheduler':
    case 'controller-manager':
      return controlPlane(hostedContainers[hosted]!, hostedIn);
    case 'kube-proxy':
      return { name: 'kube-proxy', container: 'kube-proxy', labels: { 'k8s-app': 'kube-proxy' }, image: `skiff/kube-proxy:${tag}`, command, hostedIn };
    case 'dns':
      return { name: 'skiff-dns', container: 'skiff-dns', labels: { 'k8s-app': 'kube-dns' }, image: `skiff/skiff-dns:${tag}`, command, hostedIn };
    default:
      return undefined;
  }
}

export interface ServerMirrorOptions {
  /** The server's supervised components. */
  hosted: readonly Pick<HostedComponent, 'name' | 'isolation'>[];
  /** When the API server started serving. */
  since: Date;
  /** True with the embedded SQLite store. */
  sqlite: boolean;
}

/**
 * The server's mirror pods: the API server and its embedded store (running while the server runs), and each hosted
 * component, as data for the publisher's worker thread (mirror-pods-main.ts).
 */
export function serverMirrorSources(o: ServerMirrorOptions): MirrorSourceSpec[] {
  const out: MirrorSourceSpec[] = [{ component: controlPlane('kube-apiserver', 'the skiff server process (its main thread)'), steadySince: o.since }];
  if (o.sqlite) out.push({ component: controlPlane('sqlite', 'embedded in kube-apiserver (the skiff server process)', 'kube-apiserver'), steadySince: o.since });
  for (const h of o.hosted) {
    const component = hostedMirrorComponent(h.name, `${h.isolation === 'process' ? 'child process' : 'worker thread'} of skiff server`);
    if (component) out.push({ component, hosted: h.name });
  }
  return out;
}
