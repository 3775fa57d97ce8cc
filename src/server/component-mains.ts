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
