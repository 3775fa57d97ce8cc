// The mains of the components `skiff server` hosts (see hosted-main.ts), loaded only inside their worker threads.
// Each is an ordinary API client over loopback HTTPS with its own identity (its kubeconfig from data-dir.ts),
// exactly as when it runs as a process of its own (`skiff scheduler`, `skiff controller-manager`).
// Every thread and the kubelet's process load this module, so it imports nothing a component needs statically:
// each main imports its own component when it runs. Loaded eagerly, each of the five would compile all of them
// (the controllers alone are ~150 modules) at the same moment on the same cores, which made start-up slow.
import { RestClient } from '../client/rest.ts';
import type { HostedMain } from './hosted-main.ts';
import type { ComponentServer, ComponentServerOptions } from '../control-plane/component-server.ts';

export interface SchedulerMainOptions {
  kubeconfig: string;
  /** Leader-election identity, the same for every restart of the component within one server run: a restarted
   *  instance takes its own Lease back at once instead of waiting for it to expire. */
  identity: string;
  /** The secure /metrics and /healthz port (10259); 0 serves none. */
  securePort: number;
}

export interface ControllerManagerMainOptions {
  kubeconfig: string;
  identity: string;
  /** The secure /metrics and /healthz port (10257); 0 serves none. */
  securePort: number;
  clusterCidr: string;
  serviceCidr: string;
}

// Over loopback to their own apiserver, client-side rate limits only slow the cluster down (binds, pod creates):
// the hosted components run unthrottled (qps 0).

/**
 * The component's secure endpoint. Unlike the standalone command, which fails when it cannot listen (as upstream),
 * a hosted component runs on without it and says so: a port taken by another server on this host must not take
 * the control plane down with it.
 */
