// Node IPAM controller (upstream nodeipam, RangeAllocator): each node gets one podCIDR (a /maskSize block of the
// cluster CIDR) in spec.podCIDR and spec.podCIDRs. The allocation set is rebuilt from the nodes' own specs on start
// (so a restart never hands out a block twice), a block is reserved before the write that claims it, and released
// when its node goes. A node whose podCIDR is already set keeps it (the field is immutable once set).
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Action } from '../../client/controller.ts';
import { isNotFound } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { formatCidr, parseCidr } from '../../api/net/ipv4.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { nodesRef } from './refs.ts';

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

export class NodeIpamController extends Controller {
  private readonly nodes: Informer<Node>;
  private readonly set: CidrSet;
  private readonly recorder: EventRecorder;
  /** node name -> the block this controller knows it holds */
  private readonly held = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    // one worker: every node's cache state was already folded into the set by the handlers before it runs
    super(ctx, { name: 'node-ipam', workers: 1 });
    this.set = new CidrSet(ctx.options.clusterCidr, ctx.options.nodeCidrMaskSize);
    this.nodes = this.informer<Node>(nodesRef);
    this.recorder = ctx.recorder('cidrAllocator');
    this.nodes.addEventHandler({
      onAdd: (n) => this.observe(n),
      onUpdate: (_, n) => this.observe(n),
      onDelete: (n) => {
        const name = n.metadata!.name!;
        const cidr = this.held.get(name);
        this.held.delete(name);
        if (cidr) this.set.release(cidr);
      },
    });
  }

  async reconcile(name: string, signal: AbortSignal): Promise<Action> {
    const node = this.nodes.lister.get('', name);
    if (!node || node.spec?.podCIDR || node.metadata?.deletionTimestamp) return;
    let cidr = this.held.get(name);
    if (!cidr) {
      cidr = this.set.allocate();
      if (!cidr) {
        this.recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        return { requeueAfter: 30_000 };
      }
      this.held.set(name, cidr);
    }
    try {
      await this.ctx.client.patch(nodesRef, name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge', { signal });
    } catch (err) {
      if (isNotFound(err)) {
        this.held.delete(name);
        this.set.release(cidr);
        return;
      }
      throw err; // keep the reservation: the retry claims the same block
    }
  }

  /** The node's spec is the truth: its block is occupied even if we had reserved another for it. */
  private observe(node: Node): void {
    const name = node.metadata!.name!;
    const cidr = node.spec?.podCIDR;
    if (cidr && this.held.get(name) !== cidr) {
      const mine = this.held.get(name);
      if (mine) this.set.release(mine);
      if (!this.set.occupy(cidr) && this.set.indexOf(cidr) !== undefined) {
        console.error(`node-ipam: node ${name} claims ${cidr}, which another node holds`);
      }
      this.held.set(name, cidr);
    }
    if (!cidr) this.queue.add(name);
  }
}

export async function startNodeIpamController(ctx: ControllerContext): Promise<void> {
  if (!ctx.options.clusterCidr) {
    // allocation is off: idle until the manager stops (returning early would count as a failure)
    await new Promise<void>((resolve) => ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    return;
  }
  await new NodeIpamController(ctx).run();
}
