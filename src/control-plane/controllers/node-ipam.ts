// Node IPAM controller (upstream nodeipam, RangeAllocator): each node gets one podCIDR (a /maskSize block of the
// cluster CIDR) in spec.podCIDR and spec.podCIDRs. The allocation set is rebuilt from the nodes' own specs on start
// (so a restart never hands out a block twice), a block is reserved before the write that claims it, and released
// when its node goes. A node whose podCIDR is already set keeps it (the field is immutable once set).
import type { Node } from 'kubernetes-types/core/v1.js';
import { WorkQueue, isNotFound, runController } from '../../client/index.ts';
import { findResource } from '../../api/resources.ts';
import { formatCidr, parseCidr } from '../../api/net/ipv4.ts';
import type { ControllerContext } from './context.ts';

const nodesRef = findResource('', 'v1', 'nodes')!;

/** Blocks of one size carved from a cluster CIDR; allocate() gives the lowest free one. */
export class CidrSet {
  private readonly base: number;
  private readonly size: number;
  readonly count: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(clusterCidr: string, readonly maskSize: number) {
    const c = parseCidr(clusterCidr.trim());
    if (!c) throw new Error(`invalid cluster CIDR "${clusterCidr}"`);
    if (maskSize < c.bits || maskSize > 32) throw new Error(`node CIDR mask size ${maskSize} does not fit in ${clusterCidr}`);
    this.base = c.base;
    this.size = 2 ** (32 - maskSize);
    this.count = 2 ** (maskSize - c.bits);
  }

  /** The block index of cidr, or undefined when it is not one of this set's blocks. */
  indexOf(cidr: string): number | undefined {
    const c = parseCidr(cidr.trim());
    if (!c || c.bits !== this.maskSize) return undefined;
    const i = (c.base - this.base) / this.size;
    return Number.isInteger(i) && i >= 0 && i < this.count ? i : undefined;
  }

  /** Marks cidr used; false when it was already used (or is not in the set). */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined || this.used.has(i)) return false;
    this.used.add(i);
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }

  /** The next free block, scanning round-robin from the last one handed out (as upstream's cidrset). */
  allocate(): string | undefined {
    for (let n = 0; n < this.count; n++) {
      const i = (this.next + n) % this.count;
      if (!this.used.has(i)) {
        this.used.add(i);
        this.next = (i + 1) % this.count;
        return formatCidr((this.base + i * this.size) >>> 0, this.maskSize);
      }
    }
    return undefined;
  }

  get allocated(): number {
    return this.used.size;
  }
}

export async function startNodeIpamController(ctx: ControllerContext): Promise<void> {
  if (!ctx.options.clusterCidr) {
    await new Promise<void>((resolve) => ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    return;
  }
  const set = new CidrSet(ctx.options.clusterCidr, ctx.options.nodeCidrMaskSize);
  const nodes = ctx.informers.informerFor<Node>(nodesRef);
  const recorder = ctx.recorder('cidrAllocator');
  /** node name -> the block this controller knows it holds */
  const held = new Map<string, string>();
  const queue = new WorkQueue<string>();
  const observe = (node: Node): void => {
    const name = node.metadata!.name!;
    const cidr = node.spec?.podCIDR;
    if (cidr && held.get(name) !== cidr) {
      // the node's spec is the truth: occupy its block even if we had reserved another for it
      const mine = held.get(name);
      if (mine) set.release(mine);
      if (!set.occupy(cidr) && set.indexOf(cidr) !== undefined) {
        console.error(`node-ipam: node ${name} claims ${cidr}, which another node holds`);
      }
      held.set(name, cidr);
    }
    if (!cidr) queue.add(name);
  };
  nodes.addEventHandler({
    onAdd: observe,
    onUpdate: (_, n) => observe(n),
    onDelete: (n) => {
      const name = n.metadata!.name!;
      const cidr = held.get(name);
      held.delete(name);
      if (cidr) set.release(cidr);
    },
  });

  await runController({
    name: 'node-ipam',
    queue,
    signal: ctx.signal,
    // one worker: every node's cache state was already folded into the set by the handlers before this runs
    workers: 1,
    synced: [nodes.synced],
    reconcile: async (name, signal) => {
      const node = nodes.lister.get('', name);
      if (!node || node.spec?.podCIDR || node.metadata?.deletionTimestamp) return;
      let cidr = held.get(name);
      if (!cidr) {
        cidr = set.allocate();
        if (!cidr) {
          recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
          return { requeueAfter: 30_000 };
        }
        held.set(name, cidr);
      }
      try {
        await ctx.client.patch(nodesRef, name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge', { signal });
      } catch (err) {
        if (isNotFound(err)) {
          held.delete(name);
          set.release(cidr);
          return;
        }
        throw err; // keep the reservation: the retry claims the same block
      }
    },
  });
}
