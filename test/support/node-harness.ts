// A one-node cluster with real containers and Service networking, for the e2e tests of what pods do through
// Services and cluster DNS: a Skiff API server in this process (the run's pod and Service CIDRs, cluster DNS IP and
// NodePort range, isolation.ts; control-plane.ts) with the kube-dns Service, the scheduler, the controllers named, `skiff
// kubelet` on the node address (its own containerd, a CNI bridge per run, the busybox test image imported) as
// system:node:<name>, `skiff proxy` (an nft table per run) as system:kube-proxy and `skiff dns` behind the
// kube-dns Service. start() returns once the node is Ready;
// stop() removes exactly what start() made, also after a start that failed half-way: controllers first (so nothing
// re-creates the pods the node's cleanup deletes), then the node, the processes by PID, the nft table, the server
// and the run's claim.
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { type RestClient, isAlreadyExists, resourceRef } from '../../src/client/index.ts';
import { kubeDnsService } from '../../src/control-plane/apiserver/bootstrap.ts';
import type { ControllerOptions } from '../../src/control-plane/controllers/context.ts';
import { primaryIPv4 } from '../../src/node/kubelet/host.ts';
import { KubeletNode, skiff } from './kubelet-node.ts';
import { TestControlPlane } from './control-plane.ts';
import type { TestRun } from './isolation.ts';
import { type SkiffProcess, startSkiff, stopSkiff } from './process.ts';
import type { TestServer } from './server.ts';
import { waitFor } from './wait.ts';

const nodesRef = resourceRef('v1', 'nodes', false);
const servicesRef = resourceRef('v1', 'services');

export interface NodeHarnessOptions {
  /** Prefixes of this run's names: the node (`svc-e2e-`), the proxy's nft table (`skiff-svc`), the CNI bridge (`sks`). */
  nodePrefix: string;
  tablePrefix: string;
  bridgePrefix: string;
  userAgent: string;
  /** The controllers to run (node-ipam among them, for the node's podCIDR). */
  controllers: string[];
  /** Controller options beyond the run's clusterCidr. */
  controllerOptions?: Partial<ControllerOptions>;
}

export class NodeHarness {
  run!: TestRun;
  nodeName = '';
  clusterCidr = '';
  /** The proxy's nft table. */
  table = '';
  clusterDNSIP = '';
  readonly nodeIP = primaryIPv4() ?? '';
  s!: TestServer;
  client!: RestClient;
  node!: KubeletNode;
  private proxy: SkiffProcess | undefined;
  private dns: SkiffProcess | undefined;
  private readonly cp: TestControlPlane;

  constructor(private readonly o: NodeHarnessOptions) {
    this.cp = new TestControlPlane({ userAgent: o.userAgent, controllers: o.controllers, controllerOptions: o.controllerOptions });
  }

  /** kubectl against the server (stdin: an object sent as JSON); fails the test on a non-zero exit. */
  async kubectl(args: string[], stdin?: object): Promise<string> {
    const r = await this.s.kubectl(args, stdin ? { stdin: JSON.stringify(stdin) } : undefined);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  async start(): Promise<void> {
    const { nodeIP } = this;
    assert.ok(nodeIP, 'no default-route address for the node');
    await this.cp.start();
    ({ run: this.run, s: this.s, client: this.client } = this.cp);
    const { s, client } = this;
    ({ clusterCidr: this.clusterCidr, clusterDns: this.clusterDNSIP } = this.run);
    this.nodeName = this.run.name(this.o.nodePrefix);
    this.table = this.run.name(this.o.tablePrefix);
    const { nodeName, table, clusterCidr, clusterDNSIP } = this;
    // What bootstrap creates with clusterDNSIP; `skiff server` may already have made it.
    await client.create(servicesRef, kubeDnsService(clusterDNSIP), { namespace: 'kube-system' }).catch((e: unknown) => {
      if (!isAlreadyExists(e)) throw e;
    });
    this.node = new KubeletNode({ kubeconfig: await this.cp.nodeKubeconfig(nodeName), nodeName, bridge: this.run.name(this.o.bridgePrefix), args: ['--node-ip', nodeIP, '--cluster-dns', clusterDNSIP] });
    await this.node.start();
    await this.node.importTestImage();
    this.proxy = await startSkiff(['proxy', '--kubeconfig', await this.cp.kubeProxyKubeconfig(), '--node-name', nodeName, '--table', table, '--cluster-cidr', clusterCidr, '--min-sync-period', '50ms'], /kube-proxy: .*synced/);
    // On the node address (pods reach it through their gateway), a free port: the proxy DNATs <cluster DNS>:53 there.
    this.dns = await startSkiff([
      'dns', '--kubeconfig', s.kubeconfig, '--listen', `${nodeIP}:0`, '--upstream', '127.0.0.1:9', '--forward-timeout', '200',
      '--publish-address', nodeIP, '--node-name', nodeName,
    ], /skiff dns: serving cluster\.local on /);
    await waitFor('node Ready', async () => (await client.get<Node>(nodesRef, nodeName)).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  }

  async stop(): Promise<void> {
    // controllers first, so nothing re-creates the pods the node's cleanup deletes
    await this.cp.stopComponents();
    try {
      await this.node?.cleanup(this.client);
    } finally {
      await stopSkiff(this.dns);
      await stopSkiff(this.proxy);
      if (this.table) await skiff(['proxy', '--cleanup', '--table', this.table]).catch(() => undefined);
      await this.cp.stop();
    }
  }
}
