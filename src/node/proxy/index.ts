// kube-proxy: startProxy() runs the proxier against an API client until the signal aborts; the rules stay in the
// kernel after a stop (so a restart keeps traffic flowing), and `cleanupProxy` removes them.
import type { RestClient } from '../../client/rest.ts';
import type { ProxyMode } from './flags.ts';
import type { ProxyBackend } from './backend.ts';
import { NftBackend } from './nft-backend.ts';
import { Proxier } from './proxier.ts';

export { Proxier, type SyncEvent } from './proxier.ts';
export { parseProxyFlags, proxyHelp, defaultTable, type ProxyMode } from './flags.ts';

export interface StartProxyOptions {
  client: RestClient;
  nodeName: string;
  signal: AbortSignal;
  mode?: ProxyMode;
  table?: string;
  clusterCIDR?: string;
  minSyncPeriodMs?: number;
}

export async function backendFor(mode: ProxyMode, table: string, clusterCIDR: string | undefined): Promise<ProxyBackend> {
  if (mode === 'iptables') {
    const { IptablesBackend } = await import('./iptables-backend.ts');
    return new IptablesBackend({ prefix: table, clusterCIDR });
  }
  return new NftBackend({ table, clusterCIDR });
}

export interface RunningProxy {
  proxier: Proxier;
  backend: ProxyBackend;
}

/** Resolves once the first full sync is in the kernel; the proxier then runs until signal aborts. */
export async function startProxy(o: StartProxyOptions): Promise<RunningProxy> {
  const backend = await backendFor(o.mode ?? 'nftables', o.table ?? 'skiff-proxy', o.clusterCIDR || undefined);
  const proxier = new Proxier({ client: o.client, nodeName: o.nodeName, backend, signal: o.signal, minSyncPeriodMs: o.minSyncPeriodMs });
  proxier.on('syncError', (err) => console.error(`kube-proxy: sync failed (a full sync follows): ${err instanceof Error ? err.message : String(err)}`));
  proxier.on('flowsError', (err) => console.error(`kube-proxy: clearing stale UDP flows failed: ${err instanceof Error ? err.message : String(err)}`));
  await proxier.start();
  return { proxier, backend };
}

/** Removes the rules of the given mode (both when absent); true when something was there. */
export async function cleanupProxy(table: string, mode?: ProxyMode): Promise<boolean> {
  let removed = false;
  for (const m of mode ? [mode] : (['nftables', 'iptables'] as const)) {
    try {
      removed = (await (await backendFor(m, table, undefined)).cleanup()) || removed;
    } catch (err) {
      if (mode) throw err; // only the mode asked for must succeed
    }
  }
  return removed;
}
