// The nftables backend: remembers each service's share of the ruleset as last programmed, and turns a sync into
// one `nft -f` transaction — incremental (only changed services' chains and map elements) unless a full sync is
// due (start-up, after a failure), which replaces the whole table atomically and so drops rules of services that
// no longer exist. The kernel state is trusted only as far as the last successful transaction.
import type { ProxyBackend, SyncStats } from './backend.ts';
import type { ServicePortInfo } from './model.ts';
import { nftApply, nftDeleteTable } from './nft.ts';
import { type NftOptions, type NftState, baseState, diffCommands, emptyState, fullSyncText, serviceState } from './nft-ruleset.ts';

export class NftBackend implements ProxyBackend {
  readonly mode = 'nftables';
  private programmed = new Map<string, NftState>();

  constructor(private readonly o: NftOptions, private readonly apply: (text: string) => Promise<void> = nftApply) {}

  async sync(changed: Map<string, ServicePortInfo[]>, all: () => Map<string, ServicePortInfo[]>, full: boolean): Promise<SyncStats> {
    return full ? this.fullSync(all()) : this.partialSync(changed);
  }

  private async fullSync(all: Map<string, ServicePortInfo[]>): Promise<SyncStats> {
    const next = new Map<string, NftState>();
    const whole = baseState(this.o);
    for (const [key, ports] of all) {
      const s = serviceState(ports, this.o);
      next.set(key, s);
      merge(whole, s);
    }
    const text = fullSyncText(whole, this.o.table);
    this.programmed = new Map(); // until it succeeds, nothing is known to be programmed
    await this.apply(text);
    this.programmed = next;
    return { full: true, commands: countLines(text) };
  }

  private async partialSync(changed: Map<string, ServicePortInfo[]>): Promise<SyncStats> {
    const updates = new Map<string, NftState>();
    const lines: string[] = [];
    for (const [key, ports] of changed) {
      const to = serviceState(ports, this.o);
      lines.push(...diffCommands(this.programmed.get(key) ?? emptyState(), to, this.o.table));
      updates.set(key, to);
    }
    if (lines.length > 0) await this.apply(lines.join('\n') + '\n');
    for (const [key, s] of updates) {
      if (s.chains.size === 0 && [...s.maps.values()].every((m) => m.size === 0)) this.programmed.delete(key);
      else this.programmed.set(key, s);
    }
    return { full: false, commands: lines.length };
  }

  cleanup(): Promise<boolean> {
    this.programmed = new Map();
    return nftDeleteTable('ip', this.o.table);
  }
}

function merge(into: NftState, s: NftState): void {
  for (const [k, v] of s.chains) into.chains.set(k, v);
  for (const [k, v] of s.chainSpecs) into.chainSpecs.set(k, v);
  for (const [k, v] of s.sets) into.sets.set(k, v);
  for (const [m, elems] of s.maps) {
    const target = into.maps.get(m)!;
    for (const [k, v] of elems) target.set(k, v);
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
