// The kubelet's node duties through the API: register the Node (create, or reconcile an existing one's labels and
// status), renew its Lease in kube-node-lease every 10 s (40 s duration, owned by the Node so deleting the node
// collects it), report conditions (written when they change, and at least once a minute as upstream's status
// report), and wait for node-ipam to assign spec.podCIDR.
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import {
  type Clock, type RestClient, formatMicroTime, formatTime, isAlreadyExists, isNotFound, leasesRef, realClock, resourceRef, sleep,
} from '../../client/index.ts';
import { type NodeFacts, type NotReadyReason, buildNode, nodeConditions, nodeStatus, sameConditions } from './node-object.ts';
import type { Pressure } from './pressure.ts';

export const nodesRef = resourceRef('v1', 'nodes', false);
export const nodeLeaseNamespace = 'kube-node-lease';
const leaseDurationSeconds = 40;
const statusReportMs = 60_000;

export interface NodeAgentOptions {
  client: RestClient;
  facts: NodeFacts;
  /** Asked at every status round: undefined when the node is ready, else the message of Ready=False. */
  notReady: () => NotReadyReason;
  /** Asked at every status round: memory, disk and PID pressure (absent: none). */
  pressure?: () => Pressure;
  clock?: Clock;
  leaseIntervalMs?: number;
  statusIntervalMs?: number;
  log?: (msg: string) => void;
}

export class NodeAgent {
  private readonly clock: Clock;
  private node?: Node;
  private lastStatusWrite = 0;

  constructor(private readonly o: NodeAgentOptions) {
    this.clock = o.clock ?? realClock;
  }

  get name(): string {
    return this.o.facts.name;
  }

  current(): Node | undefined {
    return this.node;
  }

  /** Creates the Node, or brings an existing one's labels and status up to date (a restarted kubelet). */
  async register(signal?: AbortSignal): Promise<Node> {
    const now = formatTime(this.clock.now());
    const fresh = buildNode(this.o.facts, nodeConditions(now, undefined, this.o.notReady(), this.pressure()));
    try {
      this.node = await this.o.client.create<Node>(nodesRef, fresh, { signal });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const patch = { metadata: { labels: fresh.metadata!.labels, annotations: fresh.metadata!.annotations } };
      this.node = await this.o.client.patch<Node>(nodesRef, this.name, patch, 'merge', { signal });
    }
    await this.writeStatus(true, signal);
    return this.node!;
  }

  /**
   * Reads the Node each status round, as upstream's status update does; gone (`kubectl delete node` while this
   * kubelet runs) means register it again — its pods were cleaned by podgc, node-ipam gives it a podCIDR again.
   */
  async ensureRegistered(signal?: AbortSignal): Promise<void> {
    try {
      this.node = await this.o.client.get<Node>(nodesRef, this.name, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.o.log?.(`node ${this.name} was deleted; registering it again`);
      await this.register(signal);
    }
  }

  /** The pressure measurement; a failing one is logged and counts as none, so Ready still gets reported. */
  private pressure(): Pressure | undefined {
    try {
      return this.o.pressure?.();
    } catch (err) {
      this.o.log?.(`measuring node pressure: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /** Writes status when conditions changed, or when forced / a report is due. */
  async writeStatus(force = false, signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const old = this.node?.status?.conditions;
    const conditions = nodeConditions(formatTime(now), old, this.o.notReady(), this.pressure());
    if (!force && sameConditions(old, conditions) && now - this.lastStatusWrite < statusReportMs) return;
    const status = nodeStatus(this.o.facts, conditions);
    this.node = await this.o.client.patch<Node>(nodesRef, this.name, { status }, 'merge', { subresource: 'status', signal });
    this.lastStatusWrite = now;
  }

  async renewLease(signal?: AbortSignal): Promise<void> {
    const { client } = this.o;
    const renewTime = formatMicroTime(this.clock.now());
    let lease: Lease | undefined;
    try {
      lease = await client.get<Lease>(leasesRef, this.name, { namespace: nodeLeaseNamespace, signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!lease) {
      const uid = this.node?.metadata?.uid;
      await client.create<Lease>(leasesRef, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: this.name,
          namespace: nodeLeaseNamespace,
          ...(uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid }] } : {}),
        },
        spec: { holderIdentity: this.name, leaseDurationSeconds, renewTime },
      }, { namespace: nodeLeaseNamespace, signal });
      return;
    }
    lease.spec = { ...lease.spec, holderIdentity: this.name, leaseDurationSeconds, renewTime };
    await client.update<Lease>(leasesRef, lease, { namespace: nodeLeaseNamespace, signal });
  }

  /** Lease renewals and status rounds until signal aborts; a failed round is logged and retried next period. */
  async run(signal: AbortSignal): Promise<void> {
    const leaseEvery = this.o.leaseIntervalMs ?? 10_000;
    const statusEvery = this.o.statusIntervalMs ?? 10_000;
    const loop = async (every: number, what: string, fn: () => Promise<void>): Promise<void> => {
      do {
        try {
          await fn();
        } catch (err) {
          if (signal.aborted) return;
          this.o.log?.(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      } while (await sleep(this.clock, every, signal));
    };
    await Promise.all([
      loop(leaseEvery, 'lease renewal', () => this.renewLease(signal)),
      loop(statusEvery, 'node status update', async () => {
        await this.ensureRegistered(signal);
        await this.writeStatus(false, signal);
      }),
    ]);
  }

  /** The node's spec.podCIDR once node-ipam has set it (polled). */
  async waitPodCIDR(signal: AbortSignal, pollMs = 500): Promise<string | undefined> {
    do {
      try {
        const n = await this.o.client.get<Node>(nodesRef, this.name, { signal });
        if (n.spec?.podCIDR) return n.spec.podCIDR;
      } catch (err) {
        if (signal.aborted) return undefined;
        this.o.log?.(`reading node: ${err instanceof Error ? err.message : String(err)}`);
      }
    } while (await sleep(this.clock, pollMs, signal));
    return undefined;
  }
}
