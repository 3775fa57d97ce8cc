// Runs the control plane of `skiff server` / `skiff apiserver` until SIGTERM/SIGINT, then stops it in order. The
// data-dir lock is taken before run-server.ts loads, so a second server on the same data dir is refused within
// moments; the lock is released if the start fails. The banner lines are printed only once signals are being
// listened for, so a Ctrl-C right after the first line stops the server in order instead of killing it.
import { lockDataDir } from '../server/data-dir-lock.ts';
import { shutdownSignal } from '../server/process-policy.ts';
import type { RunningServer } from '../server/run-server.ts';
import type { ServerConfig } from './server-flags.ts';

/** Starts the server of cfg, prints banner(running) under prefix ("skiff: …"), waits for a signal and stops it. */
export async function serveUntilSignal(cfg: ServerConfig, prefix: string, banner: (running: RunningServer) => string[]): Promise<number> {
  const lock = lockDataDir(cfg.dataDir);
  let running: RunningServer;
  try {
    const { runServer } = await import('../server/run-server.ts');
    running = await runServer(cfg, { lock });
  } catch (err) {
    lock.release();
    throw err;
  }
  const stopped = shutdownSignal();
  for (const line of banner(running)) console.log(`${prefix}: ${line}`);
  const signal = await stopped;
  console.log(`${prefix}: ${signal} received, shutting down`);
  await running.stop();
  console.log(`${prefix}: stopped`);
  return 0;
}
