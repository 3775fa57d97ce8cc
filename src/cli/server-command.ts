// `skiff server`: parses the flags, locks the data dir, runs the control plane until SIGTERM/SIGINT, then stops
// it in order (--reset instead removes what the server made on the host, as `skiff uninstall`, and exits). The lock is taken before the control plane's modules load, so a second server on the same data dir
// is refused within moments. A second signal during shutdown exits at once (process-policy.ts), as users expect of a second Ctrl-C.
import { parseServerFlags, serverHelp } from './server-flags.ts';
import { lockDataDir } from '../server/data-dir-lock.ts';
import { shutdownSignal } from '../server/process-policy.ts';
import type { RunningServer } from '../server/run-server.ts';

export async function serverCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(serverHelp);
    return 0;
  }
  const cfg = parseServerFlags(argv);
  if (cfg.reset) {
    const { runUninstall } = await import('./uninstall-command.ts');
    const code = await runUninstall(cfg.dataDir, cfg.writeKubeconfig ? [cfg.writeKubeconfig] : [], 'skiff server --reset');
    if (code === 0) console.log('skiff server --reset: run skiff server again (without --reset) to start a new, empty cluster');
    return code;
  }
  const lock = lockDataDir(cfg.dataDir);
  let running: RunningServer;
  try {
    const { runServer } = await import('../server/run-server.ts');
    running = await runServer(cfg, { lock });
  } catch (err) {
    lock.release();
    throw err;
  }
  // listening before saying so: a Ctrl-C right after the first line must stop the server in order, not kill it
  const stopped = shutdownSignal();
  console.log(`skiff: API server listening on ${running.url}`);
  console.log(`skiff: admin kubeconfig at ${running.kubeconfig}${cfg.writeKubeconfig ? ` and ${cfg.writeKubeconfig}` : ''}`);
  console.log(`skiff: node token at ${running.nodeTokenFile} (skiff agent --server ${running.advertiseUrl} --token <its content>)`);
  if (running.nodeName) console.log(`skiff: kubelet running for node ${running.nodeName}`);
  const signal = await stopped;
  console.log(`skiff: ${signal} received, shutting down`);
  await running.stop();
  console.log('skiff: stopped');
  return 0;
}
