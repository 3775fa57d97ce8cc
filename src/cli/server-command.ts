// `skiff server`: parses the flags, locks the data dir, runs the control plane until SIGTERM/SIGINT, then stops
// it in order (--reset instead removes what the server made on the host, as `skiff uninstall`, and exits). The lock is taken before the control plane's modules load, so a second server on the same data dir
// is refused within moments. A second signal during shutdown exits at once (process-policy.ts), as users expect of a second Ctrl-C.
import { parseServerFlags, serverHelp } from './server-flags.ts';
import { serveUntilSignal } from './serve-until-signal.ts';

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
  return serveUntilSignal(cfg, 'skiff', (running) => [
    `API server listening on ${running.url}`,
    `admin kubeconfig at ${running.kubeconfig}${cfg.writeKubeconfig ? ` and ${cfg.writeKubeconfig}` : ''}`,
    `node token at ${running.nodeTokenFile} (skiff agent --server ${running.advertiseUrl} --token <its content>)`,
    ...(running.nodeName ? [`kubelet running for node ${running.nodeName}`] : []),
  ]);
}
