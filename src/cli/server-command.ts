// `skiff server`: parses the flags, locks the data dir, runs the control plane until SIGTERM/SIGINT, then stops
// it in order. The lock is taken before the control plane's modules load, so a second server on the same data dir
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
  const lock = lockDataDir(cfg.dataDir);
  let running: RunningServer;
  try {
    const { runServer } = await import('../server/run-server.ts');
    running = await runServer(cfg, { lock });
  } catch (err) {
    lock.release();
    throw err;
  }
  console.log(`skiff: API server listening on ${running.url}`);
  console.log(`skiff: admin kubeconfig at ${running.kubeconfig}${cfg.writeKubeconfig ? ` and ${cfg.writeKubeconfig}` : ''}`);
  const signal = await shutdownSignal();
  console.log(`skiff: ${signal} received, shutting down`);
  await running.stop();
  console.log('skiff: stopped');
  return 0;
}