async function endpoint(o: Omit<ComponentServerOptions, 'clientCA'> & { kubeconfig: string }): Promise<ComponentServer | undefined> {
  if (!o.port) return undefined; // 0: none (startComponentEndpoint would not listen either)
  try {
    const { startComponentEndpoint } = await import('../control-plane/component-server.ts');
    return await startComponentEndpoint(o);
  } catch (err) {
    console.error(`${o.name}: not serving /metrics and /healthz on port ${o.port}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

export const scheduler: HostedMain<SchedulerMainOptions> = async (o, ctx) => {
  const [{ startScheduler }, { schedulerRegistry }] = await Promise.all([
    import('../control-plane/scheduler/index.ts'), import('../control-plane/scheduler/metrics.ts'),
  ]);
  const client = RestClient.fromKubeconfig(o.kubeconfig, { userAgent: 'skiff-scheduler', qps: 0 });
  let running: Awaited<ReturnType<typeof startScheduler>> | undefined;
  const registry = schedulerRegistry('default-scheduler', () => running?.current()?.stats);
  const server = await endpoint({ name: 'scheduler', port: o.securePort, kubeconfig: o.kubeconfig, registry });
  try {
    running = await startScheduler({ client, signal: ctx.signal, identity: o.identity });
    console.log('skiff scheduler: started'); // the first line of its log, as the standalone command says it
    ctx.ready();
    await running.done;
  } finally {
    await server?.close();
    client.close();
  }
};

export const controllerManager: HostedMain<ControllerManagerMainOptions> = async (o, ctx) => {
  const [{ startControllerManager }, { controllerManagerRegistry }] = await Promise.all([
    import('../control-plane/controllers/manager.ts'), import('../control-plane/controllers/metrics.ts'),
  ]);
  const client = RestClient.fromKubeconfig(o.kubeconfig, { userAgent: 'skiff-controller-manager', qps: 0 });
  const server = await endpoint({ name: 'controller-manager', port: o.securePort, kubeconfig: o.kubeconfig, registry: controllerManagerRegistry });
  try {
    const manager = await startControllerManager({
      client,
      signal: ctx.signal,
      identity: o.identity,
      options: { clusterCidr: o.clusterCidr, serviceCidr: o.serviceCidr },
    });
    ctx.ready();
    await manager.done;
  } finally {
    await server?.close();
    client.close();
  }
};

export interface ProxyMainOptions { kubeconfig: string; nodeName: string; mode?: 'nftables' | 'iptables'; clusterCidr?: string; table?: string; minSyncPeriodMs?: number }

/** kube-proxy hosted by `skiff server` and `skiff agent` for their host. */
export const proxy: HostedMain<ProxyMainOptions> = async (o, ctx) => {
  const { startProxy } = await import('../node/proxy/index.ts');
  const client = RestClient.fromKubeconfig(o.kubeconfig, { userAgent: 'skiff-proxy', qps: 0 });
  try {
    await startProxy({ client, signal: ctx.signal, nodeName: o.nodeName, mode: o.mode, table: o.table, clusterCIDR: o.clusterCidr, minSyncPeriodMs: o.minSyncPeriodMs });
    ctx.ready();
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    client.close();
  }
};

export interface ClusterDnsMainOptions {
  kubeconfig: string;
  /** the kube-dns Service's cluster IP (10.43.0.10), or a node address */
  host: string;
  port: number;
  clusterDomain: string;
  /** host:port resolvers for names outside the cluster (the node's /etc/resolv.conf nameservers when empty) */
  upstreams: string[];
  /** publish the server as the kube-dns Service's endpoint (when it listens on a node address, not the service IP) */
  publish?: { address: string; nodeName: string };
}

export const clusterDns: HostedMain<ClusterDnsMainOptions> = async (o, ctx) => {
  const { startClusterDns } = await import('../node/dns/index.ts');
  const { hostUpstreams, parseUpstream } = await import('../node/dns/forward.ts');
  const client = RestClient.fromKubeconfig(o.kubeconfig, { userAgent: 'skiff-dns', qps: 0 });
  try {
    const upstreams = o.upstreams.length ? o.upstreams.map(parseUpstream) : hostUpstreams('/etc/resolv.conf', [o.host]);
    const dns = await startClusterDns({ client, host: o.host, port: o.port, zone: o.clusterDomain, upstreams, nsIPs: [o.host], publish: o.publish, signal: ctx.signal });
    ctx.ready();
    await dns.done;
  } finally {
    client.close();
  }
};

export interface KubeletMainOptions {
  /** The node's own kubeconfig (CN system:node:<name>, O system:nodes). */
  kubeconfig: string;
  nodeName: string;
  /** The server's data dir: the kubelet keeps its state under <dataDir>/agent. */
  dataDir: string;
  runtimeEndpoint?: string;
  nodeIP?: string;
  clusterDNS: string[];
  cniBridge?: string;
  nodeLabels: Record<string, string>;
  /** The kubelet's HTTPS API (logs, exec, attach, port-forward): port (0 = a free one) and the cluster CA it trusts. */
  kubeletServer?: { port: number; clientCA: string };
}

/**
 * The server's own kubelet, run in a child process: it supervises a detached containerd, and when it is stopped
 * (or killed, or the server dies) the containers keep running and the next kubelet adopts containerd and them.
 */
export const kubelet: HostedMain<KubeletMainOptions> = async (o, ctx) => {
  // Ctrl-C reaches the whole process group: the server stops this kubelet in order, so the signal is not ours.
  process.on('SIGINT', () => undefined);
  const { startKubelet } = await import('../node/kubelet/kubelet.ts');
  const client = RestClient.fromKubeconfig(o.kubeconfig, { userAgent: `skiff-kubelet/${o.nodeName}`, qps: 50, burst: 100 });
  try {
    const running = await startKubelet({
      client,
      nodeName: o.nodeName,
      dataDir: o.dataDir,
      runtimeEndpoint: o.runtimeEndpoint,
      nodeIP: o.nodeIP,
      clusterDNS: o.clusterDNS,
      cniBridge: o.cniBridge,
      nodeLabels: o.nodeLabels,
      kubeletServer: o.kubeletServer,
      signal: ctx.signal,
    });
    ctx.ready();
    await Promise.race([running.done, new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }))]);
    await running.stop();
  } finally {
    client.close();
  }
};
