// The control plane a node e2e test runs in this process: a Skiff API server on the run's own network ranges
// (isolation.ts: a run claimed here, released by stop()), a client, the scheduler and the controllers asked for
// (node-ipam alone by default, with the run's cluster CIDR), always with root-ca-certificate-publisher: admission gives
// every pod the kube-api-access projected volume, whose kube-root-ca.crt ConfigMap a real kubelet must find to start
// the pod. Nodes and kube-proxies join with the identities the product gives them (nodeKubeconfig/kubeProxyKubeconfig,
// node-identity.ts), so the Node authorizer is exercised as on a real node. stop() undoes what start() did, also after a start
// that failed half-way: the components first (aborted and awaited), then the client, the server and the claim.
// Tests stop their nodes before it, so the node's cleanup can still delete pods through the API.
import { RestClient } from '../../src/client/index.ts';
import type { ControllerOptions } from '../../src/control-plane/controllers/context.ts';
import { startControllerManager } from '../../src/control-plane/controllers/manager.ts';
import { startScheduler } from '../../src/control-plane/scheduler/index.ts';
import { claimRun, type TestRun } from './isolation.ts';
import { kubeProxyKubeconfig, nodeKubeconfig } from './node-identity.ts';
import { startTestServer, type TestServer } from './server.ts';

export interface TestControlPlaneOptions {
  userAgent: string;
  /** Default: ['node-ipam']; root-ca-certificate-publisher is added to any list. */
  controllers?: string[];
  /** Controller options beyond the run's clusterCidr. */
  controllerOptions?: Partial<ControllerOptions>;
}

export class TestControlPlane {
  run!: TestRun;
  s!: TestServer;
  client!: RestClient;
  private readonly ac = new AbortController();
  private readonly components: Promise<unknown>[] = [];

  constructor(private readonly o: TestControlPlaneOptions) {}

  async start(): Promise<void> {
    this.run = await claimRun();
    this.s = await startTestServer({ network: this.run });
    const client = (this.client = RestClient.fromKubeconfig(this.s.kubeconfig, { userAgent: this.o.userAgent, qps: 0 }));
    const signal = this.ac.signal;
    this.components.push(startScheduler({ client, signal, leaderElect: false }).then((r) => r.done));
    const controllers = [...new Set([...(this.o.controllers ?? ['node-ipam']), 'root-ca-certificate-publisher'])];
    this.components.push(startControllerManager({
      client, signal, leaderElection: false, controllers,
      options: { clusterCidr: this.run.clusterCidr, ...this.o.controllerOptions },
    }).then((m) => m.done));
  }

  /** A kubeconfig for node nodeName's kubelet, system:node:<nodeName> as a joining agent gets it. */
  nodeKubeconfig(nodeName: string): Promise<string> {
    return nodeKubeconfig(this.s, nodeName);
  }

  /** A kubeconfig for kube-proxy, system:kube-proxy as a joining agent gets it. */
  kubeProxyKubeconfig(): Promise<string> {
    return kubeProxyKubeconfig(this.s);
  }

  /** Stops the scheduler and controllers only (before a node's cleanup, so nothing re-creates what it deletes). */
  async stopComponents(): Promise<void> {
    this.ac.abort();
    await Promise.allSettled(this.components);
  }

  async stop(): Promise<void> {
    await this.stopComponents();
    this.client?.close();
    await this.s?.stop();
    await this.run?.release();
  }
}
