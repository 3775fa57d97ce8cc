// `skiff proxy`: kube-proxy as a process of its own (`--cleanup` removes its rules and exits).
import { RestClient } from '../../client/rest.ts';
import { parseProxyFlags, proxyHelp } from './flags.ts';
import { cleanupProxy, startProxy } from './index.ts';

export async function proxyCommand(argv: string[]): Promise<number> {
  const flags = parseProxyFlags(argv);
  if (flags.help) {
    process.stdout.write(proxyHelp);
    return 0;
  }
  if (flags.cleanup) {
    const removed = await cleanupProxy(flags.table, argv.includes('--proxy-mode') ? flags.mode : undefined);
    console.log(removed ? `kube-proxy: removed ${flags.table}` : `kube-proxy: nothing to clean up (${flags.table})`);
    return 0;
  }
  const client = RestClient.fromKubeconfig(flags.kubeconfig, { userAgent: 'skiff-proxy' });
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const { proxier, backend } = await startProxy({
      client, signal: ac.signal, nodeName: flags.nodeName, mode: flags.mode, table: flags.table,
      clusterCIDR: flags.clusterCIDR, minSyncPeriodMs: flags.minSyncPeriodMs,
    });
    console.log(`kube-proxy: ${backend.mode} mode, node ${flags.nodeName}, table ${flags.table}: synced`);
    proxier.on('synced', (e) => {
      if (e.full) console.log(`kube-proxy: full sync of ${e.services} services in ${e.durationMs.toFixed(0)} ms`);
    });
    await new Promise((resolve) => ac.signal.addEventListener('abort', resolve, { once: true }));
    console.log('kube-proxy: stopping (rules stay in place)');
    return 0;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    client.close();
  }
}
