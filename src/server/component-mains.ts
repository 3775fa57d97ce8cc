// The mains of the components `skiff server` hosts (see hosted-main.ts), loaded only inside their worker threads.
// Each is an ordinary API client over loopback HTTPS with its own identity (its kubeconfig from data-dir.ts),
// exactly as when it runs as a process of its own (`skiff scheduler`, `skiff controller-manager`).
import { RestClient } from '../client/rest.ts';
import { startScheduler } from '../control-plane/scheduler/index.ts';
import { startControllerManager } from '../control-plane/controllers/manager.ts';
import type { HostedMain } from './hosted-main.ts';

export interface SchedulerMainOptions {
  kubeconfig: string;
  /** Leader-election identity, the same for every restart of the component within one server run: a restarted
   *  instance takes its own Lease back at once instead of waiting for it to expire. */
  identity: string;
}

export interface ControllerManagerMainOptions {
  kubeconfig: string;
  identity: string;
  clusterCidr: string;
  serviceCidr: string;
}

// Over loopback to their own apiserver, client-side rate limits only slow the cluster down (binds, pod creates):
// the hosted components run unthrottled (qps 0).

export const scheduler: HostedMain<SchedulerMainOptions> = async (o, ctx) => {
  const client = RestClient.fromKubeconfig(o.kubeconfig, { userAgent: 'skiff-scheduler', qps: 0 });
  try {
    const running = await startScheduler({ client, signal: ctx.signal, identity: o.identity });
    ctx.ready();
    await running.done;
  } finally {
    client.close();
  }
};

export const controllerManager: HostedMain<ControllerManagerMainOptions> = async (o, ctx) => {
  const client = RestClient.fromKubeconfig(o.kubeconfig, { userAgent: 'skiff-controller-manager', qps: 0 });
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
      signal: ctx.signal,
    });
    ctx.ready();
    await Promise.race([running.done, new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }))]);
    await running.stop();
  } finally {
    client.close();
  }
};
