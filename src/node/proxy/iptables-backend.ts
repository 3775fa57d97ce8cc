// The iptables backend: every sync rewrites Skiff's chains with one `iptables-restore --noflush` per table (atomic
// per table) and deletes chains that are no longer wanted, found from `iptables-save` so a restart cleans up what a
// previous run left. Simpler than the nftables backend (always whole), as it is the fallback mode.
import type { ServicePortInfo } from './model.ts';
import { runCommand } from './exec.ts';
import type { ProxyBackend, SyncStats } from './backend.ts';
import { chainPrefix, hookRules, iptablesRuleset, restoreText } from './iptables-ruleset.ts';

export interface IptablesOptions {
  prefix: string;
  clusterCIDR?: string;
}

async function run(cmd: string, args: string[], stdin?: string): Promise<string> {
  const r = await runCommand(cmd, args, stdin);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim().slice(0, 400)}`);
  return r.stdout;
}

/** Skiff's chains currently in a table. */
async function existingChains(table: 'nat' | 'filter', P: string): Promise<string[]> {
  const out = await run('iptables-save', ['-t', table]);
  return out.split('\n').filter((l) => l.startsWith(`:${P}-`)).map((l) => l.slice(1).split(' ')[0]!);
}

export class IptablesBackend implements ProxyBackend {
  readonly mode = 'iptables';
  private hooked = false;

  constructor(private readonly o: IptablesOptions) {}

  async sync(_changed: Map<string, ServicePortInfo[]>, all: () => Map<string, ServicePortInfo[]>, full: boolean): Promise<SyncStats> {
    const P = chainPrefix(this.o.prefix);
    const rs = iptablesRuleset([...all().values()].flat(), this.o.prefix, this.o.clusterCIDR);
    let lines = 0;
    for (const table of ['nat', 'filter'] as const) {
      const chains = rs[table];
      const stale = (await existingChains(table, P)).filter((c) => !chains.has(c));
      const text = restoreText(table, chains, stale);
      lines += text.split('\n').length;
      await run('iptables-restore', ['--noflush'], text);
    }
    if (full || !this.hooked) await this.hook();
    return { full: true, commands: lines };
  }

  private async hook(): Promise<void> {
    for (const h of hookRules(this.o.prefix)) {
      const exists = await runCommand('iptables', ['-t', h.table, '-C', h.chain, ...h.rule]);
      if (exists.code !== 0) await run('iptables', ['-t', h.table, '-I', h.chain, '1', ...h.rule]);
    }
    this.hooked = true;
  }

  async cleanup(): Promise<boolean> {
    const P = chainPrefix(this.o.prefix);
    let removed = false;
    for (const h of hookRules(this.o.prefix)) {
      while ((await runCommand('iptables', ['-t', h.table, '-D', h.chain, ...h.rule])).code === 0) removed = true;
    }
    for (const table of ['nat', 'filter'] as const) {
      const chains = await existingChains(table, P);
      if (chains.length === 0) continue;
      removed = true;
      const text = [`*${table}`, ...chains.map((c) => `:${c} - [0:0]`), ...chains.map((c) => `-X ${c}`), 'COMMIT'].join('\n') + '\n';
      await run('iptables-restore', ['--noflush'], text);
    }
    this.hooked = false;
    return removed;
  }
}
