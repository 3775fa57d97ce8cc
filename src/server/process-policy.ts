// What a long-running Skiff process does when something goes wrong outside any request, and on signals.
//
// Errors inside a request never get here: the API server turns them into that request's 500 (as upstream's
// panic-recovery filter does for a handler's panic). What does get here is a bug in code that nobody awaited:
// an uncaught exception or an unhandled promise rejection. Such a process is in a state nobody reasoned about
// (a half-updated cache, a lock held, a loop that stopped), so it is not kept running: like a Go binary whose
// goroutine panics, it prints the error with its stack, prominently, and exits at once with status 70
// (EX_SOFTWARE), without a graceful shutdown that would run more code in that state. A supervisor (systemd,
// the kubelet for a static pod) restarts it; the store makes that safe, since every acknowledged write is
// durable before it is acknowledged (SQLite and etcd both), and clients resume their watches.
//
// Signals: the first SIGTERM or SIGINT asks for a graceful stop; a second one exits at once with status 1, as
// upstream's components do, for when the graceful stop itself hangs.

export const crashExitCode = 70;

export interface ProcessPolicyOptions {
  /** Prefix of the fatal message, e.g. "skiff". */
  name: string;
  /** Where the message goes (default stderr). */
  write?: (text: string) => void;
  /** How the process ends (default process.exit); tests pass a recorder. */
  exit?: (code: number) => void;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  try {
    return `non-Error value thrown: ${typeof err === 'object' ? JSON.stringify(err) : String(err)}`;
  } catch {
    return `non-Error value thrown: ${String(err)}`;
  }
}

/** The handler for process-level errors: log loudly, then exit with crashExitCode. */
export function fatalHandler(opts: ProcessPolicyOptions): (err: unknown, origin: string) => void {
  const write = opts.write ?? ((t: string) => process.stderr.write(t));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let fired = false;
  return (err, origin) => {
    if (fired) return;
    fired = true;
    const what = origin === 'unhandledRejection' ? 'unhandled promise rejection' : 'uncaught exception';
    try {
      write(`${opts.name}: FATAL: ${what}; exiting with status ${crashExitCode} so that a supervisor restarts a clean process\n${describe(err)}\n`);
    } finally {
      exit(crashExitCode);
    }
  };
}

/** Installs the policy above on this process. Call once, early, from a long-running command. */
export function installProcessPolicy(opts: ProcessPolicyOptions): void {
  const fatal = fatalHandler(opts);
  // 'uncaughtException' with origin 'unhandledRejection' too: Node reports rejections there when no
  // 'unhandledRejection' listener exists, so one handler sees both, and nothing is reported twice.
  process.on('uncaughtException', (err, origin) => fatal(err, origin));
}

/**
 * Resolves on the first SIGTERM or SIGINT with the signal's name; a second one exits with status 1 at once.
 * The listeners stay for the life of the process (that second signal may come any time), unless `until` aborts.
 */
export function shutdownSignal(opts: { exit?: (code: number) => void; until?: AbortSignal } = {}): Promise<NodeJS.Signals> {
  const exit = opts.exit ?? ((c: number) => process.exit(c));
  return new Promise((resolve) => {
    let received: NodeJS.Signals | undefined;
    const on = (sig: NodeJS.Signals) => {
      if (received) {
        process.stderr.write(`skiff: second ${sig} received, exiting now\n`);
        exit(1);
        return;
      }
      received = sig;
      resolve(sig);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
    opts.until?.addEventListener('abort', () => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
    }, { once: true });
  });
}
