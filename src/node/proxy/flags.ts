// `skiff proxy` flags (kube-proxy's names where they exist) and their parsing; what the command accepts, apart
// from what it runs (command.ts).
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';

export const proxyHelp = `Usage: skiff proxy [flags]

  --kubeconfig PATH          kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)
  --node-name NAME           this node (for the Local traffic policies; default the hostname)
  --proxy-mode MODE          nftables (default) or iptables
  --cluster-cidr CIDR        pod CIDR: traffic to cluster IPs from outside it is masqueraded (default 10.42.0.0/16;
                             '' turns that off)
  --min-sync-period DUR      shortest time between two syncs; changes in between are batched (default 100ms)
  --table NAME               the nftables table / iptables chain prefix Skiff owns (default skiff-proxy)
  --cleanup                  remove Skiff's rules and exit
`;

export type ProxyMode = 'nftables' | 'iptables';

export interface ProxyFlags {
  help: boolean;
  cleanup: boolean;
  kubeconfig?: string;
  nodeName: string;
  mode: ProxyMode;
  clusterCIDR: string;
  minSyncPeriodMs: number;
  table: string;
}

const flagOptions = {
  kubeconfig: { type: 'string' },
  'node-name': { type: 'string' },
  'proxy-mode': { type: 'string' },
  'cluster-cidr': { type: 'string' },
  'min-sync-period': { type: 'string' },
  table: { type: 'string' },
  cleanup: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const defaultTable = 'skiff-proxy';

function durationMs(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s);
  if (!m) throw new Error(`--min-sync-period: invalid duration "${s}"`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's'] ?? 1000);
}

/** Throws with the flag's name on a malformed value. */
export function parseProxyFlags(argv: string[]): ProxyFlags {
  const { values } = parseArgs({ args: argv, options: flagOptions });
  const mode = values['proxy-mode'] ?? 'nftables';
  if (mode !== 'nftables' && mode !== 'iptables') throw new Error(`--proxy-mode: want nftables or iptables, got "${mode}"`);
  const table = values.table ?? defaultTable;
  // the name ends up in nft/iptables commands: keep it to what both accept
  if (!/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/.test(table)) throw new Error(`--table: invalid name "${table}"`);
  const cidr = values['cluster-cidr'] ?? '10.42.0.0/16';
  if (cidr !== '' && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) throw new Error(`--cluster-cidr: want an IPv4 CIDR, got "${cidr}"`);
  return {
    help: values.help ?? false,
    cleanup: values.cleanup ?? false,
    kubeconfig: values.kubeconfig,
    nodeName: values['node-name'] ?? hostname(),
    mode,
    clusterCIDR: cidr,
    minSyncPeriodMs: values['min-sync-period'] ? durationMs(values['min-sync-period']) : 100,
    table,
  };
}
